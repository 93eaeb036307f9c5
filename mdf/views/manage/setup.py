"""Program setup, MDF: the budget periods (/manage/program/mdf-periods/).

The same door as the rest of the program setup (`partners.views.setup.program_setup`): channel managers only; a
program admin adds and changes periods; a plain channel manager reads them, and gets the 403 page when it posts.
The MDF settings page stays at /manage/mdf/settings/ (mdf/views/manage/ledger.py) behind the same door.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from mdf.forms.setup import PeriodForm
from mdf.models import Period
from mdf.services import setup as services
from mdf.services.periods import mdf_settings
from mdf.services.setup import PERIOD_FIELDS
from partners.forms.setup import make_read_only
from partners.views.setup import program_setup, register_setup_summary, setup_context
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors
from prm.money import format_money


@exports_csv("manage:setup_mdf_period_export")
@program_setup
@require_http_methods(["GET", "HEAD"])
def period_list(request: HttpRequest) -> HttpResponse:
    context = setup_context(request, rows=services.period_rows(), settings=mdf_settings())
    return render(request, "mdf/setup/period_list.html", context)


@program_setup
@require_http_methods(["GET", "HEAD"])
def period_export(request: HttpRequest) -> HttpResponse:
    """The MDF periods the page lists, newest first, with their budgets and whether unused funds expired."""
    rows = (
        [
            row["period"].name,
            row["period"].starts_on.isoformat(),
            row["period"].ends_on.isoformat(),
            row["budgets"],
            csv_time(row["period"].funds_expired_at),
        ]
        for row in services.period_rows()
    )
    header = ["period", "starts", "ends", "budgets", "unused funds expired"]
    return csv_response(name="mdf-periods", header=header, rows=rows)


def _render_form(request: HttpRequest, form: PeriodForm, period: Period | None = None, status: int = 200):
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    return render(
        request, "mdf/setup/period_form.html", setup_context(request, form=form, period=period), status=status
    )


def _data(form: PeriodForm) -> dict:
    return {name: form.cleaned_data[name] for name in PERIOD_FIELDS}


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def period_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, PeriodForm(initial=services.suggest_next_period()))
    form = PeriodForm(request.POST)
    if form.is_valid():
        try:
            period = services.period_create(actor=request.user, data=_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{period.name} added.")
            return redirect("manage:setup_mdf_period_list")
    return _render_form(request, form, status=400)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def period_edit(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=pk)
    if request.method != "POST":
        return _render_form(request, PeriodForm(instance=period), period)
    form = PeriodForm(request.POST, instance=Period.objects.get(pk=period.pk))
    if form.is_valid():
        try:
            period, changed = services.period_update(actor=request.user, period=period, data=_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{period.name} saved." if changed else "Nothing changed.")
            return redirect("manage:setup_mdf_period_list")
    return _render_form(request, form, get_object_or_404(Period, pk=pk), status=400)


def _settings_summary() -> list[str]:
    settings = mdf_settings()
    lines = [
        f"Budgets run per {settings.get_period_months_display().lower()}, in {settings.currency}.",
        f"Claims are due {settings.claim_days} days after the activity ends; decisions within "
        f"{settings.review_business_days} business days.",
    ]
    if settings.admin_approval_above is not None:
        lines.append(
            f"Requests above {format_money(settings.admin_approval_above, settings.currency)} need an admin too."
        )
    return lines


def _periods_summary() -> list[str]:
    periods = list(Period.objects.order_by("-starts_on")[:1])
    count = Period.objects.count()
    if not periods:
        return ["No period yet: the first is created when funds are first allocated, or add one."]
    return [f"{count} period{'s' if count != 1 else ''}; the latest is {periods[0].name}."]


# The program setup's index shows these in plain words (partners may not import mdf).
register_setup_summary("manage:mdf_settings", _settings_summary)
register_setup_summary("manage:setup_mdf_period_list", _periods_summary)
