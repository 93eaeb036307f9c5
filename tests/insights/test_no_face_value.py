"""Two currencies are never added at face value, on any page.

The data: partner A won a USD 1,234.00 deal and a EUR 10.00 deal (both attributed to a paid MDF activity), the
startup recorded USD 1,234.00 and EUR 10.00 of direct revenue, and there is NO EUR rate. Any page that adds the two
as they are would print "1,244" (or 1244 in a CSV or chart data); the right pages say $1,234 and list €10 apart as
not converted. The test crawls every manager page without parameters, the detail pages of the objects involved,
and the partner's own pages, and fails if the face-value sum ever appears."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from dealreg.models import Registration
from insights.models import DirectRevenue
from mdf import services as mdf_services
from prm.money import month_of
from prm.urls import manage_patterns, portal_patterns
from tests.dealreg.factories_registrations import RegistrationFactory
from tests.mdf.factories import claimed_request, funded_budget

D = Decimal
# The face-value sum in every shape a page or a file could print it.
FACE_VALUE = re.compile(r"(?<![\d.,])(?:1,244|1244|1\s244|1\.244)(?![\d]|,\d{3})")


@pytest.fixture
def mixed(partner_a, partner_a_admin, channel_manager):
    now = timezone.now()
    budget = funded_budget(partner_a, "5000")
    request = claimed_request(partner=partner_a, budget=budget, amount="500", claimed="500")
    claim = mdf_services.claim_approve(actor=channel_manager, claim=request.claim)
    mdf_services.claim_pay(actor=channel_manager, claim=claim, paid_on=timezone.localdate(), reference="R-1")
    usd = RegistrationFactory(
        partner=partner_a,
        name="Dollar Deal",
        status=Registration.Status.WON,
        stage=Registration.Stage.WON,
        currency="USD",
        value=D("1234.00"),
        won_amount=D("1234.00"),
        submitted_at=now - timedelta(days=20),
        decided_at=now - timedelta(days=19),
        closed_at=now - timedelta(days=3),
    )
    eur = RegistrationFactory(
        partner=partner_a,
        name="Euro Deal",
        status=Registration.Status.WON,
        stage=Registration.Stage.WON,
        currency="EUR",
        value=D("10.00"),
        won_amount=D("10.00"),
        submitted_at=now - timedelta(days=20),
        decided_at=now - timedelta(days=19),
        closed_at=now - timedelta(days=3),
    )
    for registration in (usd, eur):
        mdf_services.attribution_add(actor=partner_a_admin, request=request, registration=registration)
    month = month_of(now - timedelta(days=3))
    DirectRevenue.objects.create(month=month, amount=D("1234.00"), currency="USD")
    DirectRevenue.objects.create(month=month, amount=D("10.00"), currency="EUR")
    return {"request": request, "claim": claim, "registrations": (usd, eur), "partner": partner_a}


def _manage_urls_without_parameters() -> list[str]:
    urls = []
    for pattern in manage_patterns:
        if isinstance(pattern, URLPattern) and pattern.name and not pattern.pattern.converters:
            urls.append(reverse(f"manage:{pattern.name}"))
    return urls


def _portal_urls_without_parameters() -> list[str]:
    return [
        reverse(f"portal:{p.name}")
        for p in portal_patterns
        if isinstance(p, URLPattern) and p.name and not p.pattern.converters
    ]


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _assert_no_face_value(client, urls: list[str]) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200:
            continue
        text = _text(response)
        found = FACE_VALUE.search(text)
        assert found is None, (
            f"{url} adds USD and EUR at face value: …{text[max(found.start() - 80, 0) : found.end() + 40]}…"
        )
        pages[url] = text
    return pages


def test_no_manager_page_adds_two_currencies_at_face_value(manager_client, mixed):
    request, claim, (usd, eur) = mixed["request"], mixed["claim"], mixed["registrations"]
    partner = mixed["partner"]
    urls = _manage_urls_without_parameters()
    urls += [
        reverse("manage:mdf_roi") + f"?partner={partner.pk}",
        reverse("manage:mdf_request", args=[request.pk]),
        reverse("manage:mdf_claim", args=[claim.pk]),
        reverse("manage:deal_detail", args=[usd.pk]),
        reverse("manage:deal_detail", args=[eur.pk]),
        reverse("manage:partner_detail", args=[partner.pk]),
        reverse("manage:partner_scorecard", args=[partner.pk]),
        reverse("manage:dashboard") + "?period=12m",
        reverse("manage:deals") + "?status=won",
    ]
    pages = _assert_no_face_value(manager_client, urls)
    # The pages that matter were really crawled, and they list the EUR apart instead of dropping it.
    roi = pages[reverse("manage:mdf_roi")]
    assert "$1,234.00" in roi
    assert "€10.00 not converted" in roi
    assert "of the converted amounts only" in roi
    detail = pages[reverse("manage:mdf_request", args=[request.pk])]
    assert "€10.00 not converted" in detail
    money = pages[reverse("manage:money")]
    assert "EUR" in money
    assert "Enter the rate" in money
    deals = pages[reverse("manage:deals")]
    assert "$1,234" in deals
    assert "€10" in deals


def test_no_partner_page_adds_two_currencies_at_face_value(admin_client_a, mixed):
    request, (usd, eur) = mixed["request"], mixed["registrations"]
    urls = _portal_urls_without_parameters()
    urls += [
        reverse("portal:mdf_request", args=[request.pk]),
        reverse("portal:deal_detail", args=[usd.pk]),
        reverse("portal:deal_detail", args=[eur.pk]),
    ]
    pages = _assert_no_face_value(admin_client_a, urls)
    # The partner sees its own amounts in their own currencies, side by side.
    mdf_page = pages[reverse("portal:mdf_request", args=[request.pk])]
    assert "$1,234.00" in mdf_page
    assert "€10.00" in mdf_page


def test_the_face_value_pattern_would_catch_a_naive_sum():
    naive = sum((D("1234.00"), D("10.00")))
    for shown in (f"{naive:,.2f}", f"${naive:,.0f}", f"{naive}", f"{naive:,.0f} USD"):
        assert FACE_VALUE.search(shown), shown
    for fine in ("$1,234.00", "€10.00", "1,234 + €10", "12440", "$1,234 (+ €10 not converted)"):
        assert not FACE_VALUE.search(fine), fine
