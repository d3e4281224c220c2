"""`manage.py import_mlperf ROUND_DIR`: a round's results become imported-unverified, ranked entries."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ranking.scoring import aggregate
from submissions.models import Finding, Run, StatusEvent, Submission

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mlperf"
V1 = CORPUS / "training_results_v1.0"
RESULT = "Google/results/tpu-v4-128-TF/resnet"
SOURCE = f"https://github.com/mlcommons/training_results_v1.0/tree/main/{RESULT}"
# The round these tests import: three of the corpus's v1.0 systems, one per submitter.
SYSTEMS = {"Google": "tpu-v4-128-TF", "Habana": "SYS-420GH-TNGR", "Graphcore": "ipu-pod16-TF1"}


def run_import(root: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_mlperf", str(root), "--as", "admin", *args, stdout=out, stderr=err)
    except CommandError as exc:
        raise CommandError(f"{exc}\n{err.getvalue()}") from None
    return out.getvalue(), err.getvalue()


@pytest.fixture
def round_copy(tmp_path) -> Path:
    root = tmp_path / "training_results_v1.0"
    for submitter, system in SYSTEMS.items():
        shutil.copytree(V1 / submitter / "results" / system, root / submitter / "results" / system)
        (root / submitter / "systems").mkdir()
        shutil.copy(V1 / submitter / "systems" / f"{system}.json", root / submitter / "systems")
    return root


@pytest.fixture
def imported(admin, django_capture_on_commit_callbacks, round_copy):
    def make(root: Path = round_copy, *args: str) -> tuple[str, str]:
        with django_capture_on_commit_callbacks(execute=True):
            return run_import(root, *args)

    return make


def board(api_client, suite: str) -> list[dict[str, object]]:
    url = reverse("api-leaderboard", args=[suite, "image-classification", "system"])
    return api_client.get(url).json()["results"]


def test_it_imports_a_result_onto_every_board_it_fits(imported, api_client):
    out, err = imported()
    assert "imported 6 entries, 0 already imported, 0 refused, from MLPerf Training v1.0" in out
    warnings = [line for line in err.splitlines() if line.startswith(f"warning {RESULT} ")]
    assert len(warnings) == 15  # 5 missing seeds on each board, 5 runs short of HPC AI500's target
    for submission in Submission.objects.filter(organization_name="Google"):
        assert submission.provenance == "imported_unverified" and submission.status == "published"
        assert submission.manifest == {"imported_from": SOURCE, "mlperf_round": "v1.0", "entry": RESULT}
        assert (submission.organization_name, submission.system_name) == ("Google", "tpu-v4-128")
        assert submission.availability == "preview" and submission.level.slug == "system"
        assert submission.published_at.date().isoformat() == "2021-06-30"
        assert submission.system_description["number_of_nodes"] == "16"
        (event,) = StatusEvent.objects.filter(submission=submission)
        assert SOURCE in event.reason and event.actor.username == "admin"
        runs = Run.objects.filter(submission=submission).order_by("index")
        assert [r.log_name for r in runs] == [f"result_{i}.txt" for i in range(5)]
        assert all(r.seed is None and r.epochs_completed == 43 for r in runs)
        codes = set(Finding.objects.filter(submission=submission).values_list("code", flat=True))
        assert "rules.missing_seed" in codes

    aibench = {r["organization"]: r for r in board(api_client, "aibench-training")}
    ttq = Run.objects.filter(
        submission__benchmark__suite__slug="aibench-training", submission__organization_name="Google"
    ).values_list("time_to_quality_s", flat=True)
    google = aibench["Google"]
    assert google["rank"] == 1 and google["score"] == pytest.approx(aggregate(list(ttq), "olympic_mean")[0])
    assert google["accelerator_count"] == 64 and google["provenance"] == "imported_unverified"
    assert (aibench["Graphcore"]["rank"], aibench["HabanaLabs"]["rank"]) == (2, 3)
    assert aibench["HabanaLabs"]["accelerator_count"] == 8
    hpc = board(api_client, "hpc-ai500")
    assert [r["organization"] for r in hpc] == ["Google", "Graphcore", "HabanaLabs"]
    assert all(r["runs_converged"] == 0 for r in hpc)  # under 0.763: penalised, still ranked


def test_importing_the_same_round_again_creates_nothing(imported):
    imported()
    out, _ = imported()
    assert "imported 0 entries, 6 already imported" in out
    assert Submission.objects.count() == 6


def test_a_dry_run_checks_and_stores_nothing(imported, round_copy):
    out, _ = imported(round_copy, "--dry-run")
    assert "would import 6 entries" in out
    assert Submission.objects.count() == 0


def test_it_refuses_a_result_whose_files_changed_since_it_was_imported(imported, round_copy):
    imported(round_copy)
    log = round_copy / RESULT / "result_4.txt"
    log.write_bytes(log.read_bytes().replace(b"0.75964", b"0.77964"))
    with pytest.raises(CommandError, match="imported before as .* from other files"):
        imported(round_copy)
    assert Submission.objects.count() == 6


def test_it_refuses_a_result_with_a_run_submitted_twice(imported, round_copy):
    shutil.copy(round_copy / RESULT / "result_0.txt", round_copy / RESULT / "result_5.txt")
    with pytest.raises(CommandError) as error:
        imported(round_copy)
    message = str(error.value)
    assert "2 result(s) refused" in message
    assert (
        "rules.duplicate_run: result_0.txt, result_5.txt hold the same events apart from the seed" in message
    )
    assert set(Submission.objects.values_list("organization_name", flat=True)) == {"HabanaLabs", "Graphcore"}


def test_open_division_results_go_to_the_free_level_under_its_flops_rule(imported, round_copy, api_client):
    system = round_copy / "Google" / "systems" / "tpu-v4-128-TF.json"
    system.write_text(system.read_text().replace('"division": "closed"', '"division": "open"'))
    out, err = imported(round_copy)
    assert "imported 5 entries" in out
    assert "hpc-ai500/image-classification/free: the open division may change the model" in err
    (submission,) = Submission.objects.filter(organization_name="Google")
    assert (submission.benchmark.suite.slug, submission.level.slug) == ("aibench-training", "free")


def test_it_reports_a_result_without_its_system_description(imported, round_copy):
    (round_copy / "Google" / "systems" / "tpu-v4-128-TF.json").unlink()
    with pytest.raises(CommandError) as error:
        imported(round_copy)
    assert "unreadable: Google/results/tpu-v4-128-TF/resnet: no system description" in str(error.value)


def test_it_needs_the_round_when_the_folder_does_not_say(imported, round_copy, tmp_path):
    folder = tmp_path / "checkout"
    shutil.copytree(round_copy, folder)
    with pytest.raises(CommandError, match="give --round"):
        imported(folder)
    out, _ = imported(folder, "--round", "v1.0")
    assert "imported 6 entries" in out


def test_only_a_staff_user_may_import(owner):
    with pytest.raises(CommandError, match="not an active staff user"):
        call_command("import_mlperf", str(V1), "--as", "owner")


def test_the_record_is_the_result_and_its_system_file_as_published(imported, client):
    imported()
    submission = Submission.objects.get(benchmark__suite__slug="aibench-training", organization_name="Google")
    download = client.get(reverse("submissions:bundle", args=[submission.pk]))
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        names = sorted(tar.getnames())
        system = json.load(tar.extractfile("Google/systems/tpu-v4-128-TF.json"))  # type: ignore[arg-type]
    assert names == [f"{RESULT}/result_{i}.txt" for i in range(5)] + ["Google/systems/tpu-v4-128-TF.json"]
    assert system["submitter"] == "Google"
