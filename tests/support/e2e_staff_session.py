"""A reviewer's browser session over plain HTTP: log in, open a submission, decide on it.

The review decision has no API endpoint: reviewers decide in the review pages, so the test
does what a reviewer's browser does (session cookie, CSRF token, form posts).
"""

from __future__ import annotations

import http.cookiejar
import urllib.parse
import urllib.request


class StaffSession:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str]:
        with self.opener.open(self.base_url + path, timeout=30) as answer:
            return answer.status, answer.read().decode()

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
            self.base_url + path, data=data, headers={"Referer": self.base_url + path}
        )
        with self.opener.open(request, timeout=30) as answer:
            return answer.status, answer.read().decode()

    def log_in(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        self.post_form("/accounts/login/", {"username": username, "password": password})
        if "sessionid" not in {cookie.name for cookie in self.jar}:
            raise AssertionError(f"{username} could not log in")

    def approve(self, submission_id: str, reason: str) -> str:
        status, page = self.get(f"/review/{submission_id}/")
        assert status == 200, page[:500]
        status, page = self.post_form(
            f"/review/{submission_id}/decide/", {"decision": "approve", "reason": reason, "public": "on"}
        )
        assert status == 200, page[:500]
        return page

    def _csrf(self) -> str:
        for cookie in self.jar:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        raise AssertionError("no CSRF cookie: open a page with a form first")
