"""Channel managers' deal registration pages: every registration (filters, sort, CSV export), the review queue with
its SLA clock, and a registration's side-by-side conflict view with the decisions."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealreg import selectors, services
from dealreg.forms import AGE_BUCKETS, SORTS, DecisionForm, ManageFilterForm, ResolveForm
from dealreg.hooks import deal_estimates
from dealreg.models import Registration
from partners.models import Partner
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.queue_nav import Walk, queue_filters, walk
from prm.sla import sla_clock
from prm.sla import span as _span

PER_PAGE = 50
Status = Registration.Status


def _waiting(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    return f"waiting {_span((now - since).total_seconds())}"


# --- All registrations -----------------------------------------------------------------------------------------

# The list's orders (?sort=); the first is the default. A tie-breaker keeps pages stable.
ORDERS = {
    "-submitted": (F("submitted_at").desc(nulls_last=True), "-created_at", "-pk"),
    "submitted": (F("submitted_at").asc(nulls_last=True), "pk"),
    "-value": (F("value").desc(nulls_last=True), "-pk"),
    "value": (F("value").asc(nulls_last=True), "pk"),
    "name": ("name", "pk"),
    "due": (F("decision_due_at").asc(nulls_last=True), "pk"),
}


def _registrations(filters: dict):
    """The selector's registrations for these filters, in the order the list asks for."""
    sort = filters.pop("sort", "") or "-submitted"
    return selectors.registration_list(filters=filters).order_by(*ORDERS[sort])


@exports_csv("manage:deal_export")
@manager_required
def registration_list(request: HttpRequest) -> HttpResponse:
    filter_form = ManageFilterForm(request.GET)
    filters = filter_form.filters()
    page = Paginator(_registrations(filters), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    now = timezone.now()
    for registration in rows:
        if registration.status == Status.SUBMITTED:
            registration.sla, registration.overdue = sla_clock(registration.decision_due_at, now)
        registration.days_left = None
        if registration.status == Status.APPROVED and registration.protected_until:
            registration.days_left = max((registration.protected_until - now).days, 0)
    is_filtered = bool(filters)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "sort": filter_form.cleaned_data.get("sort", ""),
        "filter_form": filter_form,
        "is_filtered": is_filtered,
        "any_registration": is_filtered or page.paginator.count > 0,
        "statuses": filter_form.fields["status"].choices[1:],
        "stages": Registration.Stage.choices,
        "involvements": [(v, str(label).split(":", 1)[0]) for v, label in Registration.Involvement.choices],
        "ages": AGE_BUCKETS,
        "sorts": SORTS,
        # Lazy: only the full page's filter form reads it (one query).
        "partners": Partner.objects.order_by("name").only("id", "name"),
        "nav": "deals",
    }
    template = "dealreg/manage/list.html"
    if request.htmx and request.htmx.target == "deal-results" and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


def _queue(conflicts_only: bool):
    qs = selectors.review_queue()
    return qs.filter(has_conflict=True) if conflicts_only else qs


@exports_csv("manage:deal_review_queue_export")
@manager_required
def review_queue(request: HttpRequest) -> HttpResponse:
    conflicts_only = request.GET.get("conflict") == "1"
    page = Paginator(_queue(conflicts_only), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    now = timezone.now()
    for registration in rows:
        registration.sla, registration.overdue = sla_clock(registration.decision_due_at, now)
        registration.waiting = _waiting(registration.submitted_at, now)
    context = {
        "page": page,
        "rows": rows,
        "conflicts_only": conflicts_only,
        # What waits outside the filter, for the empty state of "conflicts only".
        "others": selectors.review_queue().count() if conflicts_only and not rows else 0,
        "start_url": (
            f"{reverse('manage:deal_detail', args=[rows[0].pk])}?queue=review{'&conflict=1' if conflicts_only else ''}"
            if rows
            else ""
        ),
        "nav": "deals",
    }
    return render(request, "dealreg/manage/review_queue.html", context)


def _walk(request: HttpRequest, registration: Registration) -> Walk | None:
    """The review queue around this registration when the page was opened from it (else None)."""
    filters = queue_filters(request, name="review", path=reverse("manage:deal_review_queue"), keep=["conflict"])
    if filters is None:
        return None
    return walk(
        name="review",
        label="review queue",
        list_url=reverse("manage:deal_review_queue"),
        filters=filters,
        keys=_queue_keys(filters),
        current=registration.pk,
        url_for=lambda pk: reverse("manage:deal_detail", args=[pk]),
    )


def _queue_keys(filters: dict) -> list[int]:
    return list(_queue(filters.get("conflict") == "1").values_list("pk", flat=True))


def _decided(request: HttpRequest, registration: Registration, path: Walk | None, done: str) -> HttpResponse:
    """After a decision: the next registration of the queue it was opened from (with what was decided and how
    many are left), else the registration's page as before."""
    if path is None:
        messages.success(request, done)
        return redirect("manage:deal_detail", pk=registration.pk)
    url, left = path.after_decision(_queue_keys(path.filters))
    messages.success(request, f"{done} {left}")
    return redirect(url)


# --- CSV export ------------------------------------------------------------------------------------------------

EXPORT_HEADER = (
    "id",
    "customer",
    "website",
    "country",
    "partner",
    "status",
    "stage",
    "involvement",
    "value",
    "currency",
    "expected close",
    "products",
    "contact name",
    "contact email",
    "conflict",
    "priority",
    "submitted",
    "decision due",
    "decided",
    "protected until",
)


def _export_row(r: Registration) -> list[object]:
    return [
        r.pk,
        r.name,
        r.website,
        r.country.code if r.country else "",
        r.partner.name,
        r.get_status_display(),
        r.get_stage_display(),
        str(r.get_involvement_display()).split(":", 1)[0],
        r.value,
        r.currency,
        r.expected_close.isoformat() if r.expected_close else "",
        r.products,
        r.contact_name,
        r.contact_email,
        "yes" if r.has_conflict else "no",
        "yes" if r.has_priority else "no",
        csv_time(r.submitted_at),
        csv_time(r.decision_due_at),
        csv_time(r.decided_at),
        csv_time(r.protected_until),
    ]


@manager_required
def registration_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every registration matching the list's current filters (not just the page shown), streamed."""
    registrations = _registrations(ManageFilterForm(request.GET).filters()).iterator(chunk_size=1000)
    return csv_response(
        name="deal-registrations",
        header=EXPORT_HEADER,
        rows=(_export_row(registration) for registration in registrations),
    )


@manager_required
def review_queue_export(request: HttpRequest) -> StreamingHttpResponse:
    """The registrations waiting for a decision (conflicts only with `?conflict=1`), in the list export's columns."""
    registrations = _queue(request.GET.get("conflict") == "1").iterator(chunk_size=1000)
    return csv_response(
        name="deal-review-queue",
        header=EXPORT_HEADER,
        rows=(_export_row(registration) for registration in registrations),
    )


# --- One registration: the conflict view and the decisions -----------------------------------------------------


def _registration(pk: int) -> Registration:
    return get_object_or_404(Registration.objects.select_related("partner", "account", "decided_by"), pk=pk)


def _render_detail(
    request: HttpRequest,
    registration: Registration,
    decision_form: DecisionForm | None = None,
    resolve_form: ResolveForm | None = None,
    status: int = 200,
    path: Walk | None = None,
) -> HttpResponse:
    view = selectors.conflict_view(registration=registration)
    # Its own findings, then the later registrations that found it: each shown with the other side.
    items = [{"conflict": c, "other": c.other_registration, "incoming": False} for c in view.conflicts]
    items += [{"conflict": c, "other": c.registration, "incoming": True} for c in view.incoming]
    holders = services.conflict_group(registration) if view.open_partner_conflicts else []
    sla, overdue = ("", False)
    if registration.status == Status.SUBMITTED:
        sla, overdue = sla_clock(registration.decision_due_at)
    open_action = ""
    if decision_form is not None:
        open_action = decision_form["action"].value() or ""
    elif resolve_form is not None:
        open_action = "resolve"
    # The priority choice: what the manager picked last, else the first to register (the policy's default).
    chosen = str(resolve_form["holder"].value() or "") if resolve_form is not None else ""
    if holders and chosen not in {str(h.pk) for h in holders}:
        chosen = str(holders[0].pk)
    typed = ""
    if decision_form is not None:
        typed = decision_form["question"].value() if open_action == "info" else decision_form["reason"].value()
    elif resolve_form is not None:
        typed = resolve_form["reason"].value()
    context = {
        "registration": registration,
        "tab": "review" if registration.status == Status.SUBMITTED else "registrations",
        "items": items,
        "holders": holders if len(holders) > 1 else [],
        "chosen_holder": chosen,
        "sla": sla,
        "overdue": overdue,
        "decidable": registration.status in (Status.SUBMITTED, Status.NEEDS_INFO),
        "decision_form": decision_form or DecisionForm(),
        "resolve_form": resolve_form or ResolveForm(),
        "open_action": open_action,
        "typed": typed or "",
        "walk": path,
        "nav": "deals",
        "earnings": deal_estimates(registration=registration, audience="manager"),  # what it earns the partner
    }
    return render(request, "dealreg/manage/detail.html", context, status=status)


@manager_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration(pk)
    return _render_detail(request, registration, path=_walk(request, registration))


@manager_required
@require_POST
def registration_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The one decision form: approve, reject or ask (one reason box: for "ask" it is the question)."""
    registration = _registration(pk)
    path = _walk(request, registration)
    data = request.POST.copy()
    if data.get("action") == "info" and not data.get("question"):
        data["question"] = data.get("reason", "")
    form = DecisionForm(data)
    if not form.is_valid():
        return _render_detail(request, registration, decision_form=form, status=400, path=path)
    data = form.cleaned_data
    try:
        if data["action"] == "approve":
            services.registration_approve(actor=request.user, registration=registration, reason=data["reason"])
            done = f"Approved. {registration.partner.name} is told {registration.name} is protected."
        elif data["action"] == "reject":
            services.registration_reject(actor=request.user, registration=registration, reason=data["reason"])
            done = f"Rejected {registration.name}. {registration.partner.name} is told why."
        else:
            services.registration_request_info(actor=request.user, registration=registration, question=data["question"])
            done = f"Question sent. {registration.partner.name} edits {registration.name} and submits it again."
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_detail(request, registration, decision_form=form, status=400, path=path)
    return _decided(request, registration, path, done)


@manager_required
@require_POST
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    registration = _registration(pk)
    path = _walk(request, registration)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, registration, resolve_form=form, status=400, path=path)
    holder = Registration.objects.filter(pk=form.cleaned_data["holder"]).select_related("partner").first()
    if holder is None:
        form.add_error("holder", "That registration does not exist any more.")
        return _render_detail(request, registration, resolve_form=form, status=400, path=path)
    try:
        services.conflict_resolve(
            actor=request.user, registration=registration, holder=holder, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return _render_detail(request, registration, resolve_form=form, status=400, path=path)
    done = f"Resolved: {holder.partner.name} holds {holder.name}. Every partner in the conflict is told why."
    return _decided(request, registration, path, done)
