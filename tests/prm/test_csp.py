"""A Content-Security-Policy on every HTML page, and no inline script left for it to block (issue 19, item 4)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from prm.security import POLICY

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Executable inline script: a <script> without src (JSON data blocks are not executed), an on…= handler, a
# javascript: URL, htmx's hx-on (evaluated code).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"javascript:", re.I)
HX_ON = re.compile(r"\shx-on", re.I)


def test_the_policy_allows_only_our_own_scripts():
    directives = dict(part.split(" ", 1) for part in POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in POLICY
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


@pytest.mark.parametrize("url", ["/accounts/login/", "/apply/"])
def test_public_pages_carry_the_policy(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == POLICY


def test_manager_and_portal_pages_carry_the_policy(manager_client, admin_client_a):
    pages = [(manager_client, "/manage/"), (manager_client, "/manage/partners/"), (admin_client_a, "/portal/")]
    for client, url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Security-Policy"] == POLICY, url


def test_a_csv_export_is_not_given_an_html_policy(manager_client):
    response = manager_client.get("/manage/partners/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "Content-Security-Policy" not in response


def test_no_template_has_inline_script():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "notifications" in path.parts:
            continue  # emails: no script runs in a mail client, and they are not served as pages
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER, JS_URL, HX_ON):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group(0).strip()}")
    assert not offenders, "Inline script the CSP would block:\n" + "\n".join(offenders)
