from __future__ import annotations

from pathlib import Path

import pytest
import torch

from catalogue import Catalogue
from runners.harness.config import validate_config
from runners.harness.hyperparameters import build_optimizer, learning_rate_factor
from runners.job_request import check_job_request
from runners.level_rules import OPTIMIZERS, SCHEDULES

pytestmark = pytest.mark.torch

BASE = {"suite": "hpc-ai500", "benchmark": "image-classification", "profile": "smoke"}


def test_it_accepts_the_reference_at_hardware_level(catalogue: Catalogue) -> None:
    config, errors = validate_config({**BASE, "level": "hardware"}, catalogue)
    assert errors == []
    assert config is not None
    assert config.run_count(catalogue.benchmark("hpc-ai500", "image-classification")) == 5


def test_it_refuses_overrides_at_hardware_level(catalogue: Catalogue) -> None:
    raw = {**BASE, "level": "hardware", "hyperparameters": {"opt_base_learning_rate": 0.2}}
    config, errors = validate_config(raw, catalogue)
    assert config is None
    assert errors == [
        "hyperparameters.opt_base_learning_rate: the hardware level runs the reference hyper-parameters "
        "(opt_base_learning_rate = 0.1); choose the system or free level to change them"
    ]


def test_it_allows_only_tunable_keys_at_system_level(catalogue: Catalogue) -> None:
    ok, errors = validate_config(
        {**BASE, "level": "system", "hyperparameters": {"global_batch_size": 64}}, catalogue
    )
    assert errors == [] and ok is not None and ok.hyperparameters == {"global_batch_size": 64}
    raw = {**BASE, "level": "system", "hyperparameters": {"opt_learning_rate_decay_factor": 0.5}}
    _, errors = validate_config(raw, catalogue)
    assert errors == [
        "hyperparameters.opt_learning_rate_decay_factor: the system level may set only global_batch_size, "
        "opt_name, opt_base_learning_rate, opt_momentum, opt_weight_decay, opt_learning_rate_warmup_epochs, "
        "opt_learning_rate_decay_boundary_epochs, opt_learning_rate_schedule, precision"
    ]


def test_it_checks_hyperparameter_values(catalogue: Catalogue) -> None:
    raw = {**BASE, "level": "system", "hyperparameters": {"global_batch_size": 0, "opt_name": "lamb"}}
    _, errors = validate_config(raw, catalogue)
    assert errors == [
        "hyperparameters.global_batch_size: 0 is not a positive integer",
        "hyperparameters.opt_name: 'lamb' is not one of sgd, adam, adamw",
    ]


def test_it_lets_only_the_free_level_change_the_model(catalogue: Catalogue, tmp_path: Path) -> None:
    _, errors = validate_config({**BASE, "level": "system", "model": "resnet18"}, catalogue)
    assert errors == [
        "model: the system level trains the reference model (ResNet-50 v1.5); "
        "only the free level may change it"
    ]
    config, errors = validate_config({**BASE, "level": "free", "model": "resnet18"}, catalogue)
    assert errors == [] and config is not None and config.model == "resnet18"
    _, errors = validate_config({**BASE, "level": "free", "model": "caser"}, catalogue)
    assert errors == [
        "model: 'caser' is not a registered model for hpc-ai500/image-classification; "
        "known: resnet18, resnet34, resnet50, resnet101"
    ]
    code = tmp_path / "model.py"
    code.write_text("def build_model(num_classes, in_channels): ...\n")
    _, errors = validate_config(
        {**BASE, "level": "free", "model_code": str(code), "model": "resnet18"}, catalogue
    )
    assert errors == ["model: name a registered model or send model code, not both"]
    _, errors = validate_config(
        {**BASE, "level": "free", "model_code": str(tmp_path / "absent.py")}, catalogue
    )
    assert errors == [f"model_code: {str(tmp_path / 'absent.py')!r} is not a readable file"]


def test_it_checks_runs_seeds_and_profile(catalogue: Catalogue, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BENCHCOUNCIL_DATA_ROOT", raising=False)
    _, errors = validate_config({**BASE, "level": "hardware", "seeds": [1, 1]}, catalogue)
    assert errors == ["seeds must differ between runs"]
    raw = {**BASE, "level": "hardware", "profile": "full", "runs": 2, "max_epochs": 3}
    _, errors = validate_config(raw, catalogue)
    assert "hpc-ai500/image-classification needs at least 5 runs, not 2" in errors
    assert "max_epochs: only the smoke profile may cut epochs; full runs the catalogue's" in errors
    assert any("needs data_root" in e for e in errors)
    _, errors = validate_config({**BASE, "level": "hardware", "max_epochs": 91}, catalogue)
    assert errors == ["max_epochs: must be a whole number of epochs up to 90"]


def test_it_rejects_unknown_fields_benchmarks_and_levels(catalogue: Catalogue) -> None:
    assert validate_config({**BASE, "level": "hardware", "gpus": 8}, catalogue)[1] == ["unknown field 'gpus'"]
    _, errors = validate_config({**BASE, "benchmark": "nope", "level": "hardware"}, catalogue)
    assert errors == ["benchmark: 'nope' is not in hpc-ai500; known: image-classification, extreme-weather"]
    _, errors = validate_config({**BASE, "level": "platinum"}, catalogue)
    assert errors == ["level: 'platinum' is not a level of hpc-ai500; known: hardware, system, free"]
    _, errors = validate_config({**BASE, "level": "hardware", "device": "tpu"}, catalogue)
    assert errors == ["device must be one of ['auto', 'cpu', 'cuda'], not 'tpu'"]


# The web tier's check before queueing and the harness's on the runner apply one set of level
# rules (runners.level_rules): a configuration gets the same answer, word for word, from both.
# (request, how many errors both give)
SAME_ANSWER = [
    ({"level": "hardware", "hyperparameters": {"global_batch_size": 512, "precision": "bf16"}}, 2),
    ({"level": "system", "hyperparameters": {"opt_learning_rate_decay_factor": 0.5}}, 1),
    ({"level": "system", "hyperparameters": {"opt_momentum": 1.0, "opt_learning_rate_schedule": "poly"}}, 2),
    ({"level": "free", "hyperparameters": {"dropout": 0.1, "opt_weight_decay": -1}}, 2),
    ({"level": "system", "model": "resnet18"}, 1),
    ({"level": "free", "model": "fasterrcnn_resnet50_fpn"}, 1),
    ({"level": "free", "max_epochs": 91}, 1),
    ({"level": "free", "model": "resnet34", "hyperparameters": {"opt_name": "adamw"}}, 0),
    # Several rules broken at once: the same messages in the same order.
    ({"level": "system", "model": "resnet18", "max_epochs": 91, "nodes": 0}, 3),
    ({"level": "hardware", "profile": "quick", "hyperparameters": {"precision": "bf16"}}, 2),
]


@pytest.mark.parametrize(("request_", "count"), SAME_ANSWER)
def test_it_answers_as_the_web_tier_does(catalogue: Catalogue, request_: dict, count: int) -> None:
    raw = {"suite": "hpc-ai500", "benchmark": "image-classification", **request_}
    web_spec, web_errors = check_job_request(raw, catalogue)
    config, errors = validate_config(raw, catalogue)

    assert len(errors) == count
    assert errors == web_errors
    assert (config is None) == (web_spec is None) == (count > 0)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_it_builds_every_optimizer_a_job_may_name(name: str) -> None:
    hp = {"opt_name": name, "opt_base_learning_rate": 0.1, "opt_momentum": 0.9}
    optimizer = build_optimizer(torch.nn.Linear(2, 1).parameters(), hp)

    assert type(optimizer).__name__.lower() == name
    assert optimizer.param_groups[0]["lr"] == 0.1


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_it_applies_every_schedule_a_job_may_name(schedule: str) -> None:
    hp = {"opt_learning_rate_schedule": schedule, "opt_learning_rate_decay_boundary_epochs": [5]}

    assert learning_rate_factor(hp, 0.0, 10) == 1.0
    # A schedule added to runners.level_rules needs its expectation here, and the harness to apply it.
    expected = {"step": 0.1, "constant": 1.0, "cosine": pytest.approx(0.02447, abs=1e-5)}[schedule]
    assert learning_rate_factor(hp, 9.0, 10) == expected
