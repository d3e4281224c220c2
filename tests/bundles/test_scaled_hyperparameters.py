"""At the hardware level the validator expects the reference batch scaled to the system's size."""

from __future__ import annotations


def test_it_expects_the_scaled_reference_on_more_accelerators_than_the_reference(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    reference = bench.reference_hyperparameters
    scaled = {
        **reference,
        "global_batch_size": reference["global_batch_size"] * 4,
        "opt_base_learning_rate": reference["opt_base_learning_rate"] * 4,
    }
    big = factory.system(number_of_nodes=4, accelerators_per_node=8)  # 32 = 4 x the reference's 8

    on_scaled = factory.check(
        factory.tar(factory.files(runs=factory.runs(bench, hyperparameters=scaled), system=big))
    )
    unscaled = factory.check(
        factory.tar(factory.files(runs=factory.runs(bench, hyperparameters=reference), system=big))
    )
    small = factory.check(
        factory.tar(factory.files(runs=factory.runs(bench, hyperparameters=scaled), system=factory.system()))
    )

    assert on_scaled.valid, on_scaled.findings
    assert factory.codes(unscaled) == {"rules.hyperparameter_differs"}
    assert "logs/run_1.log line 5: global_batch_size is 256; the hardware level fixes it at 1024" in {
        f.message for f in unscaled.errors
    }
    assert factory.codes(small) == {"rules.hyperparameter_differs"}
