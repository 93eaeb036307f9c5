"""Webhook endpoints in the manager app (/manage/webhooks/).

The program-setup door (`partners.views.setup.program_setup`): channel managers see the endpoints and their
delivery logs; only program admins add, change, rotate, test, redeliver or turn endpoints on and off (a plain
channel manager who posts gets the 403 page saying whom to ask). A secret is shown once, on the page right after it
was made (creation or rotation); afterwards only its last characters.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from partners.forms.setup import make_read_only
from partners.views.setup import program_setup, register_setup_summary, setup_context
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors
from webhooks import selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import WebhookDelivery, WebhookEndpoint

REVEAL_KEY = "webhooks_reveal_secret"
PER_PAGE = 50


def _context(request: HttpRequest, **extra) -> dict:
    return setup_context(request, **extra)


def _reveal_next(request: HttpRequest, endpoint: WebhookEndpoint) -> None:
    request.session[REVEAL_KEY] = endpoint.pk


@exports_csv("manage:webhook_list_export")
@program_setup
@require_http_methods(["GET", "HEAD"])
def endpoint_list(request: HttpRequest) -> HttpResponse:
    return render(request, "webhooks/list.html", _context(request, endpoints=list(selectors.endpoint_list())))


ENDPOINT_HEADER = [
    "id",
    "url",
    "description",
    "status",
    "events",
    "failed attempts in a row",
    "disabled",
    "last delivery",
    "last status",
    "last response code",
    "last event",
    "created",
]


@program_setup
@require_http_methods(["GET", "HEAD"])
def endpoint_list_export(request: HttpRequest) -> HttpResponse:
    """The endpoints the page lists, with their last delivery; never their secrets."""
    rows = (
        [
            e.pk,
            e.url,
            e.description,
            "on" if e.is_active else "off",
            " ".join(e.events) if e.events else "all",
            e.failure_count,
            csv_time(e.disabled_at),
            csv_time(e.last_at),
            e.last_status or "",
            e.last_code or "",
            e.last_type or "",
            csv_time(e.created_at),
        ]
        for e in selectors.endpoint_list().iterator()
    )
    return csv_response(name="webhook-endpoints", header=ENDPOINT_HEADER, rows=rows)


def _render_form(request: HttpRequest, form: EndpointForm, endpoint: WebhookEndpoint | None = None, status=200):
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    return render(request, "webhooks/form.html", _context(request, form=form, endpoint=endpoint), status=status)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, EndpointForm())
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            endpoint = services.endpoint_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            _reveal_next(request, endpoint)
            messages.success(request, "Endpoint added. Copy its signing secret now: it is shown only once.")
            return redirect("manage:webhook_detail", pk=endpoint.pk)
    return _render_form(request, form, status=400)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if request.method != "POST":
        initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
        return _render_form(request, EndpointForm(initial=initial), endpoint)
    form = EndpointForm(request.POST)
    if form.is_valid():
        try:
            _, changed = services.endpoint_update(actor=request.user, endpoint=endpoint, data=form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, "Endpoint saved." if changed else "Nothing changed.")
            return redirect("manage:webhook_detail", pk=endpoint.pk)
    return _render_form(request, form, endpoint, status=400)


def _show(request: HttpRequest) -> str:
    """The delivery log's filter (`?show=failed|open|succeeded`), else all."""
    show = request.GET.get("show", "")
    return show if show in selectors.FILTERS else ""


DELIVERY_HEADER = [
    "delivery",
    "event id",
    "event",
    "status",
    "attempts",
    "response code",
    "latency ms",
    "error",
    "response excerpt",
    "created",
    "delivered",
    "next attempt",
]


@program_setup
@require_http_methods(["GET", "HEAD"])
def endpoint_deliveries_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The endpoint's delivery log as the page filters it (every page of it), without the posted bodies."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    rows = (
        [
            d.pk,
            d.event_id,
            d.event_type,
            d.get_status_display(),
            d.attempts,
            d.response_code if d.response_code is not None else "",
            d.latency_ms if d.latency_ms is not None else "",
            d.error,
            d.response_excerpt,
            csv_time(d.created_at),
            csv_time(d.delivered_at),
            csv_time(d.next_attempt_at),
        ]
        for d in selectors.delivery_log(endpoint=endpoint, show=_show(request)).iterator()
    )
    return csv_response(name=f"webhook-{endpoint.pk}-deliveries", header=DELIVERY_HEADER, rows=rows)


@exports_csv("manage:webhook_deliveries_export")
@program_setup
@require_http_methods(["GET", "HEAD"])
def endpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint.objects.select_related("created_by"), pk=pk)
    show = _show(request)
    page = Paginator(selectors.delivery_log(endpoint=endpoint, show=show), PER_PAGE).get_page(request.GET.get("page"))
    reveal = request.session.get(REVEAL_KEY) == endpoint.pk and request.can_edit_program  # type: ignore[attr-defined]
    if request.session.get(REVEAL_KEY) == endpoint.pk:
        del request.session[REVEAL_KEY]
    context = _context(
        request,
        endpoint=endpoint,
        page=page,
        show=show,
        counts=selectors.delivery_counts(endpoint=endpoint),
        secret=endpoint.secret if reveal else "",
        secret_hint=endpoint.secret[-4:],
        events=sorted(endpoint.events),
    )
    return render(request, "webhooks/detail.html", context)


@program_setup
@require_http_methods(["GET", "HEAD"])
def delivery_detail(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    context = _context(
        request,
        delivery=delivery,
        endpoint=delivery.endpoint,
        attempts=list(selectors.delivery_attempts(delivery=delivery)),
        body=json.dumps(delivery.payload, indent=2, ensure_ascii=False),
        retry_until=delivery.first_attempt_at + services.RETRY_WINDOW if delivery.first_attempt_at else None,
    )
    return render(request, "webhooks/delivery.html", context)


@program_setup
@require_POST
def endpoint_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint)
    _reveal_next(request, endpoint)
    messages.success(request, "New secret made. Copy it now: it is shown only once, and the old one stops working.")
    return redirect("manage:webhook_detail", pk=endpoint.pk)


@program_setup
@require_POST
def endpoint_send_test(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    try:
        services.endpoint_send_test(actor=request.user, endpoint=endpoint)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Test event queued: its attempt appears in the log below.")
    return redirect("manage:webhook_detail", pk=endpoint.pk)


@program_setup
@require_POST
def endpoint_enable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    if services.endpoint_enable(actor=request.user, endpoint=endpoint):
        messages.success(request, "Endpoint turned on. Redeliver the events it missed from the log if needed.")
    else:
        messages.info(request, "This endpoint was on already.")
    return redirect("manage:webhook_detail", pk=endpoint.pk)


@program_setup
@require_POST
def endpoint_disable(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    reason = (request.POST.get("reason") or "").strip()[:500] or f"Turned off by {request.user.email}."
    if services.endpoint_disable(actor=request.user, endpoint=endpoint, reason=reason):
        messages.success(request, "Endpoint turned off: nothing is sent to it until it is turned on again.")
    else:
        messages.info(request, "This endpoint was off already.")
    return redirect("manage:webhook_detail", pk=endpoint.pk)


@program_setup
@require_POST
def delivery_redeliver(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    try:
        services.delivery_redeliver(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Redelivery queued, with the same event id.")
    return redirect("manage:webhook_delivery", pk=delivery.pk)


def _setup_summary() -> list[str]:
    endpoints = list(WebhookEndpoint.objects.values_list("is_active", flat=True))
    if not endpoints:
        return ["No endpoint yet: your CRM hears about nothing until you add one."]
    off = endpoints.count(False)
    line = f"{len(endpoints)} endpoint{'s' if len(endpoints) != 1 else ''}"
    return [line + (f", {off} turned off." if off else ", all on.")]


# The program setup's index shows this in plain words once it lists the page (partners may not import webhooks).
register_setup_summary("manage:webhook_list", _setup_summary)
