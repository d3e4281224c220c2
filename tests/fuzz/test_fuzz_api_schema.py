"""schemathesis against the published OpenAPI schema: no generated request gets a 5xx.

Every operation in /api/schema/ is exercised, anonymously and with a normal user's token,
through the WSGI app in-process (no server, the test database). Nothing is excluded: the
runner-host endpoints answer 401 to generated tokens, and uploads store random bytes that
validation then rejects, which is exactly what they must do.
"""

from __future__ import annotations

import io

import pytest
import schemathesis
from django.core import signals
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.support.clients import user_token

pytestmark = pytest.mark.django_db

# Per operation and per caller: ~20 operations x 2 callers stay well under a minute.
EXAMPLES = 12
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


# Loaded at collection: the schema view reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Keep the test's database connection across the in-process WSGI calls.

    Django closes a connection at the end of a request when it is not in autocommit mode,
    which the test's transaction is: on PostgreSQL every later query then fails with "the
    connection is closed". Django's own test client unhooks the same handler (Client.request).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _local_media(media_storage) -> None:
    """Each test stores files in its own folder, so that it can count what it stored."""


@schema.parametrize()
@SETTINGS
def test_it_never_answers_an_anonymous_request_with_a_server_error(case):
    case.call_and_validate(checks=[not_a_server_error])


@schema.parametrize()
@SETTINGS
def test_it_never_answers_a_users_request_with_a_server_error(case, owner):
    case.call_and_validate(
        headers={"Authorization": f"Token {user_token(owner)}"}, checks=[not_a_server_error]
    )


def test_it_publishes_a_valid_schema_without_warnings():
    # Two serializers sharing a component name once described one endpoint with the other's
    # fields; drf-spectacular only warns about that, so warnings fail here.
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "SubmissionWithdrawInput" in out.getvalue() and "SubmissionCorrectionInput" in out.getvalue()
