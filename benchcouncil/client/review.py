"""`benchcouncil review ...`: the review queue, a submission's review data, decisions (reviewers).

Everything goes through the review API (/api/v1/review/), with the reviewer's own token.
"""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from .errors import INVALID, OK
from .http import ApiClient, json_body

REVIEW = "api/v1/review/"
DECISIONS = ("approve", "reject", "request_changes", "supersede", "withdraw")
QUEUE_FILTERS = ("suite", "benchmark", "level", "organization", "provenance")


def add_commands(commands: Any, service: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The `review` command and its subcommands, on the main parser's subparsers.

    Each subcommand sets `review_handler(args, client, out)`; the caller sets `handler`.
    """
    review = commands.add_parser("review", help="review submissions (reviewers only)")
    sub = review.add_subparsers(dest="review_command", required=True, metavar="REVIEW_COMMAND")

    queue = sub.add_parser("queue", parents=[service], help="list the submissions awaiting review")
    for name in QUEUE_FILTERS:
        queue.add_argument(f"--{name}", help=f"only submissions with this {name} (its slug)")
    queue.add_argument("--flagged", action="store_true", help="only those sharing bytes with an earlier one")
    queue.add_argument("--decidable", action="store_true", help="only those you may decide on")
    queue.set_defaults(review_handler=cmd_queue)

    show = sub.add_parser("show", parents=[service], help="a submission's review data")
    show.add_argument("submission", help="its id")
    show.set_defaults(review_handler=cmd_show)

    decide = sub.add_parser("decide", parents=[service], help="decide on one or more submissions")
    decide.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="their ids")
    decide.add_argument("--decision", required=True, choices=DECISIONS)
    decide.add_argument("--reason", required=True, help="recorded on each submission's history")
    decide.add_argument("--staff-only", action="store_true", help="keep the reason from the submitter")
    decide.set_defaults(review_handler=cmd_decide)

    reproduce = sub.add_parser("reproduce", parents=[service], help="ask a runner to re-run a submission")
    reproduce.add_argument("submission", help="its id")
    reproduce.add_argument("--reason", required=True)
    reproduce.set_defaults(review_handler=cmd_reproduce)
    return review


def cmd_queue(args: argparse.Namespace, client: ApiClient, out: TextIO) -> int:
    query = {name: getattr(args, name) for name in QUEUE_FILTERS if getattr(args, name)}
    query.update({name: "true" for name in ("flagged", "decidable") if getattr(args, name)})
    queue = client.get_json(f"{REVIEW}queue/", query or None)
    if args.json:
        out.write(json.dumps(queue, indent=2, sort_keys=True) + "\n")
        return OK
    entries = queue.get("results") or []
    if not entries:
        out.write("Nothing awaits review.\n")
    for entry in entries:
        s = entry["submission"]
        what = "/".join(str(s[k]) for k in ("suite", "benchmark", "level") if s.get(k))
        flags = []
        if entry.get("duplicates"):
            flags.append(f"shares bytes with {entry['duplicates']} earlier submission(s)")
        if not entry.get("can_decide"):
            flags.append("yours or your organization's")
        line = f"{s['id']}  {s['created_at'][:16]}  {s['bundle_name']}  {what}  runs {entry.get('runs')}"
        out.write(line + (f"  [{'; '.join(flags)}]" if flags else "") + "\n")
    return OK


def cmd_show(args: argparse.Namespace, client: ApiClient, out: TextIO) -> int:
    data = client.get_json(f"{REVIEW}submissions/{args.submission.strip('/')}/")
    out.write(json.dumps(data, indent=2, sort_keys=True) + "\n" if args.json else describe(data))
    return OK


def cmd_decide(args: argparse.Namespace, client: ApiClient, out: TextIO) -> int:
    payload = {
        "submissions": args.submissions,
        "decision": args.decision,
        "reason": args.reason,
        "public": not args.staff_only,
    }
    # Not retried blindly: a decision whose answer was lost is already recorded.
    answer = client.post(f"{REVIEW}decisions/", json_body(payload), idempotent=False).json()
    if args.json:
        out.write(json.dumps(answer, indent=2, sort_keys=True) + "\n")
    else:
        for result in answer.get("results") or []:
            verdict = f"now {result['status']}" if result["decided"] else f"left as it is: {result['detail']}"
            out.write(f"{result['submission']}: {verdict}\n")
    return OK if answer.get("decided") == len(args.submissions) else INVALID


def cmd_reproduce(args: argparse.Namespace, client: ApiClient, out: TextIO) -> int:
    path = f"{REVIEW}submissions/{args.submission.strip('/')}/reproductions/"
    check = client.post(path, json_body({"reason": args.reason}), idempotent=False).json()
    if args.json:
        out.write(json.dumps(check, indent=2, sort_keys=True) + "\n")
    else:
        out.write(f"reproduction queued as runner job {check['job_id']}\n")
    return OK


def describe(data: dict[str, Any]) -> str:
    s = data["submission"]
    lines = [f"submission {s['id']}: {s['status']}, {s['bundle_name']} from {s['owner']}"]
    what = "/".join(str(s[k]) for k in ("suite", "benchmark", "level") if s.get(k))
    if what:
        lines.append(f"  {what}, {s['provenance']}")
    for match in data.get("duplicates") or []:
        lines.append(f"  SENT BEFORE: {match['description']} (submission {match['submission']})")
    for finding in data.get("findings") or []:
        lines.append(f"  {str(finding['severity']).upper():7} {finding['code']}: {finding['message']}")
    for row in data.get("hyperparameters") or []:
        if row.get("differs"):
            allowed = "allowed" if row.get("allowed") else "NOT allowed"
            lines.append(f"  hyper-parameter {row['name']} differs from the reference ({allowed})")
    if data.get("conflict"):
        lines.append(f"  you may not decide: {data['conflict']}")
    else:
        lines.append(f"  decide with: benchcouncil review decide {s['id']} --decision DECISION --reason TEXT")
    return "\n".join(lines) + "\n"
