"""Reads for submissions, with the visibility rules in one place.

A submission is private to its owner, the members of its organization and staff until it
is published; then everyone sees it and may download its bundle.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from .models import Membership, Organization, StatusEvent, Submission, Webhook
from .states import PUBLIC


def user_organizations(user: User | AnonymousUser) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def submission_visible_q(user: User | AnonymousUser) -> Q:
    public = Q(status__in=PUBLIC)
    if not user.is_authenticated:
        return public
    if user.is_staff:
        return Q()
    org_ids = Membership.objects.filter(user=user).values("organization_id")
    return public | Q(owner=user) | Q(organization_id__in=org_ids)


def submission_list_visible(user: User | AnonymousUser) -> QuerySet[Submission]:
    return Submission.objects.filter(submission_visible_q(user)).select_related(
        "owner", "organization", "suite", "benchmark", "level"
    )


def submission_can_view(user: User | AnonymousUser, submission: Submission) -> bool:
    return submission_list_visible(user).filter(pk=submission.pk).exists()


def submission_can_manage(user: User | AnonymousUser, submission: Submission) -> bool:
    """Owner, a member of its organization, or staff: may withdraw it and see its private history."""
    if not user.is_authenticated:
        return False
    if user.is_staff or submission.owner_id == user.pk:
        return True
    return (
        submission.organization_id is not None
        and Membership.objects.filter(user=user, organization_id=submission.organization_id).exists()
    )


def submission_get_visible(user: User | AnonymousUser, submission_id: UUID | str) -> Submission | None:
    """The submission if `user` may see it, else None: callers answer 404 either way."""
    return submission_list_visible(user).filter(pk=submission_id).first()


def submission_list_member(user: User | AnonymousUser) -> QuerySet[Submission]:
    """The user's own submissions and those of their organizations (not everything public)."""
    if not user.is_authenticated:
        return Submission.objects.none()
    org_ids = Membership.objects.filter(user=user).values("organization_id")
    return Submission.objects.filter(Q(owner=user) | Q(organization_id__in=org_ids)).select_related(
        "owner", "organization", "suite", "benchmark", "level"
    )


def submission_events_visible(user: User | AnonymousUser, submission: Submission) -> QuerySet[StatusEvent]:
    """The whole history for staff; the events not marked staff-only for everyone else.

    `StatusEvent.public=False` marks a reviewers' internal note: the submitter never sees
    it, on the page, in the API or in email.
    """
    events = submission.events.select_related("actor")
    if user.is_authenticated and user.is_staff:
        return events
    return events.filter(public=True)


def is_manager(user: User | AnonymousUser, organization_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(
        user=user, organization_id=organization_id, role=Membership.Role.MANAGER
    ).exists()


def organization_webhooks(organization_id: int) -> QuerySet[Webhook]:
    return Webhook.objects.filter(organization_id=organization_id).prefetch_related("deliveries")
