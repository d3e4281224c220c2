"""The hardware level's rule for the reference global batch size on more accelerators."""

from __future__ import annotations

import pytest

from catalogue import CatalogueError, get_catalogue, parse_catalogue
from catalogue.scaling import SCALED_KEYS, processes, system_processes


def resnet():
    return get_catalogue().benchmark("hpc-ai500", "image-classification")


def level(slug: str):
    return get_catalogue().levels[slug]


def test_it_keeps_the_reference_up_to_the_reference_accelerators():
    benchmark = resnet()
    assert benchmark.reference_accelerators == 8 and level("hardware").batch_scaling == "linear"
    for accelerators in (1, 2, 8):
        assert benchmark.reference_for(level("hardware"), accelerators) == benchmark.reference_hyperparameters


def test_it_keeps_the_batch_per_accelerator_beyond_them_and_scales_the_learning_rate():
    benchmark = resnet()
    reference = benchmark.reference_hyperparameters

    scaled = benchmark.reference_for(level("hardware"), 64)

    assert scaled["global_batch_size"] == reference["global_batch_size"] // 8 * 64 == 2048
    assert scaled["opt_base_learning_rate"] == pytest.approx(reference["opt_base_learning_rate"] * 8)
    assert {k: v for k, v in scaled.items() if k not in SCALED_KEYS} == {
        k: v for k, v in reference.items() if k not in SCALED_KEYS
    }


def test_it_scales_nothing_at_levels_where_the_submitter_sets_the_batch():
    assert resnet().reference_for(level("system"), 64) == resnet().reference_hyperparameters


def test_it_counts_accelerators_from_a_system_description():
    assert processes(2, 0) == 2  # CPU nodes: one process each
    assert system_processes({"number_of_nodes": "16", "accelerators_per_node": 8}) == 128
    assert system_processes(None) == 1


def test_it_refuses_a_reference_batch_the_reference_accelerators_do_not_divide():
    text = (get_catalogue_path().read_text()).replace(
        "reference_accelerators = 8", "reference_accelerators = 7", 1
    )
    with pytest.raises(CatalogueError, match="reference_accelerators must be at least 1 and divide"):
        parse_catalogue(text.encode())


def get_catalogue_path():
    from catalogue import CATALOGUE_PATH

    return CATALOGUE_PATH
