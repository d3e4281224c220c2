"""Values the fuzzing found that stranded a submission in `validating`, end to end.

Each bundle parsed, but its report could not be stored: an Infinity in a JSON column, an
integer past 64 bits in a BIGINT, a NUL in text, a 255-character column overflowed. The
validation task then failed on every try and the sweep re-queued it forever. Now each one
ends `invalid` with a finding that says what is wrong, and the API serves the submission.
"""

from __future__ import annotations

import io
import json

import pytest
from django.test import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.states import Status
from tests.support.archives import tar_gz
from tests.support.fuzz_helpers import example_files

pytestmark = pytest.mark.django_db


def _log_with(token: str, key: str, field: str = "value") -> bytes:
    lines = example_files()["logs/run_1.log"].decode().splitlines()
    for i, line in enumerate(lines):
        if line.startswith(":::MLLOG") and f'"key": "{key}"' in line:
            event = json.loads(line.removeprefix(":::MLLOG "))
            event[field] = "__X__"
            lines[i] = ":::MLLOG " + json.dumps(event).replace('"__X__"', token)
    return "\n".join(lines).encode()


def _manifest_with(key: str, token: str) -> bytes:
    manifest = json.loads(example_files()["manifest.json"])
    manifest[key] = "__X__"
    return json.dumps(manifest).replace('"__X__"', token).encode()


CASES = {
    "infinite hyper-parameter": (
        {"hyperparameters.json": b'{"opt_base_learning_rate": 1e999}'},
        "json.malformed",
    ),
    "seed past 64 bits": ({"logs/run_1.log": _log_with("1" + "0" * 30, "seed")}, "log.garbage_line"),
    "time_ms of 1e25": ({"logs/run_1.log": _log_with("1e25", "run_start", "time_ms")}, "log.garbage_line"),
    "batch past INTEGER": (
        {"logs/run_1.log": _log_with("99999999999", "global_batch_size")},
        "log.bad_value",
    ),
    "NUL in the manifest": ({"manifest.json": _manifest_with("model", '"a\\u0000b"')}, "json.malformed"),
    "FLOPs of 1e300": (
        {"manifest.json": _manifest_with("per_sample_training_flops", "1e300")},
        "json.schema",
    ),
    # Non-ASCII, so tarfile writes the name as a PAX record, which keeps the NUL.
    "NUL in a member name": ({"code/\u00e9\x00b.py": b""}, "archive.unsafe_name"),
    "a 300-character name": ({"code/" + "n" * 300 + ".py": b""}, "archive.unsafe_name"),
    "event_type a list": ({"logs/run_1.log": _log_with("[1]", "seed", "event_type")}, "log.garbage_line"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_it_ends_invalid_with_a_finding_instead_of_stuck(case, owner, media_storage):
    changes, code = CASES[case]
    data = tar_gz({**example_files(), **changes})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/api/v1/submissions/", {"bundle": io.BytesIO(data)}, format="multipart")
    assert response.status_code == 202
    submission = Submission.objects.get()
    assert submission.status == Status.INVALID
    findings = list(submission.findings.filter(severity="error"))
    assert code in {f.code for f in findings}, [(f.code, f.message) for f in findings]
    assert all(f.message and len(f.location) <= 255 and "\x00" not in f.location for f in findings)
    detail = client.get(f"/api/v1/submissions/{submission.pk}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == Status.INVALID
