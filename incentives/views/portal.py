"""Partner pages: the plan in plain words with a calculator, and the partner's earnings. Every read is scoped to
`request.partner`."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from incentives import selectors, services
from incentives.forms import CalculatorForm
from incentives.wording import boost_text
from prm.access import partner_required

SECTIONS = (
    ("margin", "Margin by tier"),
    ("deals", "Deals you win"),
    ("bonus", "Bonuses"),
    ("renewals", "Renewals"),
    ("payment", "When you are paid"),
)


def _grouped(sentences) -> list[tuple[str, list[str]]]:
    groups = []
    for key, title in SECTIONS:
        texts = [s.text for s in sentences if s.section == key]
        if texts:
            groups.append((title, texts))
    return groups


@partner_required
def plan(request: HttpRequest) -> HttpResponse:
    """The plan in force today, in plain words, its boosts running now and a calculator."""
    partner = request.partner  # type: ignore[attr-defined]
    version = services.plan_version_in_force()
    upcoming = services.upcoming_version()
    boosts = selectors.active_boosts(version, partner=partner)
    form = CalculatorForm(request.GET or None, initial={"currency": "USD", "involvement": "sourced"})
    estimate = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        estimate = services.calculate_for(
            partner=partner,
            amount=data["amount"],
            currency=data["currency"],
            involvement=data["involvement"],
            products=data["products"],
        )
    context = {
        "nav": "program",
        "version": version,
        "groups": _grouped(services.version_sentences(version)),
        "upcoming": upcoming,
        "boosts": [(b, boost_text(b)) for b in boosts],
        "form": form,
        "estimate": estimate,
    }
    return render(request, "incentives/portal/plan.html", context)


@partner_required
def earnings(request: HttpRequest) -> HttpResponse:
    """The partner's earnings: totals per state and currency, every line with its calculation."""
    membership = request.membership  # type: ignore[attr-defined]
    lines = selectors.earning_lines(membership=membership)
    page = Paginator(lines, 50).get_page(request.GET.get("page"))
    context = {
        "nav": "earnings",
        "totals": selectors.earning_totals(lines),
        "page": page,
        "lines": page.object_list,
        "sees_all": selectors.sees_all_earnings(membership),
    }
    return render(request, "incentives/portal/earnings.html", context)


portal_urlpatterns = [
    path("incentives/plan/", plan, name="incentives_plan"),
    path("earnings/", earnings, name="earnings"),
]
