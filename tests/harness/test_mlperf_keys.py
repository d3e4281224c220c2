"""The keys MLPerf's checker asks of a run, and the checker's verdict on a log that lacks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from catalogue import Catalogue
from runners.harness.compliance import benchmark_ruleset, check_log, installed_rulesets, newest_ruleset
from runners.harness.mllogging import RunLog
from runners.harness.mlperf_keys import CLOSED, OPEN, Shape, division, setup_keys

pytestmark = pytest.mark.torch


def _reference(catalogue: Catalogue) -> dict:
    benchmark = catalogue.benchmark("hpc-ai500", "image-classification")
    assert benchmark is not None
    return dict(benchmark.reference_hyperparameters)


def test_it_logs_the_closed_division_for_the_reference_configuration_only(catalogue: Catalogue) -> None:
    ref = _reference(catalogue)
    assert division(level="hardware", profile="full", hp=ref, reference=ref) == CLOSED
    assert division(level="hardware", profile="smoke", hp=ref, reference=ref) == OPEN
    assert division(level="system", profile="full", hp=ref, reference=ref) == OPEN
    tuned = {**ref, "opt_base_learning_rate": 0.2}
    assert division(level="hardware", profile="full", hp=tuned, reference=ref) == OPEN


def test_it_states_the_reference_schedule_in_mlperfs_sgd_keys(catalogue: Catalogue) -> None:
    # ImageNet on 8 GPUs at the reference batch 256: 32 per process, 5005 steps per epoch.
    keys = setup_keys(_reference(catalogue), Shape(8, 1281167, 90, "cuda"))
    assert keys["sgd_opt_base_learning_rate"] == 0.1
    assert keys["sgd_opt_end_learning_rate"] == 0.0001  # 0.1 after three decays by 0.1
    assert keys["sgd_opt_learning_rate_decay_steps"] == [30 * 5005, 60 * 5005, 80 * 5005]
    assert keys["sgd_opt_learning_rate_decay_poly_power"] is None  # a step schedule, not polynomial
    assert (keys["sgd_opt_weight_decay"], keys["sgd_opt_momentum"]) == (0.0001, 0.9)
    assert keys["micro_batch_size"] == keys["model_bn_span"] == 32
    assert keys["gradient_accumulation_steps"] == 1 and keys["opt_learning_rate_warmup_epochs"] == 0
    assert keys["lowest_numerical_precision_in_linear"] == "tf32"  # PyTorch's fp32 convolutions on GPUs
    on_cpu = setup_keys({**_reference(catalogue), "precision": "bf16"}, Shape(1, 512, 3, "cpu"))
    assert on_cpu["lowest_numerical_precision_in_linear"] == "bfloat16"
    assert on_cpu["sgd_opt_learning_rate_decay_steps"] == [60, 120, 160]  # 2 steps per epoch


def test_it_checks_resnet_on_the_newest_ruleset_that_has_it() -> None:
    versions = installed_rulesets()
    assert benchmark_ruleset("resnet") == "4.0.0" and newest_ruleset() == versions[-1] != "4.0.0"
    assert benchmark_ruleset("learning_to_rank") is None


def test_the_checker_fails_a_log_without_the_submission_keys(tmp_path: Path) -> None:
    path = tmp_path / "run_1.log"
    log = RunLog(path)
    log.event("submission_benchmark", "resnet")
    log.start("run_start")
    log.end("run_stop", status="success")
    log.close()
    common, own = check_log(path)
    assert (common.ruleset, common.scope, own.ruleset, own.scope) == (
        newest_ruleset(),
        "common",
        "4.0.0",
        "benchmark",
    )
    assert not common.passed and not own.passed
    said = "\n".join(own.messages)
    for key in ("submission_org", "submission_division", "cache_clear", "init_start", "eval_accuracy"):
        assert key in said, key
    with pytest.raises(ValueError, match="division"):
        check_log(path, division="mixed")
