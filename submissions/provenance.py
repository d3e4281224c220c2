"""Provenance and organization of a submission: set from evidence, changed only with a record.

Runner-verified is derived, never carried: the one way to a runner-verified submission is
submission_create_runner_verified, which the runners app calls once a job's upload has been
checked against the job (runners.provenance). A correction, an import or an admin edit never
yields it. Changing a stored submission's provenance (downward only) or its organization goes
through the services below, which record who and why in its history and recompute its board.
"""

from __future__ import annotations

from typing import IO

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import Organization, Provenance, StatusEvent, Submission
from .services import submission_store
from .signals import submission_listing_changed


def submission_create_runner_verified(
    *,
    owner: User,
    bundle: IO[bytes],
    bundle_name: str,
    organization: Organization | None,
    evidence: str,
) -> Submission:
    """Store a runner job's checked bundle as a runner-verified submission; `evidence` says why.

    No idempotency key: a key is the submitter's to choose, so one could be taken in advance.
    The job itself makes a retried upload idempotent (runners.services.job_accept_bundle).
    """
    if not evidence.strip():
        raise ValueError("A runner-verified submission needs the evidence that makes it one.")
    submission, _ = submission_store(
        owner=owner,
        bundle=bundle,
        bundle_name=bundle_name,
        organization=organization,
        idempotency_key=None,
        supersedes=None,
        provenance=Provenance.RUNNER_VERIFIED,
        evidence=f" {evidence.strip()}",
    )
    return submission


def _check_actor(actor: User, reason: str) -> None:
    if not (actor.is_active and actor.is_staff):
        raise PermissionDenied("Only staff may change a submission's provenance or organization.")
    if not reason.strip():
        raise ValueError("Every change of provenance or organization needs a reason.")


@transaction.atomic
def submission_change_provenance(
    *, submission: Submission, provenance: str, actor: User, reason: str
) -> Submission:
    """Lower a submission's provenance (never to runner-verified), recorded and re-ranked."""
    _check_actor(actor, reason)
    if provenance not in Provenance.values:
        raise ValueError(f"{provenance!r} is not a provenance.")
    if provenance == Provenance.RUNNER_VERIFIED:
        raise ValueError("Runner-verified comes only from a runner job's checked upload, never from an edit.")
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.provenance == provenance:
        return locked
    before = locked.get_provenance_display()
    locked.provenance = provenance
    locked.save(update_fields=["provenance", "updated_at"])
    _record(locked, actor, f"Provenance changed from {before} to {locked.get_provenance_display()}: {reason}")
    submission.provenance = provenance
    return locked


@transaction.atomic
def submission_change_organization(
    *, submission: Submission, organization: Organization | None, actor: User, reason: str
) -> Submission:
    """Move a submission to another organization (or none), recorded and re-ranked."""
    _check_actor(actor, reason)
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.organization_id == (organization.pk if organization else None):
        return locked
    before = locked.organization.name if locked.organization else "no organization"
    locked.organization = organization
    locked.save(update_fields=["organization", "updated_at"])
    after = organization.name if organization else "no organization"
    _record(locked, actor, f"Organization changed from {before} to {after}: {reason}")
    submission.organization = organization
    return locked


def _record(submission: Submission, actor: User, reason: str) -> None:
    # The status does not move: the event says what changed beside it, in the same history.
    StatusEvent.objects.create(
        submission=submission,
        from_status=submission.status,
        to_status=submission.status,
        actor=actor,
        reason=reason,
    )
    transaction.on_commit(lambda: submission_listing_changed.send(sender=Submission, submission=submission))
