"""Hypothesis strategies for system descriptions as MLPerf writes them, valid by the bundle
schema (submissions/bundles/schemas/system.schema.json): counts as integers or digit strings
of any length, capacities as text, and any extra key, "items" and "keys" among them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

HOSTILE_TEXT = [
    '<a href="https://evil.example/">x</a>',
    "=HYPERLINK(1)",
    "{{ 7|add:1 }}",
    "\u202e",
    "x" * 500,
]
COUNT_KEYS = ["number_of_nodes", "host_processors_per_node", "host_processor_core_count"]
TEXT_KEYS = [
    "system_name",
    "host_processor_model_name",
    "host_memory_capacity",
    "framework",
    "operating_system",
]
SHORT_KEYS = ["accelerator_model_name", "accelerator_memory_capacity", "accelerator_interconnect"]
# Keys a template or a dict could mistake for one of its own methods or attributes.
EXTRA_KEYS = ["items", "keys", "values", "get", "pop", "__class__", "count", "0", "system_name.x"]

# What a stored description can hold: the validator refuses NUL, and lone surrogates are no UTF-8.
chars = st.characters(exclude_characters="\x00", exclude_categories=("Cs",))
texts = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(chars, min_size=1, max_size=500))
capacities = st.one_of(st.sampled_from(["2 TB", "512 GiB", "80 GB HBM3", "1.5TB DDR5", "0"]), texts)
positive_counts = st.one_of(
    st.integers(min_value=1, max_value=10**30),
    st.sampled_from(["1", "4", "8", "20000000", "9" * 40]),
    st.from_regex(r"\A[1-9][0-9]{0,60}\Z"),
)
counts = st.one_of(st.just(0), st.just("0"), positive_counts)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(chars, max_size=20), children, max_size=5)
    ),
    max_leaves=20,
)
software = st.one_of(texts, st.dictionaries(st.text(chars, min_size=1, max_size=30), json_values, max_size=8))


@st.composite
def system_descriptions(draw: Any) -> dict[str, Any]:
    system: dict[str, Any] = {key: draw(positive_counts) for key in COUNT_KEYS}
    system |= {key: draw(texts) for key in TEXT_KEYS}
    system["host_memory_capacity"] = draw(capacities)
    system |= {key: draw(st.text(chars, max_size=500)) for key in SHORT_KEYS}
    system["accelerator_memory_capacity"] = draw(capacities.filter(lambda c: len(c) <= 500))
    system["accelerators_per_node"] = draw(counts)
    if draw(st.booleans()):
        system["other_software_stack"] = draw(software)
    for key in draw(
        st.lists(st.sampled_from(EXTRA_KEYS) | st.text(chars, min_size=1, max_size=30), max_size=6)
    ):
        system[key] = draw(json_values)
    return system
