"""Partner pages: the plan in plain words with a calculator, the partner's earnings with monthly statements
(printable and CSV), and one line with its question thread. Every read is scoped to `request.membership`: another
partner's line is a 404, and so is a colleague's deal for a sales user."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from incentives import selectors, services
from incentives.forms import CalculatorForm
from incentives.services import questions, statements
from incentives.wording import boost_text
from prm.access import partner_required
from prm.csv_export import csv_response
from prm.forms import attach_errors

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
    asked = questions.questions_by_line(line.pk for line in page.object_list)
    context = {
        "nav": "earnings",
        "totals": selectors.earning_totals(lines),
        "page": page,
        "lines": [(line, asked.get(line.pk)) for line in page.object_list],
        "sees_all": selectors.sees_all_earnings(membership),
        "months": statements.statement_months(membership=membership),
    }
    return render(request, "incentives/portal/earnings.html", context)


def _statement(request: HttpRequest, month: str) -> statements.Statement:
    first = statements.parse_month(month)
    if first is None:
        raise Http404("Not found")
    return statements.statement_build(month=first, membership=request.membership)  # type: ignore[attr-defined]


@partner_required
def statement(request: HttpRequest, month: str) -> HttpResponse:
    """One month's statement, printable: the lines earned in it and the payments made in it, totals per currency."""
    context = {"nav": "earnings", "statement": _statement(request, month), "month_code": month}
    return render(request, "incentives/portal/statement.html", context)


@partner_required
def statement_csv(request: HttpRequest, month: str) -> HttpResponse:
    """The same statement as a CSV for the partner's bookkeeping (amounts as numbers, with their currency)."""
    found = _statement(request, month)
    return csv_response(
        name=f"earnings-statement-{found.month:%Y-%m}",
        header=statements.CSV_HEADER,
        rows=statements.statement_rows(found),
    )


class MessageForm(forms.Form):
    # Length is checked by the service, which says how long the message is; the browser limit is a help only.
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))


@partner_required
def line(request: HttpRequest, pk: int) -> HttpResponse:
    """One earning line with its calculation and its question thread; POST asks (or follows up on) a question."""
    membership = request.membership  # type: ignore[attr-defined]
    found = questions.access_line(membership=membership, pk=pk)
    form = MessageForm()
    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            try:
                questions.question_ask(actor=request.user, line=found, body=form.cleaned_data["body"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Your question is sent: the channel team answers here, and you are told.")
                return redirect("portal:earnings_line", pk=found.pk)
    context = {
        "nav": "earnings",
        "line": found,
        "subject": statements.line_subject(found),
        "paid_on": statements.paid_on(found),
        "question": questions.line_question(found),
        "form": form,
        "body_max": f"{questions.BODY_MAX:,}",
    }
    return render(request, "incentives/portal/line.html", context, status=400 if form.errors else 200)


portal_urlpatterns = [
    path("incentives/plan/", plan, name="incentives_plan"),
    path("earnings/", earnings, name="earnings"),
    path("earnings/statements/<str:month>/", statement, name="earnings_statement"),
    path("earnings/statements/<str:month>.csv", statement_csv, name="earnings_statement_csv"),
    path("earnings/lines/<id:pk>/", line, name="earnings_line"),
]
