"""The level rules, one test per rule, against the real catalogue (or a copy of it)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from catalogue import Catalogue, get_catalogue


def _with_benchmark(suite: str, slug: str, **changes) -> Catalogue:
    catalogue = get_catalogue()
    bench = replace(catalogue.suites[suite].benchmarks[slug], **changes)
    found = replace(catalogue.suites[suite], benchmarks={**catalogue.suites[suite].benchmarks, slug: bench})
    return replace(catalogue, version="test", suites={**catalogue.suites, suite: found})


def test_it_rejects_unknown_suite_benchmark_level_and_availability(factory):
    cases = {
        "rules.unknown_suite": factory.manifest(suite="mlperf"),
        "rules.unknown_benchmark": factory.manifest(benchmark="speech"),
        "rules.unknown_level": factory.manifest(level="closed"),
        "rules.unknown_availability": factory.manifest(availability="onprem"),
    }
    for code, manifest in cases.items():
        report = factory.check(factory.bundle(manifest=manifest))
        assert factory.codes(report) == {code}, (code, report.findings)
    report = factory.check(factory.bundle(manifest=factory.manifest(level="closed")))
    assert report.errors[0].message == (
        "manifest.json: level 'closed' is not in the catalogue (suite 'aibench-training'); "
        "known: hardware, system, free"
    )


def test_it_rejects_a_log_of_another_benchmark(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    report = factory.check(factory.bundle(runs=factory.runs(bench, benchmark="bert")))
    assert factory.codes(report) == {"rules.benchmark_mismatch"}
    assert "submission_benchmark is 'bert'; aibench-training/image-classification logs 'resnet'" in (
        report.errors[0].message
    )


def test_it_requires_the_catalogue_data_set_for_full_results(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    runs = factory.runs(bench, train_samples=1000)
    report = factory.check(factory.bundle(runs=runs))
    assert factory.codes(report) == {"rules.train_samples"}
    smoke = factory.check(factory.bundle(manifest=factory.manifest(profile="smoke"), runs=runs))
    assert smoke.valid, smoke.findings
    assert factory.codes(smoke, "info") == {"rules.smoke_profile"}


def test_it_rejects_more_epochs_than_the_catalogue_allows(factory):
    bench = factory.benchmark("hpc-ai500", "extreme-weather")
    assert bench.epochs is not None
    manifest = factory.manifest(suite="hpc-ai500", benchmark="extreme-weather", level="system")
    runs = factory.runs(bench, qualities=[0.0] * bench.epochs + [bench.target_quality])
    report = factory.check(factory.bundle(manifest=manifest, runs=runs))
    assert factory.codes(report) == {"rules.too_many_epochs"}
    assert len(report.errors) == bench.required_runs
    runs = factory.runs(bench, qualities=[0.0] * (bench.epochs - 1) + [bench.target_quality])
    assert factory.check(factory.bundle(manifest=manifest, runs=runs)).valid


def test_it_rejects_duplicate_seeds(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    runs = factory.runs(bench)
    runs[2].seed = runs[0].seed
    report = factory.check(factory.bundle(runs=runs))
    [finding] = report.errors
    assert finding.code == "rules.duplicate_seed"
    assert (
        finding.message == "seed 100 is used by logs/run_1.log, logs/run_3.log; every run needs its own seed"
    )


def test_it_requires_the_benchmarks_run_count(factory):
    bench = factory.benchmark("hpc-ai500", "image-classification")
    manifest = factory.manifest(suite="hpc-ai500", level="system")
    report = factory.check(
        factory.bundle(manifest=manifest, runs=factory.runs(bench, bench.required_runs - 1))
    )
    assert factory.codes(report) == {"rules.too_few_runs"}


def test_it_reads_rules_from_the_catalogue_it_is_given(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    one_run = factory.bundle(runs=factory.runs(bench, 1))
    assert not factory.check(one_run).valid
    custom = _with_benchmark("aibench-training", "image-classification", required_runs=1)
    report = factory.check(one_run, catalogue=custom)
    assert report.valid, report.findings
    assert report.catalogue_version == "test"


def test_it_keeps_runs_that_miss_the_target_as_a_warning(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    runs = factory.runs(bench)
    runs[0].qualities = [bench.target_quality - 0.05, bench.target_quality - 0.001]
    report = factory.check(factory.bundle(runs=runs))
    assert report.valid
    assert factory.codes(report, "warning") == {"rules.not_converged"}
    assert f"it never reached {bench.target_quality}" in report.findings[0].message
    assert [r.converged for r in report.runs] == [False, True, True]


def test_it_fixes_every_reference_hyperparameter_at_hardware_level(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    hyper = {**bench.reference_hyperparameters, "opt_base_learning_rate": 0.2}
    del hyper["opt_momentum"]
    report = factory.check(factory.bundle(runs=factory.runs(bench, hyperparameters=hyper)))
    assert factory.codes(report) == {"rules.hyperparameter_differs", "rules.hyperparameter_missing"}
    assert "logs/run_1.log line 7: opt_base_learning_rate is 0.2; the hardware level fixes it at 0.1" in {
        f.message for f in report.errors
    }


def test_it_takes_hyperparameters_json_into_account(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    hyper = dict(bench.reference_hyperparameters)
    momentum = hyper.pop("opt_momentum")
    runs = factory.runs(bench, hyperparameters=hyper)
    stated = factory.tar(
        factory.files(runs=runs, **{"hyperparameters.json": json.dumps({"opt_momentum": momentum}).encode()})
    )
    report = factory.check(stated)
    assert report.valid, report.findings
    assert report.runs[0].hyperparameters["opt_momentum"] == momentum
    changed = factory.files(runs=runs, **{"hyperparameters.json": b'{"opt_momentum": 0.8}'})
    assert factory.codes(factory.check(factory.tar(changed))) == {"rules.hyperparameter_differs"}


def test_it_requires_hyperparameters_json_to_agree_with_the_logs(factory):
    files = factory.files(**{"hyperparameters.json": b'{"opt_base_learning_rate": 0.4}'})
    report = factory.check(factory.tar(files))
    assert factory.codes(report) == {"rules.hyperparameters_disagree"}
    assert (
        "opt_base_learning_rate is 0.1 in the log but 0.4 in hyperparameters.json" in report.errors[0].message
    )


def test_it_lets_the_system_level_tune_only_the_tunable_hyperparameters(factory):
    bench = factory.benchmark("hpc-ai500", "image-classification")
    manifest = factory.manifest(suite="hpc-ai500", level="system")
    tuned = {**bench.reference_hyperparameters, "global_batch_size": 8192, "opt_base_learning_rate": 3.2}
    report = factory.check(factory.bundle(manifest=manifest, runs=factory.runs(bench, hyperparameters=tuned)))
    assert report.valid, report.findings
    # A reference hyper-parameter outside the level's tunable list stays fixed.
    custom = _with_benchmark(
        "hpc-ai500",
        "image-classification",
        reference_hyperparameters={**bench.reference_hyperparameters, "model_bn_span": 32},
    )
    runs = factory.runs(bench, hyperparameters={**tuned, "model_bn_span": 64})
    report = factory.check(factory.bundle(manifest=manifest, runs=runs), catalogue=custom)
    assert factory.codes(report) == {"rules.hyperparameter_differs"}
    assert "model_bn_span is 64; the system level fixes it at 32" in report.errors[0].message


def test_it_requires_per_sample_flops_at_free_level(factory):
    bench = factory.benchmark("hpc-ai500", "extreme-weather")
    manifest = factory.manifest(suite="hpc-ai500", benchmark="extreme-weather", level="free")
    runs = factory.runs(bench, hyperparameters={"global_batch_size": 64, "opt_name": "adamw"})
    report = factory.check(factory.bundle(manifest=manifest, runs=runs))
    assert factory.codes(report) == {"rules.missing_flops"}
    assert report.runs[0].total_flops is None


def test_it_ignores_submitted_flops_where_the_model_is_fixed(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    report = factory.check(factory.bundle(manifest=factory.manifest(per_sample_training_flops=9e12)))
    assert report.valid
    assert factory.codes(report, "info") == {"rules.flops_ignored"}
    assert report.runs[0].per_sample_flops == bench.per_sample_training_flops


def test_it_takes_a_smoke_results_flops_from_its_manifest(factory):
    # The catalogue's constant is ResNet-50 at 224x224; a smoke run's input is 16x16.
    bench = factory.benchmark("aibench-training", "image-classification")
    runs = factory.runs(bench, train_samples=512)
    manifest = factory.manifest(profile="smoke", per_sample_training_flops=1.889e8)
    report = factory.check(factory.bundle(manifest=manifest, runs=runs))
    assert report.valid, report.findings
    assert report.runs[0].per_sample_flops == 1.889e8
    assert report.runs[0].total_flops == pytest.approx(1.889e8 * report.runs[0].samples_processed)
    bare = factory.check(factory.bundle(manifest=factory.manifest(profile="smoke"), runs=runs))
    assert bare.valid and factory.codes(bare, "warning") == {"rules.smoke_flops_missing"}
    assert bare.runs[0].per_sample_flops is None
