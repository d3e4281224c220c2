"""POST /api/v1/model-submissions/: a configuration in, checked against its level, queued."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from runners.models import Job
from runners.states import JobStatus
from tests.support.clients import api_as
from tests.support.runner_jobs import drain

pytestmark = pytest.mark.django_db

URL = "/api/v1/model-submissions/"
CODE = b"def build_model(num_classes):\n    raise NotImplementedError\n"


@pytest.fixture(autouse=True)
def default_pool(settings, pool):
    settings.RUNNER_DEFAULT_POOL = pool
    return pool


def post(client, body, **kwargs):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(URL, body, **kwargs)


def post_model_code(client, level, **fields):
    """Post CODE as an uploaded file mynet.py for image classification at ``level``."""
    upload = io.BytesIO(CODE)
    upload.name = "mynet.py"
    body = {"suite": "hpc-ai500", "benchmark": "image-classification", "level": level, **fields}
    return post(client, {**body, "model_code_file": upload}, format="multipart")


def test_it_queues_a_checked_configuration(owner_api, owner, org, pool):
    body = {
        "suite": "hpc-ai500",
        "benchmark": "image-classification",
        "level": "system",
        "organization": org.slug,
        "hyperparameters": {"global_batch_size": 512, "precision": "bf16"},
    }
    response = post(owner_api, body, format="json")

    assert response.status_code == 201, response.json()
    job = Job.objects.get()
    assert response.json()["id"] == str(job.pk)
    assert response.json()["url"] == reverse("runners:job-detail", args=[job.pk])
    assert job.owner == owner and job.organization == org and job.status == JobStatus.QUEUED
    assert job.config["hyperparameters"] == {"global_batch_size": 512, "precision": "bf16"}
    assert job.config["organization"] == org.name
    [message] = drain(f"runner.{pool}")
    assert message.payload[1]["job_id"] == str(job.pk)


def test_it_answers_400_with_the_levels_errors_and_queues_nothing(owner_api, pool):
    body = {"suite": "hpc-ai500", "benchmark": "image-classification", "level": "hardware"}
    response = post(owner_api, {**body, "hyperparameters": {"opt_base_learning_rate": 0.2}}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        "hyperparameters.opt_base_learning_rate: the hardware level runs the reference hyper-parameters "
        "(opt_base_learning_rate = 0.1); choose the system or free level to change them"
    ]
    assert not Job.objects.exists()
    assert drain(f"runner.{pool}", timeout=0.5) == []


def test_it_takes_model_code_as_an_uploaded_file_at_free_level(owner_api, pool):
    response = post_model_code(owner_api, "free", hyperparameters='{"opt_name": "adamw"}')

    assert response.status_code == 201, response.json()
    job = Job.objects.get()
    assert job.model_code == CODE.decode() and job.model_code_name == "mynet.py"
    assert job.config["hyperparameters"] == {"opt_name": "adamw"}
    [message] = drain(f"runner.{pool}")
    assert message.payload[1]["model_code"] == {"name": "mynet.py", "source": CODE.decode()}


def test_it_refuses_model_code_below_the_free_level(owner_api):
    response = post_model_code(owner_api, "hardware")

    assert response.status_code == 400
    assert response.json()["errors"][0].startswith(
        "model_code: the hardware level trains the reference model"
    )


def test_it_refuses_an_organization_the_user_is_not_in(owner_api, other_org):
    body = {"suite": "hpc-ai500", "benchmark": "image-classification", "level": "hardware"}
    response = post(owner_api, {**body, "organization": other_org.slug}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == ["organization: you are not a member of 'other-lab'"]


def test_it_lets_only_staff_choose_a_pool(owner_api, reviewer, pool):
    body = {
        "suite": "hpc-ai500",
        "benchmark": "image-classification",
        "level": "hardware",
        "pool": f"{pool}-b",
    }

    assert post(owner_api, body, format="json").status_code == 400
    response = post(api_as(reviewer), body, format="json")
    assert response.status_code == 201
    assert Job.objects.get().pool == f"{pool}-b"
    assert len(drain(f"runner.{pool}-b")) == 1


def test_it_needs_a_user(api_client):
    response = api_client.post(URL, {"suite": "hpc-ai500"}, format="json")
    assert response.status_code == 401


def test_it_reports_malformed_fields_as_errors(owner_api):
    response = post(owner_api, {"suite": "hpc-ai500", "hyperparameters": "{nope"}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "benchmark: This field is required." in errors
    assert any(e.startswith("hyperparameters: not valid JSON") for e in errors)
