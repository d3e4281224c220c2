"""What a benchmark job may ask for at each level: the one set of rules both tiers check.

The web tier checks a model submission with it before anything is queued (runners.job_request), so
that a submitter hears of a bad configuration at once; the runner's harness checks the
configuration it is given with it again (runners.harness.config), and builds its optimizers,
schedules and models from the names here. Pure Python over catalogue: no Django and no
torch, because the web tier imports it.

What each level may set comes from the catalogue (Level.tunable_hyperparameters,
Level.model_may_change); what the harness can apply and build is listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from catalogue import Benchmark, Catalogue, Level
from catalogue.scaling import SCALED_KEYS

SMOKE, FULL = "smoke", "full"
PROFILES = (SMOKE, FULL)

OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("step", "constant", "cosine")
PRECISIONS = ("fp32", "fp16", "bf16")

# Workload families: each has its own data-set readers, loss and quality metric in the harness.
CLASSIFICATION = "classification"
DETECTION = "detection"
RANKING = "ranking"


@dataclass(frozen=True)
class WorkloadSpec:
    family: str
    dataset: str  # the data-set reader: imagenet, extreme-weather, voc-coco, gowalla
    reference_model: str  # the model the hardware and system levels must run
    smoke_model: str  # the same family at a size a CPU trains in a minute


# Which workload runs which catalogue benchmark: a benchmark missing here cannot be run.
WORKLOADS: dict[str, WorkloadSpec] = {
    "hpc-ai500/image-classification": WorkloadSpec(CLASSIFICATION, "imagenet", "resnet50", "resnet50"),
    "aibench-training/image-classification": WorkloadSpec(CLASSIFICATION, "imagenet", "resnet50", "resnet50"),
    "hpc-ai500/extreme-weather": WorkloadSpec(
        DETECTION, "extreme-weather", "fasterrcnn_resnet50_fpn", "fasterrcnn_resnet50_fpn"
    ),
    # The AIBench reference uses a ResNet-101 backbone; smoke runs the ResNet-50 one to stay small.
    "aibench-training/object-detection": WorkloadSpec(
        DETECTION, "voc-coco", "fasterrcnn_resnet101_fpn", "fasterrcnn_resnet50_fpn"
    ),
    "aibench-training/learning-to-rank": WorkloadSpec(RANKING, "gowalla", "caser", "caser"),
}

# The models the harness can build per family; a free-level job may name any of its benchmark's.
MODELS: dict[str, tuple[str, ...]] = {
    CLASSIFICATION: ("resnet18", "resnet34", "resnet50", "resnet101"),
    DETECTION: ("fasterrcnn_mobilenet_v3_large_fpn", "fasterrcnn_resnet101_fpn", "fasterrcnn_resnet50_fpn"),
    RANKING: ("caser",),
}

# What free-level model code must define, per family (see docs/runners.md).
MODEL_CODE_ENTRY_POINT = "build_model"
MODEL_CODE_CONTRACT: dict[str, str] = {
    CLASSIFICATION: "build_model(num_classes: int, in_channels: int) -> nn.Module; forward(images) -> logits",
    DETECTION: "build_model(num_classes: int, in_channels: int) -> nn.Module; torchvision detection API",
    RANKING: "build_model(num_users: int, num_items: int, sequence_length: int) -> nn.Module; "
    "forward(sequences, users, items) -> scores",
}


def registered_models(benchmark: Benchmark) -> tuple[str, ...]:
    workload = WORKLOADS.get(benchmark.key)
    return MODELS[workload.family] if workload else ()


def positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _number(value: Any) -> bool:
    # NaN fails every comparison below, so no range test lets it through.
    return isinstance(value, int | float) and not isinstance(value, bool)


def _positive(value: Any) -> bool:
    return _number(value) and value > 0


def _non_negative(value: Any) -> bool:
    return _number(value) and value >= 0


def _fraction(value: Any) -> bool:
    return _number(value) and 0 <= value < 1


def _unit_interval(value: Any) -> bool:
    return _number(value) and 0 < value < 1


def _boundaries(value: Any) -> bool:
    return isinstance(value, list) and all(positive_int(v) for v in value) and value == sorted(set(value))


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], bool]:
    return lambda value: value in choices


# Each hyper-parameter the harness can apply (named as the catalogue and the MLLOG keys name
# them): a test of its value and how to describe a valid one.
HYPERPARAMETERS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "global_batch_size": (positive_int, "a positive integer"),
    "opt_name": (_one_of(OPTIMIZERS), f"one of {', '.join(OPTIMIZERS)}"),
    "opt_base_learning_rate": (_positive, "a positive number"),
    "opt_momentum": (_fraction, "a number in [0, 1)"),
    "opt_weight_decay": (_non_negative, "a number >= 0"),
    "opt_learning_rate_warmup_epochs": (_non_negative, "a number >= 0"),
    "opt_learning_rate_decay_boundary_epochs": (_boundaries, "a strictly increasing list of whole epochs"),
    "opt_learning_rate_decay_factor": (_unit_interval, "a number in (0, 1)"),
    "opt_learning_rate_schedule": (_one_of(SCHEDULES), f"one of {', '.join(SCHEDULES)}"),
    "precision": (_one_of(PRECISIONS), f"one of {', '.join(PRECISIONS)}"),
}


def resolve_level(
    raw: dict[str, Any], catalogue: Catalogue
) -> tuple[Benchmark | None, Level | None, list[str]]:
    """The job's benchmark and level, or the errors that name the known ones."""
    errors: list[str] = []
    suite = catalogue.suites.get(str(raw.get("suite", "")))
    if suite is None:
        known = ", ".join(catalogue.suites)
        return None, None, [f"suite: {raw.get('suite')!r} is not in the catalogue; known: {known}"]
    benchmark = suite.benchmarks.get(str(raw.get("benchmark", "")))
    if benchmark is None:
        errors.append(
            f"benchmark: {raw.get('benchmark')!r} is not in {suite.slug}; "
            f"known: {', '.join(suite.benchmarks)}"
        )
    elif benchmark.key not in WORKLOADS:
        errors.append(f"benchmark: the runners have no workload for {benchmark.key}")
        benchmark = None
    level_slug = str(raw.get("level", ""))
    level = catalogue.levels.get(level_slug) if level_slug in suite.levels else None
    if level is None:
        errors.append(
            f"level: {raw.get('level')!r} is not a level of {suite.slug}; known: {', '.join(suite.levels)}"
        )
    return benchmark, level, errors


def check_job(raw: dict[str, Any], catalogue: Catalogue) -> tuple[Benchmark | None, Level | None, list[str]]:
    """The job's benchmark and level, and what it breaks of the rules every tier holds it to.

    Both tiers call this, the web tier before it queues the job and the harness before it trains,
    so a configuration gets the same answer, word for word, from both. The benchmark and level
    are both None when either is unknown. Absent values take their defaults: the smoke profile,
    one node, all the epochs, every accelerator of each node.
    """
    benchmark, level, errors = resolve_level(raw, catalogue)
    if benchmark is None or level is None:
        return None, None, errors
    profile = raw.get("profile", SMOKE)
    errors += check_profile(profile)
    errors += check_level(raw, benchmark, level)
    errors += check_max_epochs(raw.get("max_epochs"), benchmark, profile)
    errors += check_scale_values(raw.get("nodes", 1), raw.get("accelerators_per_node"))
    return benchmark, level, errors


def check_level(raw: dict[str, Any], benchmark: Benchmark, level: Level) -> list[str]:
    """The level's rules on the job's hyper-parameters and model; model code is checked apart."""
    return check_hyperparameters(raw.get("hyperparameters"), benchmark, level) + check_model_choice(
        raw, benchmark, level
    )


def check_hyperparameters(given: Any, benchmark: Benchmark, level: Level) -> list[str]:
    """Hardware: no overrides; system: only the catalogue's tunables; free: any the harness knows."""
    if not given:
        return []
    if not isinstance(given, dict):
        return ["hyperparameters: must be an object of name -> value"]
    errors: list[str] = []
    for key, value in sorted(given.items()):
        if key not in HYPERPARAMETERS:
            errors.append(
                f"hyperparameters.{key}: not a hyper-parameter the runner can set; "
                f"known: {', '.join(HYPERPARAMETERS)}"
            )
        elif not level.hyperparameters_may_change:
            errors.append(
                f"hyperparameters.{key}: the {level.slug} level runs the reference hyper-parameters "
                f"({key} = {benchmark.reference_hyperparameters.get(key)!r}); choose the system or free "
                "level to change them"
            )
        elif not level.may_tune(key):
            errors.append(
                f"hyperparameters.{key}: the {level.slug} level may set only "
                f"{', '.join(level.tunable_hyperparameters)}"
            )
        else:
            test, expected = HYPERPARAMETERS[key]
            if not test(value):
                errors.append(f"hyperparameters.{key}: {value!r} is not {expected}")
    return errors


def check_model_choice(raw: dict[str, Any], benchmark: Benchmark, level: Level) -> list[str]:
    """Only the free level changes the model: to a registered one, or to its own model code."""
    model, code = raw.get("model"), raw.get("model_code")
    if not (model or code):
        return []
    if not level.model_may_change:
        return [
            f"{'model' if model else 'model_code'}: the {level.slug} level trains the reference model "
            f"({benchmark.model}); only the free level may change it"
        ]
    errors: list[str] = []
    if model and code:
        errors.append("model: name a registered model or send model code, not both")
    known = registered_models(benchmark)
    if model and model not in known:
        errors.append(
            f"model: {model!r} is not a registered model for {benchmark.key}; "
            f"known: {', '.join(known) or 'none'}"
        )
    return errors


def check_profile(profile: Any) -> list[str]:
    return [] if profile in PROFILES else [f"profile: {profile!r} is not one of {', '.join(PROFILES)}"]


def check_max_epochs(value: Any, benchmark: Benchmark, profile: str) -> list[str]:
    """Smoke profile only: fewer epochs than the catalogue's, for a quicker check of a set-up."""
    if value is None:
        return []
    if profile != SMOKE:
        return ["max_epochs: only the smoke profile may cut epochs; full runs the catalogue's"]
    if not positive_int(value) or (benchmark.epochs is not None and value > benchmark.epochs):
        limit = f" up to {benchmark.epochs}" if benchmark.epochs is not None else ""
        return [f"max_epochs: must be a whole number of epochs{limit}"]
    return []


def resolve_hyperparameters(benchmark: Benchmark, overrides: dict[str, Any]) -> dict[str, Any]:
    """The catalogue's reference values with the job's overrides on top; raises ValueError.

    The harness trains with exactly these values and the service checks a runner's bundle
    against them, so both tiers take them from here.
    """
    resolved = {**benchmark.reference_hyperparameters, **overrides}
    unknown = sorted(set(resolved) - set(HYPERPARAMETERS))
    if unknown:
        raise ValueError(f"{benchmark.key}: the harness cannot apply hyper-parameters {unknown}")
    if resolved.get("opt_learning_rate_schedule") == "step":
        resolved.setdefault("opt_learning_rate_decay_boundary_epochs", [])
    if resolved.get("opt_name", "sgd") == "sgd":
        resolved.setdefault("opt_momentum", 0.0)
    for key in ("global_batch_size", "opt_name", "opt_base_learning_rate"):
        if key not in resolved:
            raise ValueError(f"{benchmark.key}: no value for {key}")
    return resolved


def scaled_hyperparameters(
    resolved: dict[str, Any], benchmark: Benchmark, level: Level, processes: int, overrides: dict[str, Any]
) -> dict[str, Any]:
    """``resolved`` with the level's batch scaling (catalogue/scaling.py) for ``processes``.

    Values the job sets itself are its own; the harness trains with exactly these values and the
    service checks a runner's bundle against them.
    """
    scaled = benchmark.reference_for(level, processes)
    changes = {
        key: scaled[key]
        for key in SCALED_KEYS
        if key in scaled and key not in overrides and scaled[key] != resolved.get(key)
    }
    return {**resolved, **changes} if changes else resolved


def run_seeds(config: dict[str, Any], benchmark: Benchmark) -> list[int]:
    """The seed of each run a job configuration asks for (the harness runs exactly these)."""
    if config.get("seeds") is not None:
        return [int(seed) for seed in config["seeds"]]
    runs = config.get("runs")
    count = int(runs) if runs is not None else benchmark.required_runs
    # Spread seeds apart so that runs of consecutive jobs never share one.
    base = int(config.get("base_seed") or 1)
    return [base * 1000 + i for i in range(count)]


def expected_model(config: dict[str, Any], benchmark: Benchmark) -> str | None:
    """The model name a job's bundle must declare; None for model code (checked by digest)."""
    workload = WORKLOADS.get(benchmark.key)
    if config.get("model"):
        return str(config["model"])
    if workload is None:
        return None
    return workload.smoke_model if config.get("profile", SMOKE) == SMOKE else workload.reference_model


def check_scale_values(nodes: Any, accelerators_per_node: Any) -> list[str]:
    """A job's scale: a whole number of nodes (at least 1) and of accelerators per node (0: CPUs)."""
    errors = []
    if not positive_int(nodes):
        errors.append(f"nodes: {nodes!r} is not a whole number of nodes (at least 1)")
    if accelerators_per_node is not None and not (
        isinstance(accelerators_per_node, int) and not isinstance(accelerators_per_node, bool)
    ):
        errors.append(f"accelerators_per_node: {accelerators_per_node!r} is not a whole number")
    elif accelerators_per_node is not None and accelerators_per_node < 0:
        errors.append("accelerators_per_node: must be 0 (CPU nodes) or more")
    return errors
