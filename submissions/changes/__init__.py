"""A submitter's own changes to a submission: withdrawing it, correcting it."""
