"""Playwright (the pip package) driving Debian's chromium. `playwright install` is never needed."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PRM_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


# Messages the browser logs when the Content-Security-Policy blocks something (an inline script, a foreign
# source): any of them fails the test that caused it (issue 19, item 4).
CSP_VIOLATIONS: list[str] = []


def _watch(page) -> None:
    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            CSP_VIOLATIONS.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


def _watching(browser) -> None:
    """Every page of every context of the session's browser reports CSP violations."""
    new_context, new_page = browser.new_context, browser.new_page

    def context_watched(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.on("page", _watch)
        return context

    def page_watched(*args, **kwargs):
        page = new_page(*args, **kwargs)
        _watch(page)
        return page

    browser.new_context, browser.new_page = context_watched, page_watched


@pytest.fixture(autouse=True)
def no_csp_violations():
    CSP_VIOLATIONS.clear()
    yield
    assert not CSP_VIOLATIONS, "The Content-Security-Policy blocked:\n" + "\n".join(CSP_VIOLATIONS)


@contextmanager
def launch_browser():
    """Chromium for the session `browser` fixture, which lives in tests/conftest.py: browser tests outside this
    directory (tests/sso) share it, since two sync Playwrights cannot run in one process's thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        _watching(browser)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
