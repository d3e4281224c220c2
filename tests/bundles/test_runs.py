"""Per-run figures derived from the logs, against values worked out by hand."""

from __future__ import annotations

import pytest

from submissions.bundles.mllog import parse_log
from submissions.bundles.runs import Target, derive_run


def _free_manifest(factory, flops: float = 2.0e11):
    return factory.manifest(
        suite="hpc-ai500", benchmark="extreme-weather", level="free", per_sample_training_flops=flops
    )


def test_it_derives_the_figures_the_contract_defines(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    t = bench.target_quality
    spec = factory.spec(
        seed=1, qualities=[t - 0.2, t - 0.01, t + 0.001, t + 0.011], samples=[1000, 1000, 1000, 500]
    )
    report = factory.check(
        factory.bundle(
            runs=[
                spec,
                factory.spec(seed=2, qualities=[t]),
                factory.spec(seed=3, qualities=[t], tail_ms=1007),
            ]
        )
    )
    assert report.valid, report.findings
    run = report.runs[0]
    # run_start at T0; epochs end 60 s apart; run_stop 1 s after the 4th epoch.
    assert run.time_to_train_s == 241.0
    assert run.time_to_quality_s == 180.0  # the 3rd eval is the first at or above target
    assert run.achieved_quality == pytest.approx(t + 0.011)  # the last eval, not the best
    assert run.samples_processed == 3500
    assert run.epochs_completed == 4
    assert run.per_sample_flops == bench.per_sample_training_flops
    assert run.total_flops == pytest.approx(bench.per_sample_training_flops * 3500)
    assert (run.run_start_ms, run.run_stop_ms) == (factory.t0_ms, factory.t0_ms + 241_000)
    assert run.seed == 1 and run.status == "success" and run.converged
    assert run.global_batch_size == bench.reference_hyperparameters["global_batch_size"]
    assert run.curve[2] == {"epoch": 3, "time_s": 180.0, "quality": pytest.approx(t + 0.001)}


def test_it_counts_train_samples_per_epoch_by_default(factory):
    report = factory.check(factory.bundle())
    bench = factory.benchmark("aibench-training", "image-classification")
    assert [r.samples_processed for r in report.runs] == [2 * bench.train_samples] * 3


def test_it_uses_the_manifest_flops_where_the_model_may_change(factory):
    bench = factory.benchmark("hpc-ai500", "extreme-weather")
    runs = factory.runs(bench, hyperparameters={"global_batch_size": 64})
    report = factory.check(factory.bundle(manifest=_free_manifest(factory, 2.0e11), runs=runs))
    assert report.valid, report.findings
    assert report.runs[0].per_sample_flops == 2.0e11
    assert report.runs[0].total_flops == pytest.approx(2.0e11 * 2 * bench.train_samples)


def test_it_marks_an_aborted_run_not_converged_even_past_target(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    runs = factory.runs(bench)
    runs[1].status = "aborted"
    report = factory.check(factory.bundle(runs=runs))
    assert report.valid
    assert [r.converged for r in report.runs] == [True, False, True]
    assert report.runs[1].time_to_quality_s == 120.0  # still recorded; the status decides


def _derive(lines: list[str]):
    log = parse_log("logs/run_1.log", "\n".join(lines).encode(), 1000)
    return derive_run(log, Target(quality=0.5, per_sample_flops=10.0), {})


def test_it_reports_missing_keys(factory):
    facts = _derive([factory.mllog("seed", 1, time_ms=0)])
    missing = sorted(f.message.split("'")[1] for f in facts.findings if f.code == "log.missing_key")
    assert missing == [
        "epoch_start",
        "epoch_stop",
        "eval_accuracy",
        "global_batch_size",
        "run_start",
        "run_stop",
        "submission_benchmark",
        "train_samples",
    ]


def test_it_counts_a_repeated_epoch_once(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=1)
    facts = _derive(
        factory.short_run(stop, stop, factory.mllog("eval_accuracy", 0.6, time_ms=2000, epoch_num=1))
    )
    assert [f.code for f in facts.findings] == ["log.duplicate_epoch"]
    assert facts.report.samples_processed == 100
    assert facts.report.total_flops == 1000.0


def test_it_refuses_more_samples_than_the_data_set_holds(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=1, samples=10**9)
    facts = _derive(factory.short_run(stop, factory.mllog("eval_accuracy", 0.6, time_ms=2000, epoch_num=1)))
    assert [f.code for f in facts.findings] == ["log.epoch_samples"]
    assert facts.report.samples_processed == 100


def test_it_ignores_evals_outside_the_run(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=1)
    late = factory.mllog("eval_accuracy", 0.9, time_ms=20_000, epoch_num=2)
    facts = _derive(
        factory.short_run(stop, factory.mllog("eval_accuracy", 0.4, time_ms=2000, epoch_num=1), late)
    )
    assert [f.code for f in facts.findings] == ["log.event_outside_run"]
    assert facts.report.achieved_quality == 0.4
    assert not facts.report.converged


def test_it_rejects_bad_timing_values_and_status(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=0)
    evaluation = factory.mllog("eval_accuracy", "high", time_ms=2000, epoch_num=1)
    facts = _derive(
        factory.short_run(stop, evaluation, factory.mllog("seed", 2, time_ms=1), stop_ms=500, status="done")
    )
    assert sorted(f.code for f in facts.findings) == [
        "log.bad_timing",
        "log.bad_value",
        "log.bad_value",
        "log.bad_value",
        "log.conflicting_value",
        "log.missing_key",  # no valid epoch_stop
    ]
    assert facts.report.time_to_train_s is None
    assert facts.report.status == "aborted"


def test_it_rejects_a_second_run_in_one_log(factory):
    stop = factory.mllog("epoch_stop", time_ms=2000, kind="INTERVAL_END", epoch_num=1)
    again = factory.mllog("run_start", time_ms=3000, kind="INTERVAL_START")
    facts = _derive(
        factory.short_run(stop, factory.mllog("eval_accuracy", 0.6, time_ms=2000, epoch_num=1), again)
    )
    assert [f.code for f in facts.findings] == ["log.duplicate_event"]
