"""What keeps a review honest: who may decide on a submission, and what was sent before.

A reviewer never decides on a submission they sent or their organization sent (a conflict
of interest), and a bundle or run log already sent by another submission is flagged, so a
result cannot be ranked twice or borrowed from someone else unnoticed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from submissions.models import Run, Submission
from submissions.selectors import user_organization_ids

from .selectors import is_reviewer


def review_conflict(user: User | AnonymousUser, submission: Submission) -> str | None:
    """Why this user may not decide on this submission, or None when nothing stands in the way."""
    if not is_reviewer(user):
        return "Only reviewers decide on submissions."
    return interest_conflict(submission, user_id=user.pk, organization_ids=set(user_organization_ids(user)))


def interest_conflict(
    submission: Submission, *, user_id: int | None, organization_ids: set[int]
) -> str | None:
    """The conflict-of-interest rule alone, for callers that decide on many submissions at once."""
    if submission.owner_id == user_id:
        return "You sent this submission: another reviewer decides on it."
    if submission.organization_id is not None and submission.organization_id in organization_ids:
        return "Your organization sent this submission: a reviewer from outside it decides on it."
    return None


def review_can_decide(user: User | AnonymousUser, submission: Submission) -> bool:
    return review_conflict(user, submission) is None


@dataclass(frozen=True)
class DuplicateMatch:
    """Another submission that carries the same bytes: the whole bundle, or one run's log."""

    other: Submission
    what: str  # "bundle", or the log's name in this submission
    other_what: str  # "bundle", or the log's name in the other submission
    sha256: str

    @property
    def description(self) -> str:
        if self.what == "bundle":
            return "the same bundle, byte for byte"
        return f"{self.what} is {self.other_what} of that submission, byte for byte"


def duplicate_matches(submission: Submission) -> list[DuplicateMatch]:
    """Earlier submissions whose bundle or any run log has the same sha256 as this one's."""
    earlier = Submission.objects.exclude(pk=submission.pk).filter(created_at__lt=submission.created_at)
    matches = [
        DuplicateMatch(other, "bundle", "bundle", submission.bundle_sha256)
        for other in earlier.filter(bundle_sha256=submission.bundle_sha256).select_related("owner")
        if submission.bundle_sha256
    ]
    logs = {run.log_sha256: run.log_name for run in submission.runs.all() if run.log_sha256}
    same_logs = (
        Run.objects.filter(log_sha256__in=logs, submission__in=earlier)
        .select_related("submission", "submission__owner")
        .order_by("submission__created_at", "index")
    )
    matches += [
        DuplicateMatch(run.submission, logs[run.log_sha256], run.log_name, run.log_sha256)
        for run in same_logs
    ]
    return matches


def duplicate_flags(submission_ids: Iterable[UUID]) -> dict[UUID, int]:
    """For each of these submissions, how many earlier ones share its bundle or a run log."""
    ids = list(submission_ids)
    flags: dict[UUID, set[UUID]] = defaultdict(set)
    mine = Submission.objects.filter(pk__in=ids).values_list("pk", "bundle_sha256", "created_at")
    by_digest: dict[str, list[tuple[UUID, object]]] = defaultdict(list)
    for pk, digest, created in mine:
        if digest:
            by_digest[digest].append((pk, created))
    for other_pk, digest, created in Submission.objects.filter(bundle_sha256__in=by_digest).values_list(
        "pk", "bundle_sha256", "created_at"
    ):
        for pk, mine_created in by_digest[digest]:
            if other_pk != pk and created < mine_created:  # type: ignore[operator]
                flags[pk].add(other_pk)
    runs = Run.objects.filter(submission_id__in=ids).exclude(log_sha256="")
    logs: dict[str, list[tuple[UUID, object]]] = defaultdict(list)
    for pk, digest, created in runs.values_list("submission_id", "log_sha256", "submission__created_at"):
        logs[digest].append((pk, created))
    same = Run.objects.filter(log_sha256__in=logs).filter(~Q(log_sha256=""))
    for other_pk, digest, created in same.values_list(
        "submission_id", "log_sha256", "submission__created_at"
    ):
        for pk, mine_created in logs[digest]:
            if other_pk != pk and created < mine_created:  # type: ignore[operator]
                flags[pk].add(other_pk)
    return {pk: len(others) for pk, others in flags.items()}
