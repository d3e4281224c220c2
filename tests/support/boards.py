"""The board the ranking tests publish onto (the `published` fixture's): HPC AI500 image
classification at the system level, as a page, a JSON API and a CSV export."""

from __future__ import annotations

from django.urls import reverse

ARGS = ["hpc-ai500", "image-classification", "system"]
PAGE = reverse("ranking:leaderboard", args=ARGS)
API = reverse("api-leaderboard", args=ARGS)
CSV = reverse("api-leaderboard-csv", args=ARGS)
