"""Who sees what: owner, a member of its organization, an outsider, anonymous, an admin.

Before publication only the owner, the organization's members and staff see a submission;
everyone else gets 404 (never 403), on the pages and in the API alike, except that a logged-out
visitor of a page is asked to log in (it may be their own submission, followed from an email),
for an id that exists or not alike. Once published, everyone sees it and may download its bundle.
"""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.support.clients import api_as

pytestmark = pytest.mark.django_db

PRIVATE_VIEWERS = {"owner": True, "member": True, "admin": True, "outsider": False, "anonymous": False}


def _web(who: str, request) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


def _api(who: str, request) -> APIClient:
    return APIClient() if who == "anonymous" else api_as(request.getfixturevalue(who))


def _paths(submission) -> list[str]:
    return [
        f"/submissions/{submission.pk}/",
        f"/submissions/{submission.pk}/bundle/",
        f"/api/v1/submissions/{submission.pk}/",
        f"/api/v1/submissions/{submission.pk}/bundle/",
    ]


@pytest.mark.parametrize("who", list(PRIVATE_VIEWERS))
def test_it_shows_an_unpublished_submission_only_to_its_side_and_staff(who, request, submission):
    expected = 200 if PRIVATE_VIEWERS[who] else 404
    for path in _paths(submission):
        client = _api(who, request) if path.startswith("/api/") else _web(who, request)
        response = client.get(path)
        if who == "anonymous" and path == f"/submissions/{submission.pk}/":
            assert response.status_code == 302, path
            assert response["Location"] == f"/accounts/login/?next={path}"
        else:
            assert response.status_code == expected, path


def test_it_asks_a_logged_out_visitor_to_log_in_for_an_unknown_id_too(client, db):
    path = "/submissions/00000000-0000-0000-0000-000000000000/"
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_it_shows_the_owner_their_private_submission_after_logging_in(client, owner, submission):
    path = f"/submissions/{submission.pk}/"
    login = client.get(path, follow=True)
    assert login.redirect_chain[-1][0] == f"/accounts/login/?next={path}"
    response = client.post(
        f"/accounts/login/?next={path}",
        {"username": "owner", "password": "password", "next": path},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == path
    assert response.status_code == 200
    assert str(submission.pk) in response.content.decode()


@pytest.mark.parametrize("who", list(PRIVATE_VIEWERS))
def test_it_shows_a_published_submission_to_everyone(who, request, published, valid_bundle):
    for path in _paths(published):
        client = _api(who, request) if path.startswith("/api/") else _web(who, request)
        response = client.get(path)
        assert response.status_code == 200, path
        if path.endswith("/bundle/"):
            assert b"".join(response.streaming_content) == valid_bundle


def test_it_answers_404_for_an_id_that_does_not_exist(owner_api):
    assert owner_api.get("/api/v1/submissions/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize(
    ("who", "sees"),
    [("owner", True), ("member", True), ("admin", True), ("outsider", False), ("anonymous", False)],
)
def test_it_lists_an_unpublished_submission_only_for_its_side_and_staff(who, sees, request, submission):
    ids = [s["id"] for s in _api(who, request).get("/api/v1/submissions/").json()["results"]]

    assert (str(submission.pk) in ids) is sees


@pytest.mark.parametrize(("who", "sees"), [("owner", True), ("member", True), ("outsider", False)])
def test_it_lists_my_and_my_organizations_submissions_on_my_page(who, sees, request, submission):
    page = _web(who, request).get("/submissions/")

    assert page.status_code == 200
    assert (f"/submissions/{submission.pk}/" in page.content.decode()) is sees


def test_it_sends_anonymous_visitors_of_my_page_to_log_in(client):
    response = client.get("/submissions/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
