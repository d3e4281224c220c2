"""`benchcouncil`: check, pack and submit result bundles, follow them, read leaderboards.

    benchcouncil check bundle.tar.gz                  the server's validator, run locally
    benchcouncil pack results/ bundle.tar.gz          a deterministic bundle from a folder
    benchcouncil submit bundle.tar.gz --wait          upload, then follow validation
    benchcouncil wait SUBMISSION_ID --until published
    benchcouncil leaderboard hpc-ai500 image-classification free --csv
    benchcouncil model-submit --profile smoke --wait  a job for the service's runners
    benchcouncil review queue                         reviewers: the queue, review data, decisions

The commands that talk to the service read BENCHCOUNCIL_URL and BENCHCOUNCIL_TOKEN. They speak
HTTP through benchcouncil_http (requests) and never load the service's Django settings, so the
client runs in any CI image that has the package installed. Exit codes: see EXIT_CODES (`--help`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from benchcouncil.client import leaderboards, models, review, submissions
from benchcouncil.client.errors import EXIT_CODES, OK, USAGE, ApiError, ClientError, UsageError
from benchcouncil.client.http import ApiClient
from benchcouncil.client.polling import Polling

# Bundle commands come from the validator's own command line, unchanged.
DELEGATED = ("check", "pack")
BOARD_FILTERS = ("profile", "category", "accelerator", "framework", "organization", "sort", "as_of")
MODEL_SUBMIT_EPILOG = (
    "The job is --suite, --benchmark and --level, else the spec file's, else $BENCHCOUNCIL_SUITE,\n"
    "$BENCHCOUNCIL_BENCHMARK and $BENCHCOUNCIL_LEVEL. With none of them anywhere, --profile smoke runs\n"
    f"the quickest smoke job: {' '.join(models.SMOKE_DEFAULT.values())}.\n\n"
    "  benchcouncil model-submit --profile smoke --wait\n"
    "  benchcouncil model-submit --suite hpc-ai500 --benchmark image-classification --level system \\\n"
    "      --profile smoke --wait"
)
# Options whose value may start with '-' (a descending sort): argparse would take "-nodes"
# for an option of its own, so "--sort -nodes" is passed on as "--sort=-nodes".
DASHED_VALUES = ("--sort",)


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    out, err = stdout or sys.stdout, stderr or sys.stderr
    if argv and argv[0] in DELEGATED:
        from submissions.bundles import cli as bundles_cli

        return bundles_cli.main(argv, stdout=out)
    parser = _parser()
    try:
        args = parser.parse_args(_glue_dashed_values(argv))
    except SystemExit as exit_:
        return USAGE if exit_.code else OK
    try:
        return args.handler(args, out, err)
    except ClientError as exc:
        print(f"error: {exc}", file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130


def _glue_dashed_values(argv: list[str]) -> list[str]:
    glued: list[str] = []
    for arg in argv:
        if glued and glued[-1] in DASHED_VALUES and arg.startswith("-") and arg != "--":
            glued[-1] = f"{glued[-1]}={arg}"
        else:
            glued.append(arg)
    return glued


# --- Commands -----------------------------------------------------------------------


def cmd_submit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    bundle = Path(args.bundle)
    if args.check:
        from submissions.bundles import cli as bundles_cli

        verdict = bundles_cli.main(["check", str(bundle)], stdout=err)
        if verdict != OK:
            print("error: the bundle is not valid; nothing was uploaded", file=err)
            return verdict
    client = _client(args, err)
    sent = submissions.submit_bundle(
        client, bundle, idempotency_key=args.idempotency_key, organization=args.organization
    )
    submission = sent.submission
    verb = "submitted" if sent.created else "already submitted (same Idempotency-Key)"
    print(f"{verb}: {submission['id']} ({submission['status']})", file=err)
    if not args.wait:
        _print_result(submission, args.json, out, short=True)
        return OK
    return _wait_and_report(client, str(submission["id"]), args, out, err)


def cmd_wait(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return _wait_and_report(_client(args, err), args.submission, args, out, err)


def cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    submission = _client(args, err).get_json(submissions.submission_path(args.submission))
    _print_result(submission, args.json, out)
    return OK


def cmd_leaderboard(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    client, where = _client(args, err), (args.suite, args.benchmark, args.level)
    params = {name: getattr(args, name) for name in BOARD_FILTERS if getattr(args, name)}
    try:
        if args.format == "csv":
            out.write(leaderboards.fetch_leaderboard_csv(client, *where, params))
            return OK
        board = leaderboards.fetch_leaderboard(client, *where, params)
    except ApiError as exc:
        # A 400 here is a filter or sort the board does not have: the command line to fix.
        if exc.status == 400:
            raise UsageError(exc.detail) from exc
        raise
    out.write(leaderboards.render_json(board) if args.json else leaderboards.render_table(board))
    return OK


def cmd_model_submit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    request = model_request(args, err)
    client = _client(args, err)
    job = models.submit_model(client, request)
    print(f"queued: job {job['id']} ({job['status']})", file=err)
    if not args.wait:
        out.write(json.dumps(job, indent=2, sort_keys=True) + "\n" if args.json else f"{job['id']}\n")
        return OK
    code, job, submission = models.wait_for_job(
        client, str(job["id"]), until=args.until, polling=_polling(args, err)
    )
    if args.json:
        out.write(json.dumps({"job": job, "submission": submission}, indent=2, sort_keys=True) + "\n")
    elif submission is not None:
        out.write(submissions.describe(submission))
    else:
        out.write(f"job {job['id']}: {job['status']} {job.get('failure_reason') or ''}".rstrip() + "\n")
    return code


def model_request(args: argparse.Namespace, err: TextIO) -> dict[str, Any]:
    """The job the command line asks for (models.model_request: spec file, environment, defaults)."""
    overrides = {
        "suite": args.suite,
        "benchmark": args.benchmark,
        "level": args.level,
        "profile": args.profile,
        "availability": args.availability,
        "hyperparameters": _json_option(args.hyperparameters, "--hyperparameters"),
        "model": args.model,
        "organization": args.organization,
        "pool": args.pool,
        "time_limit_s": args.time_limit,
        "nodes": args.nodes,
        "accelerators_per_node": args.accelerators_per_node,
    }
    return models.model_request(
        Path(args.spec) if args.spec else None,
        overrides,
        Path(args.model_code) if args.model_code else None,
        on_note=lambda line: print(line, file=err),
    )


def cmd_review(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return int(args.review_handler(args, _client(args, err), out))


def _wait_and_report(client: ApiClient, ref: str, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    code, submission = submissions.wait_for_submission(
        client, ref, until=args.until, polling=_polling(args, err)
    )
    _print_result(submission, args.json, out)
    return code


def _polling(args: argparse.Namespace, err: TextIO) -> Polling:
    """--timeout and --interval; progress lines go to stderr as they come, so a CI log shows them."""
    return Polling(
        timeout_s=args.timeout,
        interval_s=args.interval,
        on_progress=lambda line: print(line, file=err, flush=True),
    )


def _print_result(submission: dict[str, Any], as_json: bool, out: TextIO, short: bool = False) -> None:
    if as_json:
        out.write(json.dumps(submission, indent=2, sort_keys=True) + "\n")
    elif short:
        out.write(f"{submission['id']}\n")
    else:
        out.write(submissions.describe(submission))


# --- Configuration ------------------------------------------------------------------


def _client(args: argparse.Namespace, err: TextIO) -> ApiClient:
    url = args.url or os.environ.get("BENCHCOUNCIL_URL", "")
    token = args.token or os.environ.get("BENCHCOUNCIL_TOKEN") or None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("set BENCHCOUNCIL_URL (or --url) to the service, e.g. https://rankings.example.org")
    if parts.scheme == "http" and token and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        print(f"warning: sending the API token over plain HTTP to {parts.hostname}", file=err)
    return ApiClient(
        base_url=url,
        token=token,
        timeout_s=_env_float("BENCHCOUNCIL_HTTP_TIMEOUT", 120.0),
        retries=args.retries if args.retries is not None else int(_env_float("BENCHCOUNCIL_RETRIES", 5)),
        backoff_s=_env_float("BENCHCOUNCIL_BACKOFF", 1.0),
        on_retry=lambda message: print(f"retrying: {message}", file=err, flush=True),
    )


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    try:
        return float(raw) if raw.strip() else default
    except ValueError as exc:
        raise UsageError(f"{name} must be a number, not {raw!r}") from exc


def _json_option(value: str | None, option: str) -> Any:
    """Inline JSON, or @path to a JSON file."""
    if value is None:
        return None
    try:
        text = Path(value[1:]).read_text() if value.startswith("@") else value
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise UsageError(f"{option}: {exc}") from exc


def _parser() -> argparse.ArgumentParser:
    codes = "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_CODES.items())
    parser = argparse.ArgumentParser(
        prog="benchcouncil",
        description="Check, pack and submit BenchCouncil result bundles; read the leaderboards.",
        epilog=f"environment: BENCHCOUNCIL_URL, BENCHCOUNCIL_TOKEN (docs/ci.md)\nexit codes:\n{codes}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("check", help="validate a bundle locally, as the server does (check --help)")
    commands.add_parser("pack", help="pack a folder into a deterministic bundle (pack --help)")

    service = argparse.ArgumentParser(add_help=False)
    service.add_argument("--url", help="the service's address (default: $BENCHCOUNCIL_URL)")
    service.add_argument("--token", help="API token (default: $BENCHCOUNCIL_TOKEN; prefer the variable)")
    service.add_argument("--retries", type=int, help="retries on network errors, 5xx and 429 (default 5)")
    service.add_argument("--json", action="store_true", help="print the service's answer as JSON")
    waiting = argparse.ArgumentParser(add_help=False)
    waiting.add_argument(
        "--until",
        choices=sorted(submissions.UNTIL),
        default="validated",
        help="validated: stop after validation (default); published: stop after review",
    )
    waiting.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait (default 1800)")
    waiting.add_argument("--interval", type=float, default=5.0, help="seconds between polls (default 5)")

    submit = commands.add_parser("submit", parents=[service, waiting], help="upload a bundle")
    submit.add_argument("bundle")
    submit.add_argument("--idempotency-key", help="default: the bundle's sha256 (a re-run never duplicates)")
    submit.add_argument("--organization", help="slug of your organization")
    submit.add_argument("--check", action="store_true", help="validate locally first; upload only if valid")
    submit.add_argument("--wait", action="store_true", help="follow the submission until --until")
    submit.set_defaults(handler=cmd_submit)

    wait = commands.add_parser("wait", parents=[service, waiting], help="follow a submission")
    wait.add_argument("submission", help="its id or URL")
    wait.set_defaults(handler=cmd_wait)

    status = commands.add_parser("status", parents=[service], help="show a submission")
    status.add_argument("submission", help="its id or URL")
    status.set_defaults(handler=cmd_status)

    board = commands.add_parser("leaderboard", parents=[service], help="print a leaderboard")
    board.add_argument("suite")
    board.add_argument("benchmark")
    board.add_argument("level")
    board.add_argument("--csv", dest="format", action="store_const", const="csv", help="print CSV")
    board.add_argument("--profile", choices=["full", "smoke"], help="smoke results have boards of their own")
    board.add_argument("--category", help="availability: available, preview or research")
    for name in ("accelerator", "framework", "organization"):
        board.add_argument(f"--{name}", help=f"only rows with this {name}")
    board.add_argument("--sort", help="a column, '-' first for descending (default: rank)")
    board.add_argument("--as-of", help="the board at the end of this day, YYYY-MM-DD")
    board.set_defaults(handler=cmd_leaderboard, format="table")

    model = commands.add_parser(
        "model-submit",
        parents=[service, waiting],
        help="queue a runner job",
        description="Queue a job for the service's runners; with --wait, follow it to its submission.",
        epilog=MODEL_SUBMIT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    model.add_argument("spec", nargs="?", help="a JSON file with the request's fields")
    for name in models.JOB:
        model.add_argument(f"--{name}", help=f"default: the spec file's, else ${models.env_name(name)}")
    model.add_argument("--profile", help="full or smoke (a reduced data set; see below)")
    for name in ("availability", "model", "organization", "pool"):
        model.add_argument(f"--{name}")
    model.add_argument("--hyperparameters", help="JSON object, or @file.json")
    model.add_argument("--model-code", help="a Python file with the model (free level)")
    model.add_argument("--time-limit", type=int, help="seconds the job may run")
    model.add_argument("--nodes", type=int, help="nodes to run on (within what the pool offers)")
    model.add_argument(
        "--accelerators-per-node", type=int, help="accelerators on each node (default: all; 0 on CPU nodes)"
    )
    model.add_argument("--wait", action="store_true", help="follow the job, then its submission")
    model.set_defaults(handler=cmd_model_submit)

    review.add_commands(commands, service).set_defaults(handler=cmd_review)
    return parser


if __name__ == "__main__":
    sys.exit(main())
