"""Reads for submissions, with the visibility rules in one place.

A submission is private to its owner, the members of its organization and staff until it
is published; then everyone sees it and may download its bundle.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Membership, Organization, StatusEvent, Submission, Webhook
from .states import PUBLIC


def user_organizations(user: User | AnonymousUser) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user)


def user_organization_ids(user: User | AnonymousUser) -> QuerySet[Membership, int]:
    """The ids of the organizations `user` belongs to, as a subquery."""
    if not user.is_authenticated:
        return Membership.objects.none().values_list("organization_id", flat=True)
    return Membership.objects.filter(user_id=user.pk).values_list("organization_id", flat=True)


def user_is_member(
    user: User | AnonymousUser, organization_id: int | None, *, role: str | None = None
) -> bool:
    """Whether `user` belongs to the organization (with `role`, when given: a manager)."""
    if not user.is_authenticated or organization_id is None:
        return False
    memberships = Membership.objects.filter(user_id=user.pk, organization_id=organization_id)
    return (memberships.filter(role=role) if role is not None else memberships).exists()


def submission_visible_q(user: User | AnonymousUser) -> Q:
    public = Q(status__in=PUBLIC)
    if not user.is_authenticated:
        return public
    if user.is_staff:
        return Q()
    return public | Q(owner=user) | Q(organization_id__in=user_organization_ids(user))


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
    return user_is_member(user, submission.organization_id)


def submission_visible_or_404(user: User | AnonymousUser, submission_id: UUID | str) -> Submission:
    """The submission if `user` may see it; else 404, not 403: a private submission's existence
    is private too."""
    submission = submission_list_visible(user).filter(pk=submission_id).first()
    if submission is None:
        raise Http404
    return submission


def submission_list_member(user: User | AnonymousUser) -> QuerySet[Submission]:
    """The user's own submissions and those of their organizations (not everything public)."""
    if not user.is_authenticated:
        return Submission.objects.none()
    org_ids = user_organization_ids(user)
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


def organization_webhooks(organization_id: int) -> QuerySet[Webhook]:
    return Webhook.objects.filter(organization_id=organization_id).prefetch_related("deliveries")
