"""Recruitment prospects in the manager app (/manage/prospects/…): the list with each one's ideal-partner fit,
filters and a CSV, add and edit, the prospect's page with its fit and reasons, status changes, and the check of its
customer list against our accounts (counts only)."""

import time
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners import fit
from partners.forms.prospects import CustomerListForm, ProspectFilterForm, ProspectForm, ProspectStatusForm
from partners.models import Prospect
from partners.services import prospects as services
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv

PER_PAGE = 50


@dataclass
class Row:
    prospect: Prospect
    fit: fit.Fit

    @property
    def region_labels(self) -> list[str]:
        return [fit._region(r) for r in self.prospect.regions or []]


def _filtered(form: ProspectFilterForm) -> tuple[list[Row], fit.IdealProfile]:
    data = form.cleaned_data if form.is_valid() else {}
    queryset = Prospect.objects.all()
    if q := (data.get("q") or "").strip():
        queryset = queryset.filter(Q(name__icontains=q) | Q(domain__icontains=q) | Q(contact_name__icontains=q))
    if data.get("status"):
        queryset = queryset.filter(status=data["status"])
    if data.get("type"):
        queryset = queryset.filter(type=data["type"])
    profile = fit.ideal_profile()
    region = data.get("region")
    rows = [
        Row(prospect, fit.fit_for(prospect, profile))
        for prospect in queryset
        if not region or region in (prospect.regions or [])
    ]
    sort = data.get("sort") or "fit"
    if sort == "fit":
        rows.sort(key=lambda r: (-r.fit.score, r.prospect.name.lower(), r.prospect.pk))
    elif sort == "name":
        rows.sort(key=lambda r: (r.prospect.name.lower(), r.prospect.pk))
    return rows, profile


@manager_required
@exports_csv("manage:prospect_export")
def prospect_list(request: HttpRequest) -> HttpResponse:
    form = ProspectFilterForm(request.GET or None)
    rows, profile = _filtered(form)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "filters": form,
        "page": page,
        "profile": profile,
        "any_prospect": Prospect.objects.exists(),
        "is_filtered": any(request.GET.get(k) for k in ("q", "status", "type", "region")),
        "nav": "partners",
    }
    return render(request, "partners/prospects/list.html", context)


@manager_required
def prospect_export(request: HttpRequest) -> HttpResponse:
    rows, _ = _filtered(ProspectFilterForm(request.GET or None))
    header = [
        "Name",
        "Website",
        "Type",
        "Status",
        "Fit",
        "Fit reasons",
        "Regions",
        "Countries",
        "Industries",
        "Segments",
        "Sellers",
        "Customer list rows",
        "Customers we know",
        "Contact",
        "Contact email",
        "Added",
    ]

    def lines():
        for row in rows:
            p = row.prospect
            yield [
                p.name,
                p.website,
                p.get_type_display(),
                p.get_status_display(),
                row.fit.score,
                "; ".join(str(r) for r in row.fit.reasons),
                ", ".join(row.region_labels),
                ", ".join(p.countries or []),
                ", ".join(p.verticals or []),
                ", ".join(p.segments or []),
                p.seller_count,
                p.customer_list_rows,
                p.customer_overlap,
                p.contact_name,
                p.contact_email,
                csv_time(p.created_at),
            ]

    return csv_response(name="prospects", header=header, rows=lines())


def _data(form: ProspectForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.PROSPECT_FIELDS if name in form.cleaned_data}


def _save(request: HttpRequest, form: ProspectForm, prospect: Prospect | None) -> Prospect | None:
    if not form.is_valid():
        return None
    try:
        if prospect is None:
            return services.prospect_create(actor=request.user, data=_data(form))
        return services.prospect_update(actor=request.user, prospect=prospect, data=_data(form))
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


def _add_errors(form, exc: ValidationError) -> None:
    """A service's refusal next to the field it is about (or above the form)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@manager_required
def prospect_create(request: HttpRequest) -> HttpResponse:
    form = ProspectForm(request.POST or None)
    if request.method == "POST":
        prospect = _save(request, form, None)
        if prospect is not None:
            messages.success(request, f"{prospect.name} is on your prospects list.")
            return redirect("manage:prospect_detail", prospect.pk)
    status = 400 if form.errors else 200
    return render(request, "partners/prospects/form.html", {"form": form, "nav": "partners"}, status=status)


@manager_required
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(Prospect, pk=pk)
    form = ProspectForm(request.POST or None, initial=ProspectForm.initial_for(prospect))
    if request.method == "POST":
        saved = _save(request, form, prospect)
        if saved is not None:
            messages.success(request, "Saved.")
            return redirect("manage:prospect_detail", prospect.pk)
    context = {"form": form, "prospect": prospect, "nav": "partners"}
    return render(request, "partners/prospects/form.html", context, status=400 if form.errors else 200)


def _detail(
    request: HttpRequest,
    prospect: Prospect,
    *,
    status_form: ProspectStatusForm | None = None,
    list_form: CustomerListForm | None = None,
    status: int = 200,
) -> HttpResponse:
    profile = fit.ideal_profile()
    context = {
        "prospect": prospect,
        "fit": fit.fit_for(prospect, profile),
        "profile": profile,
        "status_form": status_form or ProspectStatusForm(initial={"status": _next_status(prospect)}),
        "list_form": list_form or CustomerListForm(),
        "can_check_customers": fit.customer_matcher() is not None,
        "country_names": _country_names(prospect.countries),
        "region_labels": [fit._region(r) for r in prospect.regions or []],
        "segment_labels": [fit._segment(s) for s in prospect.segments or []],
        "nav": "partners",
    }
    return render(request, "partners/prospects/detail.html", context, status=status)


def _next_status(prospect: Prospect) -> str:
    order = [Prospect.Status.NEW, Prospect.Status.CONTACTED, Prospect.Status.INVITED]
    if prospect.status in order[:-1]:
        return order[order.index(prospect.status) + 1]
    return prospect.status


def _country_names(codes: list[str]) -> list[str]:
    from django_countries import countries

    return [countries.name(code) or code for code in codes or []]


@manager_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, get_object_or_404(Prospect, pk=pk))


@manager_required
@require_POST
def prospect_status(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(Prospect, pk=pk)
    form = ProspectStatusForm(request.POST)
    if form.is_valid():
        try:
            services.prospect_set_status(
                actor=request.user,
                prospect=prospect,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"{prospect.name} is now “{prospect.get_status_display()}”.")
            return redirect("manage:prospect_detail", prospect.pk)
    return _detail(request, prospect, status_form=form, status=400)


@manager_required
@require_POST
def prospect_customers(request: HttpRequest, pk: int) -> HttpResponse:
    prospect = get_object_or_404(Prospect, pk=pk)
    form = CustomerListForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            rows = services.read_customer_list(form.cleaned_data["file"].read())
            started = time.monotonic()
            services.prospect_check_customers(actor=request.user, prospect=prospect, rows=rows)
            took = time.monotonic() - started
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request,
                f"Checked {prospect.customer_list_rows:,} rows in {took:.1f} s: {prospect.customer_overlap:,} are "
                "companies we know. The list itself was not kept.",
            )
            return redirect("manage:prospect_detail", prospect.pk)
    return _detail(request, prospect, list_form=form, status=400)
