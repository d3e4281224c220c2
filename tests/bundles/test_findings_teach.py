"""Findings that teach: a value is shown as the JSON that holds it (null, true: never None or
True), and a close misspelling of a name or a value gets "did you mean"."""

from __future__ import annotations


def messages(factory, files: dict[str, bytes], code: str) -> list[str]:
    return [f.message for f in factory.check(factory.tar(files)).findings if f.code == code]


def test_a_misspelt_required_key_gets_did_you_mean(factory):
    manifest = factory.manifest()
    manifest["benchmrk"] = manifest.pop("benchmark")
    assert messages(factory, factory.files(manifest=manifest), "json.schema") == [
        "manifest.json at $: 'benchmark' is a required property; "
        "'benchmrk' looks like a misspelling of it: did you mean 'benchmark'?"
    ]
    system = factory.system()
    system["Accelerators_per_node"] = system.pop("accelerators_per_node")
    (message,) = messages(factory, factory.files(system=system), "json.schema")
    assert message.endswith(
        "'Accelerators_per_node' looks like a misspelling of it: did you mean 'accelerators_per_node'?"
    )


def test_a_missing_key_with_nothing_like_it_gets_no_guess(factory):
    manifest = factory.manifest(notes="x")
    del manifest["organization"]
    assert messages(factory, factory.files(manifest=manifest), "json.schema") == [
        "manifest.json at $: 'organization' is a required property"
    ]


def test_a_misspelt_catalogue_value_gets_did_you_mean(factory):
    assert messages(
        factory, factory.files(manifest=factory.manifest(suite="hpc-ai50")), "rules.unknown_suite"
    ) == [
        "manifest.json: suite 'hpc-ai50' is not in the catalogue; known: aibench-training, hpc-ai500; "
        "did you mean 'hpc-ai500'?"
    ]
    (level,) = messages(
        factory, factory.files(manifest=factory.manifest(level="hardwar")), "rules.unknown_level"
    )
    assert level.endswith("; did you mean 'hardware'?")
    (far,) = messages(
        factory, factory.files(manifest=factory.manifest(level="closed")), "rules.unknown_level"
    )
    assert "did you mean" not in far


def test_a_misspelt_enum_value_and_unknown_key_get_did_you_mean(factory):
    manifest = factory.manifest(profile="smok")
    assert messages(factory, factory.files(manifest=manifest), "json.schema") == [
        "manifest.json at $.profile: 'smok' is not one of ['full', 'smoke']; did you mean 'smoke'?"
    ]
    manifest = factory.manifest(modle="resnet50", notes="ours")
    assert messages(factory, factory.files(manifest=manifest), "manifest.unknown_key") == [
        "manifest.json: key 'modle' is not in the format and is ignored; did you mean 'model'?",
        "manifest.json: key 'notes' is not in the format and is ignored",
    ]


def test_null_and_true_are_written_as_json_writes_them(factory):
    manifest = factory.manifest(suite=None, organization=True)
    found = messages(factory, factory.files(manifest=manifest), "json.schema")
    assert found == [
        "manifest.json at $.organization: true is not of type 'string'",
        "manifest.json at $.suite: null is not of type 'string'",
    ]
    system = factory.system(number_of_nodes=None)
    (nodes,) = messages(factory, factory.files(system=system), "json.schema")
    assert nodes.startswith(
        "system.json at $.number_of_nodes: null is not valid under any of the given schemas"
    )
    assert not any("None" in m or "True" in m for m in [*found, nodes])


def test_a_misspelt_hyperparameter_the_level_requires_gets_did_you_mean(factory):
    bench = factory.benchmark("aibench-training", "image-classification")
    hyper = dict(bench.reference_hyperparameters)
    hyper["opt_momentun"] = hyper.pop("opt_momentum")
    files = factory.files(runs=factory.runs(bench, hyperparameters=hyper))
    assert messages(factory, files, "rules.hyperparameter_missing")[0] == (
        "logs/run_1.log: opt_momentum is not stated; the hardware level requires 0.9; "
        "'opt_momentun' looks like a misspelling of it: did you mean 'opt_momentum'?"
    )
