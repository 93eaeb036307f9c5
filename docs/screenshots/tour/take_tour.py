"""Take the README's "First ten minutes" screenshots of a running demo (`make run`), 1280 px wide, viewport only.

    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python docs/screenshots/tour/take_tour.py [http://127.0.0.1:8000]

Uses Playwright (the pip package) with Debian's chromium (PRM_CHROMIUM, default /usr/bin/chromium). It also prints
where each demo login lands after signing in, which the README's login table states.
"""

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("PRM_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "demo-partner-2026"  # noqa: S105 -- the demo's printed password
LOGINS = [
    "manager@example.com",
    "admin@example.com",
    "anna@northwind.example.com",
    "sam@northwind.example.com",
    "marco@atlas-dist.example.com",
    "ravi@bluepeak.example.com",
    "nadia@cobalt-it.example.com",
    "dev@brightpath.example.com",
]


def sign_in(page: Page, base: str, email: str) -> str:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    return page.url.removeprefix(base)


def shot(page: Page, base: str, path: str, name: str, *, heading: str = "") -> None:
    """The viewport (small files), scrolled so that the `heading` is at the top when given."""
    page.goto(f"{base}{path}")
    page.wait_for_load_state("networkidle")
    if heading:
        top = page.locator(f"h2:text-is('{heading}')").first.evaluate("e => e.getBoundingClientRect().top")
        page.mouse.wheel(0, top + page.evaluate("window.scrollY") - 24)
        page.wait_for_timeout(300)
    page.screenshot(path=str(HERE / f"{name}.png"))
    print(f"  {name}.png  {path}")


def first_link(page: Page, base: str, path: str, pattern: str, text: str) -> str:
    """The href of the first link on `path` matching `pattern` whose text contains `text`."""
    page.goto(f"{base}{path}")
    for link in page.locator("a").all():
        href = link.get_attribute("href") or ""
        if re.fullmatch(pattern, href) and text in link.inner_text():
            return href
    raise SystemExit(f"No link to {text!r} on {path}: is the demo loaded?")


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        print("Where each demo login lands:")
        for email in LOGINS:
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            print(f"  {email:<32} → {sign_in(context.new_page(), base, email)}")
            context.close()

        print("Screenshots:")
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        sign_in(page, base, "manager@example.com")
        shot(page, base, "/manage/", "1-manager-dashboard")
        deal = first_link(page, base, "/manage/deals/review/", r"/manage/deals/\d+/", "Globex Corp.")
        shot(page, base, deal, "2-deal-conflict")
        partner = first_link(page, base, "/manage/partners/", r"/manage/partners/\d+/", "Northwind Solutions")
        shot(page, base, partner, "3-partner-activity", heading="Activity")
        partner_id = partner.rstrip("/").rsplit("/", 1)[-1]
        shot(page, base, f"/manage/mdf/ledger/?partner={partner_id}", "4-mdf-ledger")
        context.close()

        context = browser.new_context(viewport={"width": 1280, "height": 860})
        page = context.new_page()
        sign_in(page, base, "anna@northwind.example.com")
        shot(page, base, "/portal/", "5-portal-home")
        deal = first_link(page, base, "/portal/deals/", r"/portal/deals/\d+/", "Globex Corporation")
        shot(page, base, deal, "6-portal-deal-timeline", heading="Timeline")
        context.close()
        browser.close()


if __name__ == "__main__":
    main((sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000").rstrip("/"))
