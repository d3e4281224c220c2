"""Systems across benchmarks: the systems table and its search, a system's page, comparisons."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from ranking.system_selectors import cpu_cores, system_slugs
from tests.support.factories import five_runs, withdraw

SYSTEMS = reverse("ranking:systems")
COMPARE = reverse("ranking:compare")


@pytest.fixture
def results(published, aib_ic) -> dict:
    return {
        "hpc": published(system_name="Big Iron", accelerator="NVIDIA H100", nodes=4),
        "aib": published(system_name="Big Iron", accelerator="NVIDIA H100", nodes=4, bench=aib_ic),
        "other": published(system_name="Small Box", accelerator="AMD MI300X", runs=five_runs(time_s=7200)),
    }


def test_it_tables_each_system_once_with_a_column_per_benchmark(client, results) -> None:
    response = client.get(SYSTEMS)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Independent — Big Iron</a>") == 1
    assert html.count("Independent — Small Box</a>") == 1
    assert "HPC AI500<br>Image classification" in html and "AIBench Training<br>Image classification" in html
    for submission in results.values():
        assert reverse("submissions:detail", args=[submission.pk]) in html


def test_it_searches_organizations_systems_and_accelerators(client, results) -> None:
    assert "Small Box" in client.get(SYSTEMS, {"q": "mi300"}).content.decode()
    assert "Big Iron" not in client.get(SYSTEMS, {"q": "mi300"}).content.decode()
    assert "Big Iron" in client.get(SYSTEMS, {"q": "big"}).content.decode()
    assert "Big Iron" in client.get(SYSTEMS, {"q": "independent"}).content.decode()
    assert "No published system matches" in client.get(SYSTEMS, {"q": "nothing like it"}).content.decode()


def test_it_shows_a_systems_results_on_every_board(client, results) -> None:
    response = client.get(reverse("ranking:system", args=system_slugs("Independent", "Big Iron")))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Independent — Big Iron</h1>" in html
    assert reverse("submissions:detail", args=[results["hpc"].pk]) in html
    assert reverse("submissions:detail", args=[results["aib"].pk]) in html
    assert reverse("submissions:detail", args=[results["other"].pk]) not in html


def test_it_forgets_a_withdrawn_systems_page(client, published, django_capture_on_commit_callbacks) -> None:
    only = published(system_name="Gone")
    with django_capture_on_commit_callbacks(execute=True):
        withdraw(only)
    assert client.get(reverse("ranking:system", args=system_slugs("Independent", "Gone"))).status_code == 404


def test_it_compares_two_to_four_results_side_by_side(client, results) -> None:
    response = client.get(COMPARE, {"r": [str(results["hpc"].pk), str(results["other"].pk)]})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Independent — Big Iron") < html.index("Independent — Small Box")  # the order asked
    assert "NVIDIA H100 × 32" in html and "AMD MI300X × 8" in html
    assert 'id="compare-system"' in html


def test_it_explains_a_comparison_it_cannot_make(client, results) -> None:
    one = client.get(COMPARE, {"r": str(results["hpc"].pk)})
    assert one.status_code == 200 and "Choose 2 to 4 results" in one.content.decode()
    five = client.get(COMPARE, {"r": [str(uuid.uuid4()) for _ in range(5)]})
    assert "Choose 2 to 4 results" in five.content.decode()
    bad = client.get(COMPARE, {"r": ["not-an-id", str(results["hpc"].pk)]})
    assert bad.status_code == 400 and "Not a result id: not-an-id" in bad.content.decode()
    gone = client.get(COMPARE, {"r": [str(uuid.uuid4()), str(results["hpc"].pk)]})
    assert "not published" in gone.content.decode()


def test_it_counts_a_cpu_systems_cores() -> None:
    assert (
        cpu_cores({"host_processor_core_count": 32, "host_processors_per_node": 2, "number_of_nodes": 4})
        == 256
    )
    assert cpu_cores({"host_processor_core_count": "16"}) == 16
    assert cpu_cores({"host_processor_core_count": "many"}) == 0
    assert cpu_cores(None) == 0


def test_it_pages_the_systems_table(client, published, monkeypatch) -> None:
    from ranking import system_selectors

    for name in ("A box", "B box", "C box"):
        published(system_name=name)
    monkeypatch.setattr(system_selectors, "SYSTEMS_PER_PAGE", 2)
    first = client.get(SYSTEMS).content.decode()
    second = client.get(SYSTEMS, {"page": 2}).content.decode()
    assert "A box" in first and "B box" in first and "C box" not in first
    assert "C box" in second and "A box" not in second
    assert "3 systems" in first and 'rel="next"' in first
