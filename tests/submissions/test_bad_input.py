"""Bad input never crashes a worker or loses a bundle.

Over the hard limit, or with no bytes at all, the request is refused and nothing is stored.
Anything else is stored, validated, ends `invalid` with its own finding code, and its
original bytes stay downloadable, byte for byte, by their owner.
"""

from __future__ import annotations

import gzip
import json

import pytest
from django.core.files.uploadhandler import StopUpload
from django.test import RequestFactory

from benchcouncil.upload_limit import HardLimitUploadHandler, upload_refused
from submissions.bundles.pack import pack_files
from submissions.models import Submission
from submissions.states import Status
from tests.support.archives import symlink, tar_gz, zip_bytes
from tests.support.intake_bundles import bundle_files, stored_bundles, upload

pytestmark = pytest.mark.django_db


def _with(**changes: bytes) -> bytes:
    files = bundle_files()
    files.update({name.replace("__", "/"): body for name, body in changes.items()})
    return pack_files(files)


def _bomb() -> bytes:
    # 4 MiB of zeros compresses to a few KiB: far past the expansion-ratio limit.
    return tar_gz({"logs/zeros.log": bytes(4 * 1024 * 1024)})


def _traversal() -> bytes:
    files = bundle_files()
    files["../../etc/cron.d/evil"] = b"* * * * * root true\n"
    return tar_gz(files)


def _symlink() -> bytes:
    return tar_gz(bundle_files(), [symlink("logs/run_9.log", "/etc/passwd")])


def _garbage_log() -> bytes:
    files = bundle_files()
    files["logs/run_2.log"] += b':::MLLOG {"key": "eval_accuracy", "value": 0.8\n'
    return pack_files(files)


BAD_BUNDLES = {
    "corrupt gzip": (b"\x1f\x8b\x08\x00" + b"not really gzip" * 50, "archive.corrupt"),
    "not an archive": (b"just some text, not a bundle\n" * 10, "archive.unknown_format"),
    "truncated zip": (zip_bytes(bundle_files())[:300], "archive.corrupt"),
    "path traversal": (_traversal(), "archive.path_traversal"),
    "symbolic link": (_symlink(), "archive.symlink"),
    "decompression bomb": (_bomb(), "archive.bomb_ratio"),
    "malformed JSON": (_with(**{"manifest.json": b'{"suite": "hpc-ai500",'}), "json.malformed"),
    "garbage log line": (_garbage_log(), "log.garbage_line"),
}


@pytest.mark.parametrize("case", list(BAD_BUNDLES))
def test_it_stores_a_bad_bundle_and_marks_it_invalid_with_its_code(case, owner_api):
    data, code = BAD_BUNDLES[case]

    response = upload(owner_api, data, "bundle.tar.gz")

    assert response.status_code == 202
    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Status.INVALID
    assert code in set(submission.findings.values_list("code", flat=True))
    detail = owner_api.get(response.json()["url"]).json()
    assert code in {f["code"] for f in detail["findings"]}
    download = owner_api.get(response.json()["links"]["bundle"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data


def test_it_stores_a_bundle_over_the_bundle_limit_and_marks_it_too_large(owner_api, valid_bundle, settings):
    settings.BUNDLE_MAX_BYTES = len(valid_bundle) - 1

    response = upload(owner_api, valid_bundle)

    submission = Submission.objects.get(pk=response.json()["id"])
    assert response.status_code == 202
    assert submission.status == Status.INVALID
    assert list(submission.findings.values_list("code", flat=True)) == ["archive.too_large"]
    download = owner_api.get(response.json()["links"]["bundle"])
    assert b"".join(download.streaming_content) == valid_bundle


def test_it_refuses_an_upload_over_the_hard_limit_with_413(owner_api, valid_bundle, settings):
    settings.UPLOAD_HARD_LIMIT_BYTES = len(valid_bundle) // 2

    response = upload(owner_api, valid_bundle)

    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "upload_too_large"
    assert body["limit_bytes"] == settings.UPLOAD_HARD_LIMIT_BYTES
    assert "nothing was stored" in body["detail"]
    assert not Submission.objects.exists()
    assert stored_bundles(settings) == []


def test_it_stops_reading_a_body_that_streams_past_the_hard_limit(settings):
    # A body whose length is not declared truthfully: the bytes are counted as they arrive.
    settings.UPLOAD_HARD_LIMIT_BYTES = 1000
    request = RequestFactory().post("/")
    handler = HardLimitUploadHandler(request)
    assert handler.handle_raw_input(None, {}, 900, b"b", "utf-8") is None
    handler.new_file("bundle", "bundle.tar.gz", "application/gzip", None)
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600

    with pytest.raises(StopUpload) as stop:
        handler.receive_data_chunk(b"x" * 600, 600)

    assert stop.value.connection_reset
    assert upload_refused(request)


def test_it_refuses_an_empty_file_with_400(owner_api, settings):
    response = upload(owner_api, b"", "bundle.tar.gz")

    assert response.status_code == 400
    assert "empty" in response.json()["bundle"][0]
    assert not Submission.objects.exists()
    assert stored_bundles(settings) == []


def test_it_refuses_a_request_without_a_file_with_400(owner_api):
    response = owner_api.post("/api/v1/submissions/", {"organization": ""}, format="multipart")

    assert response.status_code == 400
    assert response.json()["bundle"] == ["Attach the bundle file as the multipart field 'bundle'."]


def test_it_keeps_a_json_bomb_of_nesting_to_a_finding(owner_api):
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    response = upload(owner_api, _with(**{"system.json": deep}))

    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Status.INVALID
    assert "json.malformed" in set(submission.findings.values_list("code", flat=True))


def test_it_reads_a_gzip_that_is_not_a_tar_as_corrupt(owner_api):
    data = gzip.compress(json.dumps({"not": "a tar"}).encode())
    response = upload(owner_api, data)

    submission = Submission.objects.get(pk=response.json()["id"])
    assert submission.status == Status.INVALID
    assert "archive.corrupt" in set(submission.findings.values_list("code", flat=True))
