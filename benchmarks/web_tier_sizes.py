"""Answer sizes and times of the pages a hostile bundle used to blow up, against the unbounded
answer measured in the same run.

    .venv/bin/python benchmarks/web_tier_sizes.py [--findings 100001]

1. A submission with --findings findings and a hyperparameters.json of 100,000 unknown keys: the
   API detail, the submission page and the review page; the baseline is the detail with every
   finding serialised, as the API answered before findings were paged.
2. A system description with "number_of_nodes": "1" and "accelerators_per_node": 20000000:
   the review page; the baseline is the text the comparison used to build ("1" x 20,000,000).

Runs on a scratch SQLite database (the test settings), prints the figures and writes them to
benchmarks/results/web_tier_sizes.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchcouncil.settings_test")


def _timed(call):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    response = call()
    return response, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=100_001)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    scratch = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0)
    try:
        _measure(args.findings)
    finally:
        connection.creation.destroy_test_db(scratch, verbosity=0)


def _measure(findings: int) -> None:
    from django.contrib.auth.models import User
    from django.test import Client
    from django.urls import reverse

    from submissions.findings_api import FindingSerializer
    from submissions.models import Membership, Organization
    from submissions.states import Status
    from tests.support.clients import api_as
    from tests.support.factories import flood_findings, make_submission

    org = Organization.objects.create(name="Bench Lab", slug="bench-lab")
    owner = User.objects.create_user("owner", "owner@example.org", "x")
    Membership.objects.create(organization=org, user=owner)
    admin = User.objects.create_superuser("admin", "admin@example.org", "x")
    flooded = make_submission(owner, organization=org, status=Status.INVALID)
    flood_findings(
        flooded,
        findings,
        severity="error",
        code="hyperparameters.unknown",
        message="hyperparameters.json names k{i}, which the benchmark does not have.",
        location="hyperparameters.json: k{i}",
        batch_size=5000,
    )
    # ...from a hyperparameters.json of 100,000 keys, which the review page compares too.
    flooded.hyperparameters = {f"k{i}": i for i in range(100_000)}
    flooded.save(update_fields=["hyperparameters"])
    figures: dict[str, object] = {"findings": findings}
    api = api_as(owner)
    detail, seconds = _timed(lambda: api.get(reverse("api-submission-detail", args=[flooded.pk])))
    every = FindingSerializer(flooded.findings.all(), many=True).data
    baseline = len(detail.content) + len(json.dumps(list(every), separators=(",", ":")).encode())
    figures["api_detail_bytes"] = len(detail.content)
    figures["api_detail_s"] = round(seconds, 3)
    # The submitter's own hyperparameters.json, which the detail serves as stored.
    figures["api_detail_hyperparameters_bytes"] = len(
        json.dumps(detail.json()["hyperparameters"], separators=(",", ":"))
    )
    figures["api_detail_with_every_finding_bytes (baseline)"] = baseline
    figures["api_ratio"] = round(baseline / len(detail.content), 1)
    own, staff = Client(), Client()
    own.force_login(owner)
    staff.force_login(admin)
    page, seconds = _timed(lambda: own.get(reverse("submissions:detail", args=[flooded.pk])))
    figures["submission_page_bytes"], figures["submission_page_s"] = len(page.content), round(seconds, 3)
    review, seconds = _timed(lambda: staff.get(reverse("review:detail", args=[flooded.pk])))
    figures["review_page_bytes"], figures["review_page_s"] = len(review.content), round(seconds, 3)

    huge = make_submission(owner, organization=org)
    huge.system_description = {"system_name": "huge", "number_of_nodes": "1"}
    huge.system_description |= {"accelerators_per_node": 20_000_000, "accelerator_model_name": "H100"}
    huge.save(update_fields=["system_description"])
    make_submission(owner, organization=org, status=Status.REJECTED)
    review, seconds = _timed(lambda: staff.get(reverse("review:detail", args=[huge.pk])))
    figures["count_review_page_bytes"], figures["count_review_page_s"] = (
        len(review.content),
        round(seconds, 3),
    )
    figures["count_comparison_text_bytes (baseline)"] = len("H100 x " + "1" * 20_000_000)

    for name, value in figures.items():
        print(f"{name:48} {value}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "web_tier_sizes.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
