"""MLPerf Training conventions: no event_type, block_* epochs, no seed, MLPerf's names."""

from __future__ import annotations

import json

from catalogue import get_catalogue
from submissions.bundles.mllog import parse_log
from submissions.bundles.report import BundleReport
from submissions.bundles.runs import Target, derive_run


def bare(key: str, value: object = None, *, time_ms: int, **metadata: object) -> str:
    """An event as some submitters write it: no event_type."""
    return ":::MLLOG " + json.dumps(
        {"namespace": "main", "time_ms": time_ms, "key": key, "value": value, "metadata": metadata}
    )


def block_log(
    *, seed: int | None = None, first: float = 0.0, shift_ms: int = 0, tail_ms: int = 500, **extra: object
) -> str:
    """Three 4-epoch blocks numbered as TPU logs number them: 0, 3, 7 (the first two overlap)."""
    t = 1_620_000_000_000 + shift_ms
    lines = [
        bare("submission_benchmark", "resnet", time_ms=0),
        bare("global_batch_size", 8192, time_ms=t),
        bare("train_samples", 100, time_ms=t),
        bare("opt_name", "lars", time_ms=t),
        bare("lars_opt_base_learning_rate", 17.0, time_ms=t),
        bare("lars_opt_momentum", 0.9, time_ms=t),
        *[bare(k, v, time_ms=t) for k, v in extra.items()],
        bare("run_start", time_ms=t + 1000),
    ]
    if seed is not None:
        lines.insert(1, bare("seed", seed, time_ms=t))
    for i, start in enumerate((first, first + 3, first + 7)):
        stop = t + 1000 + (i + 1) * 60_000
        lines.append(bare("block_start", time_ms=stop - 60_000, first_epoch_num=start, epoch_count=4))
        lines.append(bare("eval_accuracy", 0.5 + 0.1 * i, time_ms=stop, epoch_num=start + 3))
        lines.append(bare("block_stop", time_ms=stop, first_epoch_num=start, epoch_count=4))
    lines.append(bare("run_stop", time_ms=t + 181_000 + tail_ms, status="success"))
    return "\n".join(lines) + "\n"


def derive(text: str, target: Target | None = None):
    log = parse_log("result_0.txt", text.encode(), 10_000)
    return log, derive_run(log, target or Target(quality=0.7, per_sample_flops=10.0), {})


def test_it_reads_events_without_event_type_as_mlperf_logging_does():
    log, facts = derive(block_log(seed=1))
    assert log.findings == [] and facts.findings == []
    kinds = {e.key: e.event_type for e in log.events}
    assert kinds["run_start"] == "INTERVAL_START" and kinds["block_stop"] == "INTERVAL_END"
    assert kinds["eval_accuracy"] == "POINT_IN_TIME"
    assert facts.report.time_to_train_s == 180.5
    assert facts.report.status == "success"


def test_it_counts_each_epoch_a_block_covers_once():
    # Blocks 0-3, 3-6 and 7-10: epochs 0 to 10, eleven of them; epoch 3 is not counted twice.
    _, facts = derive(block_log(seed=1))
    assert facts.report.epochs_completed == 11
    assert facts.report.samples_processed == 11 * 100
    assert facts.report.total_flops == 11 * 100 * 10.0
    assert [p["epoch"] for p in facts.report.curve] == [3.0, 6.0, 10.0]
    assert facts.report.time_to_quality_s == 180.0  # 0.7 at the third eval


def test_it_counts_blocks_numbered_from_one_the_same_way():
    _, facts = derive(block_log(seed=1, first=1.0))
    assert facts.report.epochs_completed == 11


def test_it_prefers_a_logged_samples_count_to_train_samples_times_epochs():
    text = block_log(seed=1)
    last = [line for line in text.splitlines() if '"block_stop"' in line][-1]
    counted = last.replace('"epoch_count": 4}', '"epoch_count": 4, "samples_count": 1234}')
    _, facts = derive(text.replace(last, counted))
    assert facts.report.samples_processed == 1234


def test_it_reports_a_block_that_says_nothing_of_its_epochs():
    text = block_log(seed=1).replace('"first_epoch_num": 7.0, "epoch_count": 4}', "}")
    _, facts = derive(text)
    bad = [f for f in facts.findings if f.code == "log.bad_value"]
    assert len(bad) == 1 and "block_stop needs metadata.first_epoch_num" in bad[0].message
    assert bad[0].message.endswith("; it has no first_epoch_num and no epoch_count")
    assert facts.report.epochs_completed == 7  # the two blocks that say which epochs they cover


def typed(key: str, value: object = None, *, kind: str, time_ms: int, **metadata: object) -> str:
    event = {"namespace": "resnet", "time_ms": time_ms, "event_type": kind, "key": key, "value": value}
    return ":::MLLOG " + json.dumps({**event, "metadata": metadata})


def typed_run_values(*, time_ms: int, global_batch_size: int) -> list[str]:
    """The run-wide values as POINT_IN_TIME events: benchmark, seed 7, batch, 100 samples an epoch."""
    values = {"submission_benchmark": "resnet", "seed": 7, "global_batch_size": global_batch_size}
    values["train_samples"] = 100
    return [typed(key, value, kind="POINT_IN_TIME", time_ms=time_ms) for key, value in values.items()]


def test_it_reads_one_block_for_the_whole_run_and_a_point_in_time_run_stop():
    # As IPU logs write them: one block_stop at the end with only its first epoch, an eval every
    # 4 epochs, and run_stop as a POINT_IN_TIME whose value is {"success": true}.
    t = 1_623_870_000_000
    lines = [
        *typed_run_values(time_ms=t, global_batch_size=1920),
        typed("run_start", kind="INTERVAL_START", time_ms=t + 1000),
        typed("block_start", kind="INTERVAL_START", time_ms=t + 1000, first_epoch_num=1),
        *[
            typed(
                "eval_accuracy",
                0.5 + epoch / 100,
                kind="POINT_IN_TIME",
                time_ms=t + 1000 + epoch * 1000,
                epoch_num=epoch,
            )
            for epoch in (4, 8, 12)
        ],
        typed("block_stop", kind="INTERVAL_END", time_ms=t + 13_000, first_epoch_num=1),
        typed(
            "run_stop",
            {"success": True},
            kind="POINT_IN_TIME",
            time_ms=t + 13_000,
            epoch_num=12,
            status="success",
        ),
    ]
    _, facts = derive("\n".join(lines) + "\n")
    assert facts.findings == []
    assert facts.report.epochs_completed == 12  # epochs 1 to 12, the last one evaluated
    assert facts.report.samples_processed == 1200
    assert (facts.report.time_to_train_s, facts.report.status) == (12.0, "success")


def test_it_counts_epochs_whose_stop_is_a_point_in_time_event():
    # As composer's MLPerf logs (MosaicML) write them: epoch_start 0, 1, 2 and epoch_stop 1, 2, 3,
    # all POINT_IN_TIME, beside one-epoch block_starts and a block_stop only where it evaluates.
    t = 1_653_030_514_031
    lines = [
        *typed_run_values(time_ms=t, global_batch_size=2048),
        typed("run_start", kind="POINT_IN_TIME", time_ms=t),
    ]
    for epoch in range(3):
        start = t + 1000 + epoch * 40_000
        lines.append(typed("epoch_start", kind="POINT_IN_TIME", time_ms=start, epoch_num=epoch))
        lines.append(
            typed("block_start", kind="POINT_IN_TIME", time_ms=start, first_epoch_num=epoch, epoch_count=1)
        )
        lines.append(typed("epoch_stop", kind="POINT_IN_TIME", time_ms=start + 39_000, epoch_num=epoch + 1))
    lines.append(typed("eval_accuracy", 0.76, kind="POINT_IN_TIME", time_ms=t + 121_000, epoch_num=3))
    lines.append(typed("block_stop", kind="POINT_IN_TIME", time_ms=t + 121_000, first_epoch_num=3))
    lines.append(typed("run_stop", kind="POINT_IN_TIME", time_ms=t + 121_000, status="success"))
    _, facts = derive("\n".join(lines) + "\n")
    assert facts.findings == []
    assert (facts.report.epochs_completed, facts.report.samples_processed) == (3, 300)
    assert (facts.report.time_to_train_s, facts.report.status) == (121.0, "success")


def test_it_maps_mlperf_hyperparameter_names_to_the_catalogue_names(factory):
    names = factory.benchmark("hpc-ai500", "image-classification")
    target = Target(
        quality=0.763,
        reference_keys=frozenset(names.reference_hyperparameters),
        mlperf_names=get_catalogue().mlperf_hyperparameter_names,
    )
    _, facts = derive(block_log(seed=1), target)
    stated = facts.report.hyperparameters
    assert stated["opt_base_learning_rate"] == 17.0 and stated["lars_opt_base_learning_rate"] == 17.0
    assert stated["opt_momentum"] == 0.9


def test_it_refuses_two_names_for_one_hyperparameter_that_disagree():
    target = Target(quality=0.7, mlperf_names=get_catalogue().mlperf_hyperparameter_names)
    _, facts = derive(block_log(seed=1, opt_base_learning_rate=0.1), target)
    (conflict,) = [f for f in facts.findings if f.code == "log.conflicting_value"]
    assert "lars_opt_base_learning_rate is 17.0 but opt_base_learning_rate is 0.1" in conflict.message


def bundle_of(factory, logs: list[str], level: str):
    manifest = factory.manifest(suite="hpc-ai500", level=level)
    files = {
        "manifest.json": json.dumps(manifest).encode(),
        "system.json": json.dumps(factory.system()).encode(),
    }
    files.update({f"logs/run_{i}.log": text.encode() for i, text in enumerate(logs, 1)})
    return factory.check(factory.tar(files))


def _real_sized(**kwargs: object) -> str:
    # The catalogue's data set, so that the only findings are the ones under test.
    return block_log(**kwargs).replace('"train_samples", "value": 100', '"train_samples", "value": 1281167')


def _missing_seed(factory, level: str, severity: str) -> tuple[BundleReport, str]:
    """Five logs without a seed at ``level``: each is a finding of ``severity``; the first's message."""
    logs = [_real_sized(tail_ms=500 + i * 7) for i in range(5)]
    report = bundle_of(factory, logs, level)
    seeds = [f for f in report.findings if f.code == "rules.missing_seed"]
    assert [f.severity for f in seeds] == [severity] * 5
    return report, seeds[0].message


def test_a_log_without_seed_is_a_warning_at_the_system_level_and_says_why(factory):
    report, message = _missing_seed(factory, "system", "warning")
    assert message == (
        "logs/run_1.log never logs 'seed', so nothing shows this run is independent of the others but "
        'the duplicate-run checks; the system level accepts it (catalogue setting missing_seed = "warning"), '
        "as some MLPerf submitters' logs state no seed"
    )


def test_a_log_without_seed_blocks_at_the_hardware_level_and_says_why(factory):
    report, message = _missing_seed(factory, "hardware", "error")
    assert message == (
        "logs/run_1.log never logs 'seed'; the hardware level requires one, because distinct seeds are how "
        'runs show they are independent (catalogue setting missing_seed = "error")'
    )
    # MLPerf's names are compared with the reference as the catalogue's: differs, not missing.
    differs = {
        f.message.split(": ", 1)[1] for f in report.findings if f.code == "rules.hyperparameter_differs"
    }
    assert "opt_base_learning_rate is 17.0; the hardware level fixes it at 0.1" in differs
    assert "opt_name is 'lars'; the hardware level fixes it at 'sgd'" in differs
    missing = {f.message for f in report.findings if f.code == "rules.hyperparameter_missing"}
    assert not any("opt_base_learning_rate" in m or "opt_momentum" in m for m in missing)


def test_runs_identical_apart_from_the_seed_are_an_error(factory):
    logs = [_real_sized(seed=seed) for seed in (1, 2, 3, 4, 5)]
    report = bundle_of(factory, logs, "system")
    (duplicate,) = [f for f in report.findings if f.code == "rules.duplicate_run"]
    assert duplicate.severity == "error"
    assert duplicate.message == (
        "logs/run_1.log, logs/run_2.log, logs/run_3.log, logs/run_4.log, logs/run_5.log hold the same events "
        "apart from the seed: one run submitted 5 times is one run"
    )


def test_runs_with_the_same_curve_and_time_are_an_error_even_shifted_in_time(factory):
    # Runs 2 and 4 are run 1 moved by an hour: other timestamps, the same curve and time.
    logs = [
        _real_sized(seed=s, shift_ms=shift, tail_ms=tail)
        for s, shift, tail in (
            (1, 0, 500),
            (2, 3_600_000, 500),
            (3, 11, 507),
            (4, 7_200_000, 500),
            (5, 23, 514),
        )
    ]
    report = bundle_of(factory, logs, "system")
    (duplicate,) = [f for f in report.findings if f.code == "rules.duplicate_run"]
    assert duplicate.message.startswith(
        "logs/run_1.log, logs/run_2.log, logs/run_4.log have the same quality curve"
    )
    assert duplicate.location == "logs/run_2.log"
