"""The OpenAPI schema documents the intake API, upload body and Idempotency-Key included."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_it_documents_the_multipart_upload_and_its_answers(schema):
    create = schema["paths"]["/api/v1/submissions/"]["post"]

    body = create["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    properties = schema["components"]["schemas"][body]["properties"]
    assert properties["bundle"]["format"] == "binary"
    assert "organization" in properties
    assert {"200", "202", "400", "413", "422"} <= set(create["responses"])
    headers = {p["name"]: p for p in create["parameters"] if p["in"] == "header"}
    assert "Idempotency-Key" in headers


def test_it_documents_the_list_filters_and_the_detail_and_bundle_views(schema):
    listing = schema["paths"]["/api/v1/submissions/"]["get"]
    assert {"status", "suite", "benchmark", "level", "page"} <= {p["name"] for p in listing["parameters"]}
    detail = schema["paths"]["/api/v1/submissions/{submission_id}/"]["get"]
    ref = detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert {"findings", "runs", "events", "system_description"} <= set(
        schema["components"]["schemas"][ref]["properties"]
    )
    bundle = schema["paths"]["/api/v1/submissions/{submission_id}/bundle/"]["get"]
    assert "application/octet-stream" in bundle["responses"]["200"]["content"]


def test_it_serves_the_interactive_docs(client):
    assert client.get("/api/docs/").status_code == 200
