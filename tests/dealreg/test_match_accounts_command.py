"""`manage.py match_accounts`: JSON lines in, one JSON line out per line, in order, without a database.

No test here has the django_db mark: any database access would fail it."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def run(text: str) -> list[dict]:
    out = io.StringIO()
    call_command("match_accounts", stdin=io.StringIO(text), stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_answer_per_line_in_order():
    lines = [
        {"a": {"name": "Siemens AG"}, "b": {"name": "Siemens Aktiengesellschaft", "country": "DE"}},
        {"a": {"name": "General Electric"}, "b": {"name": "General Mills"}},
        {"a": {"domain": "shop.acme.co.uk"}, "b": {"domain": "https://acme.co.uk"}},
        {"a": {"name": "Acme Logistcs"}, "b": {"name": "Acme Logistics"}},
    ]
    answers = run("".join(json.dumps(line) + "\n" for line in lines))
    assert [a["verdict"] for a in answers] == ["same", "different", "same", "possible"]
    assert answers[2] == {"verdict": "same", "score": 90, "reasons": ["same registrable domain acme.co.uk"]}
    assert all(0 <= a["score"] <= 100 for a in answers)


def test_missing_keys_mean_empty():
    answers = run('{"a": {"name": "Acme Inc"}, "b": {"name": "ACME"}}\n{"a": {}, "b": {}}\n{}\n')
    assert answers[0]["verdict"] == "same"
    assert answers[1] == answers[2]
    assert answers[1]["verdict"] == "different"
    assert answers[1]["score"] == 0


def test_bad_lines_get_an_error_and_the_rest_still_runs():
    text = "\n".join(
        [
            '{"a": {"name": "Acme"}, "b": {"name": "Acme"}}',
            "not json",
            "",
            "[1, 2]",
            '{"a": "Acme", "b": {}}',
            '{"a": {"name": 42}, "b": {}}',
            '{"a": {"name": "Acme"}, "b": {"country": null}}',
            "[" * 100_000,
            '{"a": {"name": "Initech"}, "b": {"name": "Initech Ltd"}}',
        ]
    )
    answers = run(text + "\n")
    assert len(answers) == 9
    assert answers[0]["verdict"] == "same"
    assert answers[1]["error"].startswith("invalid JSON")
    assert answers[2] == {"error": "blank line: expected a JSON object with a and b"}
    assert answers[3] == {"error": "expected a JSON object with a and b"}
    assert answers[4] == {"error": '"a" must be an object with name, domain and country'}
    assert answers[5] == {"error": '"a.name" must be a string'}
    assert answers[6] == {"error": '"b.country" must be a string'}
    assert "error" in answers[7]
    assert answers[8]["verdict"] == "same"


def test_last_line_without_newline_and_windows_line_endings():
    answers = run('{"a": {"name": "Acme"}, "b": {"name": "Acme"}}\r\n{"a": {"name": "Acme"}, "b": {"name": "Acme"}}')
    assert [a["verdict"] for a in answers] == ["same", "same"]


def test_runs_from_a_shell_pipe_without_any_database():
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/no_such_database",  # unreachable: any query would fail
    }
    good = '{"a": {"name": "Nestlé S.A."}, "b": {"name": "Nestle SA"}}\n'.encode()
    data = good + b"\xff-not-utf8\n" + b'{"a": {"name": "Acme"}}\n'
    proc = subprocess.run(
        [sys.executable, "manage.py", "match_accounts"],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=True,
    )
    answers = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert answers[0]["verdict"] == "same"
    assert answers[1] == {"error": "the line is not valid UTF-8"}
    assert answers[2]["verdict"] == "different"
