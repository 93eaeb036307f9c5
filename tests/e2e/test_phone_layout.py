"""Every main page at 390 px, signed in as the channel manager and as each partner role, on the demo data: no page
scrolls sideways, and the navigation folds into a menu that opens and lists the sections.

Pages are found by walking the menu's links and each section's tabs, plus the lists below (forms, and one detail
page of each kind, picked from its list). A screenshot of every page goes to /tmp/prm-phone-screenshots/ (or
$PRM_PHONE_SCREENSHOTS); with PRM_README_SCREENSHOTS=1 a few also go to docs/screenshots/phone/ for the README.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from partners.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("PRM_PHONE_SCREENSHOTS", "/tmp/prm-phone-screenshots"))  # noqa: S108 -- test output
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "phone"

# Forms and pages the menu and the tabs do not lead to.
MANAGER_PAGES = [
    "/manage/imports/",
    "/manage/incentives/payouts/",
    "/manage/incentives/questions/",
    "/manage/incentives/recognition/",
    "/manage/webhooks/",
    "/manage/partners/new/",
    "/manage/program/settings/",
    "/manage/program/tiers/",
    "/manage/program/tiers/new/",
    "/manage/accounts/new/",
    "/manage/accounts/import/",
    "/manage/enablement/library/new/",
    "/manage/enablement/courses/new/",
    "/manage/enablement/certifications/new/",
    "/manage/insights/money/rates/new/",
    "/manage/insights/customers/new/",
    "/manage/program/",
    "/manage/program/deal-policy/",
    "/manage/program/products/",
    "/manage/program/products/new/",
    "/manage/program/mdf-periods/",
    "/manage/program/mdf-periods/new/",
    "/manage/program/notifications/",
    "/manage/program/start/",
    "/manage/deals/review/",
    "/inbox/",
    "/notifications/settings/",
]
# (list page, link pattern): the first link on the list that matches is the detail page visited.
MANAGER_DETAILS = [
    ("/manage/partners/", r"^/manage/partners/\d+/$"),
    ("/manage/applications/", r"^/manage/applications/\d+/$"),
    ("/manage/deals/", r"^/manage/deals/\d+/$"),
    ("/manage/accounts/", r"^/manage/accounts/\d+/$"),
    ("/manage/enablement/courses/", r"^/manage/enablement/courses/\d+/$"),
    ("/manage/enablement/library/", r"^/manage/enablement/library/\d+/$"),
    ("/manage/enablement/certifications/", r"^/manage/enablement/certifications/\d+/$"),
    ("/manage/mdf/requests/", r"^/manage/mdf/requests/\d+/$"),
    ("/manage/mdf/claims/", r"^/manage/mdf/claims/\d+/$"),
    ("/manage/insights/customers/", r"^/manage/insights/customers/\d+/$"),
    ("/manage/insights/reviews/", r"^/manage/insights/reviews/\d+/$"),
    ("/manage/program/tiers/", r"^/manage/program/tiers/\d+/$"),
]
PORTAL_PAGES = ["/portal/deals/new/", "/portal/training/catalogue/", "/portal/training/library/"]
PORTAL_DETAILS = [
    ("/portal/deals/", r"^/portal/deals/\d+/$"),
    ("/portal/training/catalogue/", r"^/portal/training/courses/[\w-]+/$"),
    ("/portal/training/library/", r"^/portal/training/library/\d+/$"),
    ("/portal/mdf/", r"^/portal/mdf/requests/\d+/$"),
    ("/portal/mdf/", r"^/portal/mdf/claims/\d+/$"),
    ("/portal/reviews/", r"^/portal/reviews/\d+/$"),
    ("/portal/training/", r"^/portal/training/certifications/\d+/$"),
]
# The demo's people, one per role (partners/demo.py), and the pages only their role reaches. The manager and the
# partner admin also walk each section's tabs; the other roles see the same tabs and are kept to the menu, their
# lists, forms and detail pages, so the test stays near a minute.
ROLES = [
    ("manager", "manager@example.com", MANAGER_PAGES, MANAGER_DETAILS),
    (
        "partner-admin",
        "anna@northwind.example.com",
        [
            *PORTAL_PAGES,
            "/portal/agreement/",
            "/portal/training/team/",
            "/portal/mdf/requests/new/",
            "/portal/incentives/plan/",
            "/inbox/",
            "/notifications/settings/",
        ],
        PORTAL_DETAILS,
    ),
    ("seller", "sam@northwind.example.com", PORTAL_PAGES, PORTAL_DETAILS),
    ("technical", "lee@northwind.example.com", PORTAL_PAGES, PORTAL_DETAILS),
    ("finance", "tom@atlas-dist.example.com", PORTAL_PAGES, PORTAL_DETAILS),
    ("marketing", "dev@brightpath.example.com", [*PORTAL_PAGES, "/portal/mdf/requests/new/"], PORTAL_DETAILS),
    ("distributor-admin", "marco@atlas-dist.example.com", [], [("/portal/resellers/", r"^/portal/resellers/\d+/$")]),
]
# The README's handful: (role, path) → file name.
README = {
    ("manager", "/manage/"): "manage-dashboard",
    ("manager", "menu"): "manage-menu-open",
    ("manager", "/manage/deals/"): "manage-deals",
    ("partner-admin", "/portal/"): "portal-home",
    ("partner-admin", "/portal/mdf/"): "portal-mdf",
    ("seller", "/portal/deals/"): "portal-deals",
}

# What sticks out past the right edge (outermost elements only), to say why a page scrolls sideways.
OVERFLOW = """() => {
  const root = document.documentElement, width = root.clientWidth, culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect(), parent = el.parentElement.getBoundingClientRect();
    if (box.width && box.right > width + 1 && parent.right <= width + 1) {
      const name = `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`;
      culprits.push(`${name} (right edge at ${Math.round(box.right)})`);
    }
  }
  return {scrollWidth: root.scrollWidth, clientWidth: width, culprits: culprits.slice(0, 4)};
}"""


@pytest.fixture
def demo(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fifteen sign-ups, kept quick
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 -- closed with the process


def _slug(path: str) -> str:
    return re.sub(r"[^\w]+", "-", path.strip("/")) or "home"


def _links(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")


def _sign_in(page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(re.compile(r"/(manage|portal)/"))


def _check_menu(page, role: str, problems: list[str]) -> list[str]:
    """Opens the menu from the keyboard; returns its links. The row of links is hidden on a phone."""
    assert page.locator(".nav-wide").is_hidden(), "the wide navigation should be folded away at 390 px"
    menu = page.locator(".nav-menu")
    page.focus(".nav-menu > summary")
    page.keyboard.press("Enter")
    links = menu.locator(".main-nav a")
    if not (menu.get_attribute("open") is not None and links.count() >= 5 and links.first.is_visible()):
        problems.append(f"{role}: the menu did not open with its section links")
    current = menu.locator(".main-nav a[aria-current=page]")
    if current.count() != 1:
        problems.append(f"{role}: the menu should mark the current section, marks {current.count()}")
    hrefs = _links(page, ".nav-menu .main-nav a")
    page.keyboard.press("Enter")  # and closes again
    if menu.get_attribute("open") is not None:
        problems.append(f"{role}: the menu did not close")
    return hrefs


def test_every_main_page_fits_a_phone(live_server, browser, demo):
    base = live_server.url
    problems: list[str] = []
    seen_details: set[str] = set()
    visited = 0
    for role, email, extra_pages, details in ROLES:
        context = browser.new_context(viewport=PHONE)
        context.set_default_timeout(10_000)
        page = context.new_page()
        _sign_in(page, base, email)
        folder = SHOTS / role
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):  # the last run's pages, whose ids may differ
            old.unlink()
        start = page.url.removeprefix(base)
        if role == "manager":
            page.goto(f"{base}/manage/insights/")  # the dashboard is no section; the menu marks this one
        nav = _check_menu(page, role, problems)
        if role == "manager" and os.environ.get("PRM_README_SCREENSHOTS"):
            README_SHOTS.mkdir(parents=True, exist_ok=True)
            page.click(".nav-menu > summary")
            page.screenshot(path=str(README_SHOTS / f"{README[('manager', 'menu')]}.png"))
            page.click(".nav-menu > summary")
        queue = [start] if role == "distributor-admin" else [start, *nav]  # others cover the shared pages
        queue += extra_pages + [list_path for list_path, _ in details]
        wanted = [pattern for _, pattern in details]  # looked for on every page visited, taken the first time seen
        done: set[str] = set()
        while queue:
            path = queue.pop(0)
            if path.split("?")[0] in done:
                continue
            done.add(path.split("?")[0])
            response = page.goto(base + path)
            visited += 1
            if response is None or response.status >= 400:
                problems.append(f"{role} {path}: answered {response.status if response else 'nothing'}")
            if page.evaluate("() => !!document.querySelector('.htmx-request')"):
                page.wait_for_function("() => !document.querySelector('.htmx-request')")  # a panel htmx loads
            links = _links(page, "main a[href]")
            for pattern in list(wanted):
                match = next((href for href in links if re.search(pattern, href)), None)
                if match:
                    queue.append(match)
                    wanted.remove(pattern)
                    seen_details.add(pattern)
            if path in nav and role in ("manager", "partner-admin"):  # a section's tabs (the same for every role)
                queue += [href for href in _links(page, "main nav.tabs a") if href.startswith(("/manage", "/portal"))]
            if page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"):
                fit = page.evaluate(OVERFLOW)
                problems.append(
                    f"{role} {path}: {fit['scrollWidth']} px wide on a {fit['clientWidth']} px screen; "
                    f"sticking out: {', '.join(fit['culprits'])}"
                )
            page.screenshot(path=str(folder / f"{_slug(path)}.png"))
            if (role, path) in README and os.environ.get("PRM_README_SCREENSHOTS"):
                README_SHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(README_SHOTS / f"{README[(role, path)]}.png"))
        context.close()

    missing = {pattern for _, _, _, details in ROLES for _, pattern in details} - seen_details
    assert not missing, f"no detail page found for {sorted(missing)} (has the demo data changed?)"
    assert visited > 100
    assert not problems, "\n".join(problems)
