"""Signals other apps listen to, so that submissions never import them.

`submission_status_changed` is sent after the transaction that moved a submission commits,
with `submission`, `event` (the StatusEvent written) as keyword arguments. The ranking app
re-ranks on it; notifications and webhooks go out on it.
"""

from django.dispatch import Signal

submission_status_changed = Signal()
