"""Signals other apps listen to, so that submissions never import them.

`submission_status_changed` is sent after the transaction that moved a submission commits,
with `submission`, `event` (the StatusEvent written) as keyword arguments. The ranking app
re-ranks on it; notifications and webhooks go out on it.

`submission_status_changing` is sent inside that transaction, once the new status is saved,
with the same arguments: what a reader sees must change with the status or not at all (the
ranking app takes a withdrawn result off its boards, counts and filters included). A receiver
that raises undoes the status change.

`submission_listing_changed` is sent after a change beside the status (its provenance, its
organization) commits, with `submission`: what a board shows of it may have changed, so the
ranking app re-ranks a published one.
"""

from django.dispatch import Signal

submission_status_changed = Signal()
submission_status_changing = Signal()
submission_listing_changed = Signal()
