"""Runner hosts: registration (token shown once, only its hash stored) and the host report."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from runners.models import RunnerHost

pytestmark = pytest.mark.django_db

REPORT = {
    "gpus": [{"name": "NVIDIA H100 80GB HBM3", "memory_bytes": 85_520_809_984}],
    "gpu_count": 1,
    "cpu": "AMD EPYC 9454",
    "memory_bytes": 1_081_000_000_000,
    "driver": "550.54.15",
    "torch": "2.14.1",
}
SYSTEM = {
    "system_name": "gpu-a",
    "accelerator_model_name": "NVIDIA H100 80GB HBM3",
    "accelerators_per_node": 1,
}


def register(name: str = "gpu-a", pool: str = "h100") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("register_runner_host", name, "--pool", pool, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_the_token_once_and_stores_only_its_hash():
    token, note = register()

    host = RunnerHost.objects.get(name="gpu-a")
    assert host.pool == "h100" and host.queue == "runner.h100"
    assert re.fullmatch(r"bcrh_[A-Za-z0-9_-]{40,}", token)
    assert host.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(RunnerHost.objects.filter(pk=host.pk).values().get())
    assert "shown this once" in note and token not in note


def test_it_refuses_a_second_host_with_the_same_name():
    register()
    with pytest.raises(CommandError, match="exists"):
        register()
    assert RunnerHost.objects.count() == 1


def test_it_shows_the_token_once_when_an_admin_adds_a_host(admin):
    client = APIClient()
    client.force_login(admin)
    response = client.post(
        reverse("admin:runners_runnerhost_add"),
        {"name": "gpu-b", "pool": "a100", "is_active": "on"},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    token = re.search(r"bcrh_\S+", shown[0]).group(0)
    host = RunnerHost.objects.get(name="gpu-b")
    assert host.token_hash == hashlib.sha256(token.encode()).hexdigest()
    page = client.get(reverse("admin:runners_runnerhost_change", args=[host.pk])).content.decode()
    assert token not in page


def test_it_records_the_hardware_a_host_reports():
    token, _ = register()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"RunnerHost {token}")

    response = client.post(
        reverse("api-runner-host-report"), {"report": REPORT, "system_description": SYSTEM}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"name": "gpu-a", "pool": "h100", "queue": "runner.h100"}
    host = RunnerHost.objects.get()
    assert host.hardware_report == REPORT
    assert host.system_description["accelerator_model_name"] == "NVIDIA H100 80GB HBM3"
    assert host.reported_at is not None


def test_it_refuses_a_report_without_the_right_token():
    register()
    client = APIClient()
    url = reverse("api-runner-host-report")
    body = {"report": REPORT, "system_description": SYSTEM}

    assert client.post(url, body, format="json").status_code == 401
    client.credentials(HTTP_AUTHORIZATION="RunnerHost bcrh_not-the-token")
    assert client.post(url, body, format="json").status_code == 403
    assert RunnerHost.objects.get().hardware_report is None


def test_it_stops_accepting_a_rotated_token(admin):
    old, _ = register()
    client = APIClient()
    client.force_login(admin)
    host = RunnerHost.objects.get()
    client.post(
        reverse("admin:runners_runnerhost_changelist"),
        {"action": "issue_new_token", "_selected_action": [host.pk]},
    )

    runner = APIClient()
    runner.credentials(HTTP_AUTHORIZATION=f"RunnerHost {old}")
    body = {"report": REPORT, "system_description": SYSTEM}
    assert runner.post(reverse("api-runner-host-report"), body, format="json").status_code == 403
