"""The bundle's JSON files: strict parsing, then their JSON Schemas (draft 2020-12)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from .numbers import finite_float, int64, refuse_nul
from .report import Finding, error, shown
from .spelling import did_you_mean, misspelt_as


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal keys silently; a reviewer would see the first.
    # A key repeated with the very same value (a copy-paste slip in real system
    # descriptions) reads the same either way, so only a differing value is refused.
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen and _as_written(seen[key]) != _as_written(value):
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _as_written(value: Any) -> str:
    """The value as JSON writes it, so that 1, 1.0 and true stay different."""
    return json.dumps(value, sort_keys=True)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json(name: str, data: bytes) -> tuple[Any, list[Finding]]:
    """The decoded document, or ``None`` and the findings that say why not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [error("json.not_utf8", f"{name} is not UTF-8 text (byte {exc.start})", name)]
    try:
        document = json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_no_constants,
            parse_float=finite_float,
            parse_int=int64,
        )
        refuse_nul(text, document)
        return document, []
    except json.JSONDecodeError as exc:
        where = f"{name}:{exc.lineno}:{exc.colno}"
        return None, [
            error("json.malformed", f"{name} line {exc.lineno} column {exc.colno}: {exc.msg}", where)
        ]
    except _DuplicateKey as exc:
        return None, [
            error("json.duplicate_key", f"{name}: key {exc} appears more than once in one object", name)
        ]
    except (ValueError, RecursionError) as exc:
        return None, [error("json.malformed", f"{name}: {exc or 'nested too deeply'}", name)]


@cache
def _validator(schema: str) -> Draft202012Validator:
    text = resources.files(__package__).joinpath("schemas", f"{schema}.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def schema_properties(schema: str) -> frozenset[str]:
    document = _validator(schema).schema
    # A JSON Schema may be a bare true or false, which names no properties.
    return frozenset({} if isinstance(document, bool) else document.get("properties", {}))


def check_schema(name: str, schema: str, document: Any) -> list[Finding]:
    findings = []
    for problem in sorted(_validator(schema).iter_errors(document), key=lambda e: list(e.absolute_path)):
        path, message = problem.json_path, _as_json(problem)
        # oneOf/anyOf messages say only "not valid under any of the given schemas";
        # the schema's description says what would be.
        if problem.validator in ("oneOf", "anyOf") and "description" in problem.schema:
            message = f"{message}; expected {problem.schema['description']}"
        message += _spelling(problem)
        findings.append(error("json.schema", f"{name} at {path}: {message}", f"{name}:{path}"))
    return findings


def _as_json(problem: ValidationError) -> str:
    """jsonschema's message, with the value it starts with as JSON writes it (null, not None)."""
    written = repr(problem.instance)
    if problem.message.startswith(written):
        return shown(problem.instance) + problem.message[len(written) :]
    return problem.message


def _spelling(problem: ValidationError) -> str:
    """ "did you mean" for a value not in an enum, or a missing key that a present one misspells."""
    if problem.validator == "enum" and isinstance(problem.validator_value, list):
        return did_you_mean(problem.instance, [v for v in problem.validator_value if isinstance(v, str)])
    required, schema = problem.validator_value, problem.schema
    if (
        problem.validator != "required"
        or not isinstance(problem.instance, dict)
        or not isinstance(required, list)
    ):
        return ""
    missing = [key for key in required if key not in problem.instance]
    wanted = next((key for key in missing if problem.message.startswith(repr(key))), None)
    known = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return misspelt_as(wanted, set(problem.instance) - set(known)) if wanted else ""


def load_document(name: str, schema: str, data: bytes) -> tuple[dict[str, Any] | None, list[Finding]]:
    """Parse and check one JSON file; the document is returned only when it fits its schema."""
    document, findings = parse_json(name, data)
    if findings:
        return None, findings
    findings = check_schema(name, schema, document)
    return (None if findings else document), findings
