"""A finding about a hyper-parameter (or another run-wide value) names the log line of the MLLOG
event that states it, as `logs/run_1.log:7` and "logs/run_1.log line 7: ..."."""

from __future__ import annotations

import json


def line_of(files: dict[str, bytes], log: str, key: str) -> int:
    """The number of the line of `log` whose MLLOG event has `key`, counted from 1."""
    lines = files[log].decode().splitlines()
    (number,) = [n for n, line in enumerate(lines, 1) if f'"key": "{key}"' in line]
    return number


def with_hyperparameters(factory, bench, *orders: dict) -> dict[str, bytes]:
    runs = factory.runs(bench)
    for run, hyper in zip(runs, orders, strict=False):
        run.hyperparameters = hyper
    for run in runs[len(orders) :]:
        run.hyperparameters = orders[0]
    return factory.files(runs=runs)


def findings_of(factory, files: dict[str, bytes], code: str):
    report = factory.check(factory.tar(files))
    return {f.location.split(":", 1)[0]: f for f in report.findings if f.code == code}


def assert_on_line(
    factory, files: dict[str, bytes], code: str, key: str, rest: str, log: str = "logs/run_1.log"
):
    """`log`'s `code` finding points at the line that logs `key` and reads "LOG line N: REST"."""
    finding = findings_of(factory, files, code)[log]
    line = line_of(files, log, key)
    assert finding.location == f"{log}:{line}"
    assert finding.message == f"{log} line {line}: {rest}"


def test_a_wrong_hyperparameter_is_found_on_the_line_that_logs_it(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    wrong = {**bench.reference_hyperparameters, "opt_base_learning_rate": 0.2}
    # Run 2 logs it last: the line is the event's, not a position the rule assumes.
    last = {
        **{k: v for k, v in wrong.items() if k != "opt_base_learning_rate"},
        "opt_base_learning_rate": 0.2,
    }
    files = with_hyperparameters(factory, bench, wrong, last)
    rest = "opt_base_learning_rate is 0.2; the hardware level fixes it at 0.1"
    for log in ("logs/run_1.log", "logs/run_2.log"):
        assert_on_line(factory, files, "rules.hyperparameter_differs", "opt_base_learning_rate", rest, log)
    assert line_of(files, "logs/run_1.log", "opt_base_learning_rate") != line_of(
        files, "logs/run_2.log", "opt_base_learning_rate"
    )


def test_an_mlperf_name_is_found_on_its_own_line(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    hyper = dict(bench.reference_hyperparameters)
    del hyper["opt_base_learning_rate"]
    files = with_hyperparameters(factory, bench, {**hyper, "sgd_opt_base_learning_rate": 0.3})
    rest = "opt_base_learning_rate is 0.3; the hardware level fixes it at 0.1"
    assert_on_line(factory, files, "rules.hyperparameter_differs", "sgd_opt_base_learning_rate", rest)


def test_two_names_that_disagree_point_at_both_lines(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    hyper = {**bench.reference_hyperparameters, "sgd_opt_base_learning_rate": None}
    files = with_hyperparameters(factory, bench, hyper)
    finding = findings_of(factory, files, "log.conflicting_value")["logs/run_1.log"]
    ours, theirs = (
        line_of(files, "logs/run_1.log", k) for k in ("opt_base_learning_rate", "sgd_opt_base_learning_rate")
    )
    assert finding.location == f"logs/run_1.log:{theirs}"
    assert finding.message == (
        f"logs/run_1.log line {theirs}: sgd_opt_base_learning_rate is null but opt_base_learning_rate "
        f"is 0.1 (line {ours}); both name the catalogue's opt_base_learning_rate"
    )


def test_a_log_that_disagrees_with_hyperparameters_json_is_found_on_its_line(factory):
    files = factory.files(**{"hyperparameters.json": b'{"opt_base_learning_rate": 0.4}'})
    rest = "opt_base_learning_rate is 0.1 in the log but 0.4 in hyperparameters.json"
    assert_on_line(factory, files, "rules.hyperparameters_disagree", "opt_base_learning_rate", rest)


def test_a_value_only_hyperparameters_json_states_points_there(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    hyper = dict(bench.reference_hyperparameters)
    del hyper["opt_momentum"]
    runs = factory.runs(bench, hyperparameters=hyper)
    files = factory.files(runs=runs, **{"hyperparameters.json": json.dumps({"opt_momentum": 0.8}).encode()})
    report = factory.check(factory.tar(files))
    (differs, *_) = [f for f in report.findings if f.code == "rules.hyperparameter_differs"]
    assert differs.location == "hyperparameters.json:$.opt_momentum"
    assert differs.message == (
        "logs/run_1.log (hyperparameters.json): opt_momentum is 0.8; the hardware level fixes it at 0.9"
    )


def test_a_bad_batch_size_is_found_on_its_line(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    files = with_hyperparameters(factory, bench, {**bench.reference_hyperparameters, "global_batch_size": 0})
    rest = "global_batch_size is 0; it must be an integer of at least 1 and at most 2147483647"
    assert_on_line(factory, files, "log.bad_value", "global_batch_size", rest)
