"""`python manage.py match_accounts < pairs.jsonl`: the account matcher on JSON lines, without a database.

Each input line is `{"a": {"name": ..., "domain": ..., "country": ...}, "b": {...}}` (missing keys mean empty);
each output line, in the same order, is `{"verdict": ..., "score": ..., "reasons": [...]}` or `{"error": ...}`.
"""

import json
import sys
from collections.abc import Iterable

from django.core.management.base import BaseCommand

from dealreg.matching import Company, match

FIELDS = ("name", "domain", "country")


def _company(value: object, side: str) -> Company:
    if not isinstance(value, dict):
        raise ValueError(f'"{side}" must be an object with name, domain and country')
    unknown_types = [k for k in FIELDS if k in value and not isinstance(value[k], str)]
    if unknown_types:
        raise ValueError(f'"{side}.{unknown_types[0]}" must be a string')
    return Company(**{k: value.get(k, "") for k in FIELDS})


def answer(line: str | bytes) -> dict:
    """The output object for one input line; never raises."""
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError:
            return {"error": "the line is not valid UTF-8"}
    line = line.strip()
    if not line:
        return {"error": "blank line: expected a JSON object with a and b"}
    try:
        data = json.loads(line)
    except (ValueError, RecursionError) as exc:
        return {"error": f"invalid JSON: {exc}"[:300]}
    if not isinstance(data, dict):
        return {"error": "expected a JSON object with a and b"}
    try:
        a, b = _company(data.get("a", {}), "a"), _company(data.get("b", {}), "b")
    except ValueError as exc:
        return {"error": str(exc)}
    result = match(a, b)
    return {"verdict": result.verdict, "score": result.score, "reasons": list(result.reasons)}


class Command(BaseCommand):
    help = "Match pairs of companies read as JSON lines on stdin; write one JSON line per input line."
    requires_system_checks = []  # touches no database, needs no checks
    stealth_options = ("stdin",)

    def handle(self, *args, **options) -> None:
        lines: Iterable[str | bytes] = options.get("stdin") or sys.stdin.buffer
        for line in lines:
            self.stdout.write(json.dumps(answer(line)))
            self.stdout.flush()
