"""The money side for the channel team: the ledger (every movement, filtered, with the balance it adds up to),
the payouts due, ROI per partner and per activity, and the MDF settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from mdf import selectors, services
from mdf.forms.manage import LedgerFilterForm, SettingsForm
from mdf.ledger import available_change, balance_totals, balances_for, running_balance
from mdf.models import Budget, FundRequest, LedgerEntry
from mdf.roi import roi_total
from mdf.services.common import admins
from mdf.services.setup import mdf_settings_change
from partners.forms.setup import make_read_only
from partners.models import Partner
from partners.services.program import reporting_currency
from partners.views.setup import program_setup, setup_context
from prm.access import manager_required
from prm.csv_export import exports_csv
from prm.money import Totals, format_money

from .common import NAV, PER_PAGE, attach_errors, m, roi_words, totals_words

# How each kind moves the available balance, in words for the ledger's legend (signs: mdf.ledger.AVAILABLE_SIGN).
KIND_EFFECTS = {
    LedgerEntry.Kind.ALLOCATION: "+ adds funds (a negative allocation corrects one: it takes funds back)",
    LedgerEntry.Kind.RESERVATION: "− an approval takes the amount from what is available and holds it",
    LedgerEntry.Kind.RELEASE: "+ a hold ends (a cancel, a claim for less, an approval that expired): available again",
    LedgerEntry.Kind.PAYOUT: "a hold is paid out: the approval already took it, so the balance does not move",
    LedgerEntry.Kind.EXPIRY: "− unused funds expired at the period's end",
}


def _filtered_balance(filters: dict) -> dict[str, Totals] | None:
    """The balance of the budgets the filters select (a partner, a period or both), one sum per currency; None
    without such a filter."""
    if not (filters.get("partner") or filters.get("period")):
        return None
    budgets = Budget.objects.all()
    if filters.get("partner"):
        budgets = budgets.filter(partner_id=filters["partner"])
    if filters.get("period"):
        budgets = budgets.filter(period_id=filters["period"])
    return balance_totals(balances_for(budgets).values())


@exports_csv("manage:mdf_export", kind="ledger")
@manager_required
def ledger(request: HttpRequest) -> HttpResponse:
    filters = LedgerFilterForm(request.GET).filters()
    entries = selectors.ledger_entries(filters=filters)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    # A running balance of one kind of entry would mean nothing: with a kind filter the rows show amounts only.
    running = not filters.get("kind")
    if running:
        running_balance(entries, rows)
    else:
        for entry in rows:
            entry.change = available_change(entry)
    currency = services.mdf_settings().currency
    balance = _filtered_balance(filters)
    partner = Partner.objects.filter(pk=filters["partner"]).first() if filters.get("partner") else None
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "is_filtered": bool(filters),
        "running": running,
        "balance": balance,
        "balance_words": totals_words(balance, currency) if balance else {},
        "filter_partner": partner,
        "partners": Partner.objects.filter(mdf_budgets__isnull=False).distinct().order_by("name").only("id", "name"),
        "periods": selectors.periods_list(),
        "kinds": LedgerEntry.Kind.choices,
        "effects": KIND_EFFECTS.items(),
        "tab": "ledger",
        "nav": NAV,
    }
    return render(request, "mdf/manage/ledger.html", context)


@exports_csv("manage:mdf_export", kind="payouts")
@manager_required
def payouts(request: HttpRequest) -> HttpResponse:
    due = selectors.payouts_due()
    page = Paginator(due, PER_PAGE).get_page(request.GET.get("page"))
    claims = list(page.object_list)
    today = timezone.localdate()
    currency = services.mdf_settings().currency
    for claim in claims:
        claim.approved_text = m(claim.approved_amount, claim.currency)
        claim.claimed_text = m(claim.amount_claimed, claim.currency)
        claim.days_waiting = (today - timezone.localtime(claim.decided_at).date()).days if claim.decided_at else 0
        claim.amount_value = f"{claim.approved_amount:.2f}"
    by_currency = due.order_by().values("currency").annotate(total=Sum("approved_amount"))
    total = Totals(by_currency.values_list("total", "currency"))
    context = {
        "claims": claims,
        "page": page,
        "count": page.paginator.count,
        "total": total.words() if total else format_money(0, currency),
        "today": today,
        "tab": "payouts",
        "nav": NAV,
    }
    return render(request, "mdf/manage/payouts.html", context)


def roi_activities(request: HttpRequest):
    """The funded activities the ROI page lists (one partner's with `?partner=`), the latest ended first."""
    activities = (
        FundRequest.objects.filter(
            Q(status__in=(FundRequest.Status.CLAIMED, FundRequest.Status.CLOSED, FundRequest.Status.APPROVED))
            | Q(attributions__isnull=False)
        )
        .distinct()
        .select_related("partner", "budget__period")
        .order_by("-ends_on", "-pk")
    )
    partner_id = request.GET.get("partner", "")
    if partner_id.isdigit() and len(partner_id) < 12:
        activities = activities.filter(partner_id=int(partner_id))
    return activities, partner_id


@exports_csv("manage:mdf_export", kind="roi")
@manager_required
def roi(request: HttpRequest) -> HttpResponse:
    currency = reporting_currency()
    partner_rows = selectors.roi_by_partner(currency=currency)
    partners = [{"partner": p, "roi": r, "words": roi_words(r)} for p, r in partner_rows]
    activities, partner_id = roi_activities(request)
    page = Paginator(activities, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    rois = selectors.roi_for_requests(rows, currency=currency)
    items = [{"fr": fr, "roi": rois[fr.pk], "words": roi_words(rois[fr.pk])} for fr in rows]
    total = roi_total((r for _, r in partner_rows), currency=currency)
    context = {
        "partners": partners,
        "items": items,
        "page": page,
        "partner_filter": next((p for p, _ in partner_rows if str(p.pk) == partner_id), None),
        "total": total,
        "total_words": roi_words(total),
        "currency": currency,
        "tab": "roi",
        "nav": NAV,
    }
    return render(request, "mdf/manage/roi.html", context)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    """The MDF settings, part of the program setup: program admins change them (audited); plain channel managers
    read them, and get the program setup's 403 page when they post."""
    current = services.mdf_settings()
    if request.method != "POST":
        form = SettingsForm(instance=current)
        return _render_settings(request, form, current)
    form = SettingsForm(request.POST, instance=services.mdf_settings())
    if form.is_valid():
        try:
            _settings, changed = mdf_settings_change(
                actor=request.user, data={name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if changed:
                messages.success(request, "Saved. A change of fiscal calendar applies to periods created from now on.")
            else:
                messages.info(request, "Nothing changed: the settings are as they were.")
            return redirect("manage:mdf_settings")
    return _render_settings(request, form, services.mdf_settings(), status=400)


def _render_settings(request: HttpRequest, form: SettingsForm, current, status: int = 200) -> HttpResponse:
    # An amount band with nobody to give the second approval would leave big requests waiting for ever.
    no_admin = current.admin_approval_above is not None and not admins()
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    context = setup_context(request, form=form, tab="settings", nav=NAV, no_admin=no_admin)
    return render(request, "mdf/manage/settings.html", context, status=status)
