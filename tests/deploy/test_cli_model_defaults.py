"""`benchcouncil model-submit`'s job when the command line names none: the spec file's, the
environment's, or with the smoke profile the default smoke job; else exit 2 naming what is missing."""

from __future__ import annotations

import io
import json
import shlex

import pytest

from benchcouncil import cli
from benchcouncil.client.errors import USAGE, UsageError
from benchcouncil.client.models import SMOKE_DEFAULT, model_request
from catalogue import get_catalogue
from tests.support.doc_commands import block_with

ENV = {
    "BENCHCOUNCIL_SUITE": "hpc-ai500",
    "BENCHCOUNCIL_BENCHMARK": "extreme-weather",
    "BENCHCOUNCIL_LEVEL": "free",
}
NOTE = (
    "using --suite aibench-training --benchmark learning-to-rank --level hardware "
    "(default for --profile smoke)"
)


def job(request: dict) -> tuple:
    return request.get("suite"), request.get("benchmark"), request.get("level")


def request_of(overrides: dict, environ: dict, spec=None) -> tuple[dict, list[str]]:
    notes: list[str] = []
    return model_request(spec, overrides, None, environ=environ, on_note=notes.append), notes


def test_it_takes_the_job_from_the_environment_when_the_command_line_names_none():
    request, notes = request_of({"profile": "smoke"}, ENV)
    assert job(request) == ("hpc-ai500", "extreme-weather", "free") and request["profile"] == "smoke"
    assert notes == []


def test_options_come_before_the_spec_file_and_the_spec_file_before_the_environment(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"benchmark": "image-classification", "level": "system"}))
    request, _ = request_of({"level": "hardware"}, ENV, spec)
    assert job(request) == ("hpc-ai500", "image-classification", "hardware")


def test_the_smoke_profile_alone_runs_the_default_smoke_job_and_says_so():
    request, notes = request_of({"profile": "smoke"}, {})
    assert job(request) == ("aibench-training", "learning-to-rank", "hardware")
    assert request["profile"] == "smoke"
    assert notes == [NOTE]


def test_a_smoke_profile_from_the_spec_file_gets_the_default_too(tmp_path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"profile": "smoke", "hyperparameters": {"seed": 3}}))
    request, notes = request_of({}, {}, spec)
    assert job(request) == tuple(SMOKE_DEFAULT.values()) and request["hyperparameters"] == {"seed": 3}
    assert notes == [NOTE]


def test_the_default_smoke_job_is_in_the_catalogue():
    catalogue = get_catalogue()
    assert catalogue.benchmark(SMOKE_DEFAULT["suite"], SMOKE_DEFAULT["benchmark"]) is not None
    assert SMOKE_DEFAULT["level"] in catalogue.suites[SMOKE_DEFAULT["suite"]].levels


def test_half_a_job_is_not_completed_from_the_default():
    with pytest.raises(UsageError) as raised:
        request_of({"profile": "smoke", "level": "system"}, {"BENCHCOUNCIL_SUITE": "hpc-ai500"})
    assert str(raised.value) == (
        "missing benchmark: give --benchmark, set BENCHCOUNCIL_BENCHMARK or put them in the spec file"
    )


def test_without_the_smoke_profile_it_exits_2_naming_the_options_and_variables(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    out, err = io.StringIO(), io.StringIO()
    assert cli.main(["model-submit", "--profile", "full", "--wait"], stdout=out, stderr=err) == USAGE
    assert err.getvalue() == (
        "error: missing suite, benchmark, level: give --suite, --benchmark, --level, set BENCHCOUNCIL_SUITE, "
        "BENCHCOUNCIL_BENCHMARK, BENCHCOUNCIL_LEVEL or put them in the spec file; --profile smoke alone runs "
        "--suite aibench-training --benchmark learning-to-rank --level hardware\n"
    )
    assert out.getvalue() == ""


def test_the_readmes_two_forms_ask_for_the_same_job(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    short = block_with("README.md", "model-submit --profile smoke --wait")
    named = block_with("README.md", "model-submit \\\n")
    asked, said = [], []
    for command in (short, named):
        argv = shlex.split(command.replace("\\\n", " "))  # a line continued, as bash reads it
        assert argv[:2] == ["BENCHCOUNCIL_TOKEN=$TOKEN", ".venv/bin/benchcouncil"]
        err = io.StringIO()
        asked.append(cli.model_request(cli._parser().parse_args(argv[2:]), err))
        said.append(err.getvalue())
    assert asked[0] == asked[1] == {**SMOKE_DEFAULT, "profile": "smoke"}
    assert said == [NOTE + "\n", ""]
