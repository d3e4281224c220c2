"""The bundle format as a page of the site, rendered from docs/bundle-format.md, safely."""

from __future__ import annotations

import pytest
from django.urls import reverse

from benchcouncil.docs import render_markdown
from submissions.bundles.layout import format_url
from submissions.models import Finding
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def test_it_renders_the_bundle_format(client):
    page = client.get(reverse("docs-bundle-format"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Result-bundle format (version 1) · BenchCouncil Rankings</title>" in html
    assert "<h2>Container</h2>" in html
    assert "<td><code>manifest.json</code></td>" in html  # tables render


def test_it_escapes_raw_html_and_drops_script_links():
    html = render_markdown(
        "<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="javascript:' not in html and "<img" not in html


def test_findings_point_to_the_page_by_its_url(monkeypatch, settings):
    monkeypatch.setenv("SITE_URL", "https://rankings.example.org")
    assert format_url() == "https://rankings.example.org" + reverse("docs-bundle-format")


def test_the_upload_form_and_a_submissions_findings_link_to_it(client, owner, org, monkeypatch):
    client.force_login(owner)
    form = client.get(reverse("submissions:new")).content.decode()
    assert f'<a href="{reverse("docs-bundle-format")}" id="format-link">' in form

    monkeypatch.setenv("SITE_URL", "http://testserver")
    submission = make_submission(owner, organization=org)
    Finding.objects.create(
        submission=submission,
        severity="warning",
        code="bundle.unexpected_file",
        message=f"notes.txt is ignored; see {format_url()}",
        location="notes.txt",
    )
    page = client.get(reverse("submissions:detail", args=[submission.pk])).content.decode()
    assert f'<a href="{format_url()}"' in page
