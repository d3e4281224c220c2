"""The web tier's level check of a model submission, against the catalogue."""

from __future__ import annotations

from catalogue import get_catalogue
from runners.job_request import check_job_request

BASE = {"suite": "hpc-ai500", "benchmark": "image-classification"}
CODE = "import torch\n\ndef build_model(num_classes):\n    return torch.nn.Linear(8, num_classes)\n"


def check(**raw):
    return check_job_request({**BASE, **raw}, get_catalogue())


def test_it_accepts_the_reference_at_hardware_level():
    spec, errors = check(level="hardware")

    assert errors == []
    assert spec.profile == "smoke"
    assert spec.hyperparameters == {} and spec.model is None and spec.model_code == ""
    assert spec.harness_config(organization_name="Lab")["organization"] == "Lab"


def test_it_rejects_any_hyperparameter_override_at_hardware_level():
    spec, errors = check(level="hardware", hyperparameters={"global_batch_size": 512})

    assert spec is None
    assert errors == [
        "hyperparameters.global_batch_size: the hardware level runs the reference hyper-parameters "
        "(global_batch_size = 256); choose the system or free level to change them"
    ]


def test_it_accepts_the_catalogues_tunables_at_system_level():
    tuned = {
        "global_batch_size": 1024,
        "opt_base_learning_rate": 0.4,
        "opt_learning_rate_schedule": "cosine",
        "opt_learning_rate_warmup_epochs": 5,
        "precision": "bf16",
    }
    spec, errors = check(level="system", hyperparameters=tuned)

    assert errors == []
    assert spec.hyperparameters == tuned


def test_it_rejects_a_model_at_system_level():
    spec, errors = check(level="system", model_code=CODE)

    assert spec is None
    assert errors == [
        "model_code: the system level trains the reference model (ResNet-50 v1.5); "
        "only the free level may change it"
    ]


def test_it_rejects_bad_values_and_unknown_names_at_system_level():
    _, errors = check(
        level="system", hyperparameters={"global_batch_size": -1, "dropout": 0.5, "precision": "fp8"}
    )

    assert errors == [
        "hyperparameters.dropout: not a hyper-parameter the runner can set; known: "
        + ", ".join(
            [
                "global_batch_size",
                "opt_name",
                "opt_base_learning_rate",
                "opt_momentum",
                "opt_weight_decay",
                "opt_learning_rate_warmup_epochs",
                "opt_learning_rate_decay_boundary_epochs",
                "opt_learning_rate_decay_factor",
                "opt_learning_rate_schedule",
                "precision",
            ]
        ),
        "hyperparameters.global_batch_size: -1 is not a positive integer",
        "hyperparameters.precision: 'fp8' is not one of fp32, fp16, bf16",
    ]


def test_it_accepts_model_code_at_free_level():
    spec, errors = check(level="free", model_code=CODE, hyperparameters={"opt_name": "adamw"})

    assert errors == []
    assert spec.model_code == CODE and spec.model_code_name == "model.py"
    # The code travels beside the configuration, not inside what the job page shows as config.
    assert "model_code" not in spec.harness_config(organization_name="")


def test_it_rejects_model_code_that_is_not_python_or_has_no_entry_point():
    _, errors = check(level="free", model_code="def build_model(:\n")
    assert errors == ["model_code: not valid Python (line 1: invalid syntax)"]

    _, errors = check(level="free", model_code="def make():\n    pass\n")
    assert errors == ["model_code: must define a top-level function build_model(...)"]


def test_it_rejects_an_unregistered_model_name_at_free_level():
    _, errors = check(level="free", model="gpt-17")

    assert len(errors) == 1 and errors[0].startswith("model: 'gpt-17' is not a registered model")


def test_it_rejects_the_full_profile_when_the_runners_have_no_full_data():
    _, errors = check(level="hardware", profile="full")
    assert errors == ["profile: the runners hold no full data sets here, so only the smoke profile can run"]

    spec, errors = check_job_request(
        {**BASE, "level": "hardware", "profile": "full"}, get_catalogue(), limits={"full_profile": True}
    )
    assert errors == [] and spec.profile == "full"


def test_it_names_the_known_benchmarks_and_levels():
    _, errors = check_job_request(
        {"suite": "hpc-ai500", "benchmark": "chess", "level": "turbo"}, get_catalogue()
    )

    assert errors == [
        "benchmark: 'chess' is not in hpc-ai500; known: image-classification, extreme-weather",
        "level: 'turbo' is not a level of hpc-ai500; known: hardware, system, free",
    ]


def test_it_accepts_a_registered_model_at_free_level():
    spec, errors = check(level="free", model="resnet18")

    assert errors == []
    assert spec.harness_config(organization_name="")["model"] == "resnet18"


def test_it_lets_only_the_smoke_profile_cut_epochs():
    spec, errors = check(level="hardware", max_epochs=2)
    assert errors == [] and spec.harness_config(organization_name="")["max_epochs"] == 2

    _, errors = check(level="hardware", max_epochs=91)
    assert errors == ["max_epochs: must be a whole number of epochs up to 90"]
