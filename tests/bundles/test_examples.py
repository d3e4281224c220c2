"""The committed example bundles validate as examples/README.md says, and are up to date."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# file -> (valid, error codes, warning codes), as examples/README.md documents them
EXPECTED = {
    "hpc-ai500-image-classification-system.tar.gz": (True, set(), {"rules.not_converged"}),
    "hpc-ai500-extreme-weather-free.tar.gz": (True, set(), set()),
    "aibench-image-classification-hardware.tar.gz": (True, set(), set()),
    "invalid-hardware-changed-lr-duplicate-seed.tar.gz": (
        False,
        {"rules.hyperparameter_differs", "rules.duplicate_seed", "rules.duplicate_run"},
        set(),
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_it_validates_each_example_as_documented(factory, name):
    data = (EXAMPLES / name).read_bytes()
    assert len(data) < 200_000
    report = factory.check(data, name)
    valid, errors, warnings = EXPECTED[name]
    assert (report.valid, factory.codes(report), factory.codes(report, "warning")) == (
        valid,
        errors,
        warnings,
    )
    assert name in (EXAMPLES / "README.md").read_text()


def test_it_matches_the_documented_shape_of_each_example(factory):
    system = factory.check((EXAMPLES / "hpc-ai500-image-classification-system.tar.gz").read_bytes())
    assert (system.suite, system.benchmark, system.level) == ("hpc-ai500", "image-classification", "system")
    assert system.system is not None
    assert (system.system["number_of_nodes"], system.system["accelerators_per_node"]) == (8, 8)
    assert [r.converged for r in system.runs] == [True, True, True, False, True]
    free = factory.check((EXAMPLES / "hpc-ai500-extreme-weather-free.tar.gz").read_bytes())
    assert free.level == "free" and len(free.runs) == 5
    assert {r.per_sample_flops for r in free.runs} == {2.1e11}
    hardware = factory.check((EXAMPLES / "aibench-image-classification-hardware.tar.gz").read_bytes())
    assert hardware.level == "hardware" and len(hardware.runs) == 3


def test_it_regenerates_the_committed_examples_byte_for_byte(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_examples", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for name in EXPECTED:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), (
            f"rerun make_examples.py: {name}"
        )


def test_it_states_the_figures_the_service_reports(factory):
    """The README's numbers are the validator's, which are the service's."""
    readme = (EXAMPLES / "README.md").read_text()
    system = factory.check((EXAMPLES / "hpc-ai500-image-classification-system.tar.gz").read_bytes())
    run_4 = system.runs[3]
    assert f"run 4 reaches {run_4.achieved_quality:.4f} top-1" in readme
    assert f"after {run_4.epochs_completed} epochs" in readme
    free = factory.check((EXAMPLES / "hpc-ai500-extreme-weather-free.tar.gz").read_bytes())
    epochs = [r.epochs_completed for r in free.runs]
    assert f"within {min(epochs)}-{max(epochs)} of the allowed" in readme
    hardware = factory.check((EXAMPLES / "aibench-image-classification-hardware.tar.gz").read_bytes())
    assert {r.epochs_completed for r in hardware.runs} == {64} and "at epoch 64" in readme
    hours = {f"{r.time_to_train_s / 3600:.1f}" for r in hardware.runs}
    assert hours == {"8.4"} and "about 8.4 hours" in readme
