"""`manage.py import_published`: a published table becomes imported-unverified, ranked entries."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from catalogue.models import Level
from ranking.services import leaderboard_recompute
from submissions.models import Run, StatusEvent, Submission

SOURCE = "https://example.org/hpc-ai500-2024.html"
SAMPLES = 1281167 * 90
# 2.43e10 FLOPs/sample x SAMPLES / 3600 s = 7.783089525e14 FLOPS at exactly the target.
FLOPS_3600 = 2.43e10 * SAMPLES / 3600


def row(entry: str = "1", **overrides: object) -> dict[str, object]:
    values: dict[str, object] = {
        "entry": entry,
        "suite": "hpc-ai500",
        "benchmark": "image-classification",
        "level": "system",
        "organization": "Example Supercomputing Centre",
        "system_name": f"System {entry}",
        "accelerator_model_name": "NVIDIA V100-SXM2-32GB",
        "accelerators_per_node": 8,
        "number_of_nodes": 16,
        "framework": "PyTorch 1.8",
        "availability": "available",
        "published_on": "2024-11-18",
        "seed": 1,
        "time_to_train_s": 3600,
        "achieved_quality": 0.763,
        "samples_processed": SAMPLES,
        "converged": "true",
    }
    values.update(overrides)
    return values


# A table's header: the columns of a run's row, in their order.
HEADER = list(row())


def runs(entry: str, count: int = 5, **overrides: object) -> list[dict[str, object]]:
    """Independent runs: their times differ by a millisecond or two around the one given."""
    base = float(overrides.pop("time_to_train_s", 3600))  # type: ignore[arg-type]
    return [
        row(entry, seed=seed, time_to_train_s=base + (seed - (count + 1) / 2) / 1000, **overrides)
        for seed in range(1, count + 1)
    ]


def table(tmp_path: Path, rows: list[dict[str, object]], header: list[str] = HEADER) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / "table.csv"
    path.write_text(out.getvalue())
    return path


def run_import(path: Path, *args: str, user: str = "admin") -> str:
    out = io.StringIO()
    call_command("import_published", str(path), "--source", SOURCE, "--as", user, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(tmp_path, admin, django_capture_on_commit_callbacks):
    def make(rows: list[dict[str, object]], *args: str) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            return run_import(table(tmp_path, rows), *args)

    return make


def test_it_ranks_imported_entries_from_their_runs(imported, api_client) -> None:
    output = imported(runs("1") + runs("2", time_to_train_s=1800, achieved_quality=0.7, converged="false"))
    assert "imported 2 entries, 0 already imported" in output

    board = api_client.get(
        reverse("api-leaderboard", args=["hpc-ai500", "image-classification", "system"])
    ).json()
    results = {r["system_name"]: r for r in board["results"]}
    assert results["System 1"]["score"] == pytest.approx(FLOPS_3600)
    # Twice as fast but below target: penalised by (0.7 / 0.763) ** 5, not dropped.
    assert results["System 2"]["score"] == pytest.approx(2 * FLOPS_3600 * (0.7 / 0.763) ** 5)
    assert [r["system_name"] for r in board["results"]] == ["System 2", "System 1"]
    for result in board["results"]:
        assert result["provenance"] == "imported_unverified"
        assert result["accelerator_count"] == 128 and result["nodes"] == 16
        assert result["organization"] == "Example Supercomputing Centre"

    submission = Submission.objects.get(system_name="System 1")
    assert submission.status == "published" and submission.provenance == "imported_unverified"
    assert submission.published_at.date().isoformat() == "2024-11-18"
    assert Run.objects.filter(submission=submission).count() == 5
    (event,) = StatusEvent.objects.filter(submission=submission)
    assert event.to_status == "published" and SOURCE in event.reason and event.actor.username == "admin"


def test_it_shows_an_imported_entry_as_unverified_with_its_source_rows(imported, client) -> None:
    imported(runs("1"))
    submission = Submission.objects.get()
    page = client.get(reverse("submissions:detail", args=[submission.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Imported, unverified" in html and SOURCE in html
    download = client.get(reverse("submissions:bundle", args=[submission.pk]))
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert [r["seed"] for r in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["system_name"] == "System 1"


def test_it_imports_the_same_table_once(imported) -> None:
    imported(runs("1"))
    again = imported(runs("1"))
    assert "unchanged 1" in again and "imported 0 entries, 1 already imported" in again
    assert Submission.objects.count() == 1


def test_it_refuses_changed_figures_for_an_entry_already_imported(imported) -> None:
    imported(runs("1"))
    with pytest.raises(CommandError) as error:
        imported(runs("1", time_to_train_s=1000) + runs("2"))
    assert "entry '1': imported before from this source" in str(error.value)
    assert Submission.objects.count() == 1  # entry 2, though new and good, waits too


def test_it_lists_every_problem_with_its_line_and_imports_nothing(imported) -> None:
    rows = [
        *runs("1"),
        row("2", benchmark="speech"),
        row("3", level="hardware-ish"),
        row("4", availability="soon"),
        row("5", published_on="18/11/2024"),
        row("6", time_to_train_s="-5"),
        row("7", achieved_quality="nan"),
        row("8", converged="maybe"),
        row("9", achieved_quality=0.5),  # "converged" yet below target
        row("1", system_name="Another name"),  # contradicts entry 1's first row
        row("10", published_on="2999-01-01"),
    ]
    with pytest.raises(CommandError) as error:
        imported(rows)
    message = str(error.value)
    assert "nothing imported" in message
    for expected in (
        "line 7: suite/benchmark: hpc-ai500/speech is not in the catalogue",
        "line 8: level: 'hardware-ish' is not a level",
        "line 9: availability: 'soon' is not one of available, preview, research",
        "line 10: published_on: '18/11/2024' is not a date",
        "line 11: time_to_train_s: must be above 0",
        "line 12: achieved_quality: 'nan' is not a finite number",
        "line 13: converged: 'maybe' is not true or false",
        "line 14: converged: true, but achieved_quality 0.5 misses the target 0.763",
        "line 15: system_name: 'Another name' differs from the entry's first row",
        "line 16: published_on: 2999-01-01 is in the future",
    ):
        assert expected in message
    assert Submission.objects.count() == 0


def test_it_refuses_a_table_with_missing_or_unknown_columns(imported, tmp_path) -> None:
    header = [name for name in HEADER if name != "samples_processed"] + ["vflops"]
    with pytest.raises(CommandError) as error:
        run_import(table(tmp_path, runs("1"), header=header))
    assert "missing column(s) samples_processed" in str(error.value)
    assert "unknown column(s) 'vflops'" in str(error.value)


def test_it_needs_per_sample_flops_where_the_model_may_change(imported) -> None:
    with pytest.raises(CommandError) as error:
        imported(runs("1", level="free"))
    assert "per_sample_training_flops: required at the free level" in str(error.value)


def test_it_needs_time_to_quality_on_an_aibench_board(imported) -> None:
    aibench = {"suite": "aibench-training", "achieved_quality": 0.75}
    with pytest.raises(CommandError) as error:
        imported(runs("1", count=3, **aibench))
    assert "time_to_quality_s: required for a converged run" in str(error.value)


def board_rows(api_client, **params: str) -> list[dict[str, object]]:
    url = reverse("api-leaderboard", args=["hpc-ai500", "image-classification", "system"])
    return api_client.get(url, params).json()["results"]


def test_it_ranks_an_entry_that_reports_fewer_runs_with_those_runs(imported, api_client, capsys) -> None:
    imported(runs("1", count=2))
    assert "2 run(s) reported, 5 required; it is ranked with the runs reported" in capsys.readouterr().err
    (result,) = board_rows(api_client)
    assert result["rank"] == 1 and result["runs_total"] == 2
    assert result["score"] == pytest.approx(FLOPS_3600)
    # Two runs say nothing of the spread the benchmark's five would show.
    assert (result["score_min"], result["score_max"], result["score_cv"]) == (None, None, None)


def single_run_list() -> list[dict[str, object]]:
    """A published list as HPC AI500's: one run per entry, in the source's (score) order."""
    times = {"1": 900, "2": 1800, "3": 2700, "4": 3600}
    return [row(entry, time_to_train_s=time_s, seed="") for entry, time_s in times.items()]


def test_it_ranks_a_published_single_run_list_in_the_source_order(imported, api_client, client) -> None:
    imported(single_run_list())
    rows = board_rows(api_client)
    assert [r["system_name"] for r in rows] == ["System 1", "System 2", "System 3", "System 4"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert all(r["runs_total"] == 1 and r["score_cv"] is None for r in rows)
    assert all(r["provenance"] == "imported_unverified" for r in rows)
    page = client.get(reverse("ranking:leaderboard", args=["hpc-ai500", "image-classification", "system"]))
    html = page.content.decode()
    assert html.count("1 run reported") == 4 and html.count("spread unknown") == 4
    assert "Imported, unverified" in html


def test_it_can_rank_reported_entries_after_full_results(
    imported, api_client, hpc_ic, django_capture_on_commit_callbacks
) -> None:
    # Entry 5 reports all five runs but is slower than every single-run entry.
    imported(single_run_list() + runs("5", time_to_train_s=7200))
    assert [r["system_name"] for r in board_rows(api_client)][-1] == "System 5"
    hpc_ic.reported_results = "after_others"
    hpc_ic.save(update_fields=["reported_results"])
    level = Level.objects.get(slug="system")
    with django_capture_on_commit_callbacks(execute=True):
        leaderboard_recompute(benchmark_id=hpc_ic.pk, level_id=level.pk, profile="full")
    names = [r["system_name"] for r in board_rows(api_client)]
    assert names == ["System 5", "System 1", "System 2", "System 3", "System 4"]


def test_the_board_as_of_a_date_holds_what_was_published_by_then(imported, api_client) -> None:
    imported([row("1", published_on="2021-06-30", seed=""), row("2", published_on="2024-11-18", seed="")])
    assert [r["system_name"] for r in board_rows(api_client, as_of="2021-06-29")] == []
    assert [r["system_name"] for r in board_rows(api_client, as_of="2021-06-30")] == ["System 1"]
    assert [(r["system_name"], r["rank"]) for r in board_rows(api_client, as_of="2024-12-01")] == [
        ("System 1", 1),
        ("System 2", 2),
    ]


def test_it_refuses_one_run_repeated_as_five(imported) -> None:
    with pytest.raises(CommandError) as error:
        imported([row("1", seed=seed) for seed in range(1, 6)])
    message = str(error.value)
    assert (
        "lines 2, 3, 4, 5, 6 report the same time, quality and samples; one run repeated is one run"
        in message
    )
    assert Submission.objects.count() == 0


def test_a_dry_run_checks_and_stores_nothing(imported) -> None:
    output = imported(runs("1"), "--dry-run")
    assert "would import 1 entry" in output
    assert Submission.objects.count() == 0


def test_only_a_staff_user_may_import(tmp_path, owner) -> None:
    with pytest.raises(CommandError, match="not an active staff user"):
        run_import(table(tmp_path, runs("1")), user="owner")
    assert Submission.objects.count() == 0


def test_it_refuses_a_file_that_is_not_utf8(tmp_path, admin) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\n1,hpc-ai500,\xe9\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        run_import(path)
