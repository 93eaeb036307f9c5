"""Program setup, onboarding: checklists per partner type with their steps, and agreement versions.

The same door as the rest of the program setup (`partners.views.setup.program_setup`): channel managers only (others
get the manager app's 404); a program admin (`partners.manage_program`) changes things; a plain channel manager sees
the same pages read-only, and a 403 page saying whom to ask when it posts anyway.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from partners.forms.setup_onboarding import AgreementVersionForm, ChecklistCreateForm, ChecklistStepForm
from partners.models import AgreementVersion, Checklist, ChecklistStep, PartnerStep
from partners.services.onboarding import setup as services
from partners.services.onboarding.common import program_settings
from partners.services.setup import PROGRAM_ADMINS_GROUP, program_admins
from partners.views.setup import program_setup
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    """What every page needs; `program_setup` has set `request.can_edit_program`."""
    can_edit = request.can_edit_program  # type: ignore[attr-defined]
    context = {"nav": "partners", "can_edit": can_edit, "admins_group": PROGRAM_ADMINS_GROUP}
    if not can_edit:
        context["admins"] = [u for u in program_admins()[:4] if u.pk != request.user.pk][:3]
    return context | extra


def _step_data(form: ChecklistStepForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.STEP_FIELDS if name in form.cleaned_data}


def _told(told: int) -> str:
    if not told:
        return ""
    many = told != 1
    return f" {told} partner{'s' if many else ''} mid-way through onboarding {'were' if many else 'was'} told."


# --- Checklists ------------------------------------------------------------------------------------------------


@program_setup
@require_http_methods(["GET", "HEAD"])
def checklist_list(request: HttpRequest) -> HttpResponse:
    context = _context(
        request,
        rows=services.checklist_overviews(),
        create_form=ChecklistCreateForm() if services.partner_types_without_checklist() else None,
    )
    return render(request, "partners/setup_onboarding/checklist_list.html", context)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def checklist_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ChecklistCreateForm(request.POST)
        if form.is_valid():
            try:
                checklist = services.checklist_create(
                    actor=request.user, name=form.cleaned_data["name"], partner_type=form.cleaned_data["partner_type"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, f"“{checklist.name}” created. Add its first step below.")
                return redirect("manage:setup_checklist_detail", pk=checklist.pk)
        context = _context(request, form=form)
        return render(request, "partners/setup_onboarding/checklist_create.html", context, status=400)
    context = _context(request, form=ChecklistCreateForm(initial={"partner_type": request.GET.get("type", "")}))
    return render(request, "partners/setup_onboarding/checklist_create.html", context)


def _render_checklist(
    request: HttpRequest, checklist: Checklist, *, form: ChecklistStepForm | None = None, status: int = 200
) -> HttpResponse:
    row = services.checklist_overview(checklist)
    live = row.steps
    default = Checklist.objects.filter(partner_type="").exclude(pk=checklist.pk).first()
    context = _context(
        request,
        row=row,
        checklist=checklist,
        steps=[{"step": s, "is_first": i == 0, "is_last": i == len(live) - 1} for i, s in enumerate(live)],
        form=form or ChecklistStepForm(auto_id="new-step-%s"),
        default=default,
    )
    return render(request, "partners/setup_onboarding/checklist_detail.html", context, status=status)


@program_setup
@require_http_methods(["GET", "HEAD"])
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_checklist(request, get_object_or_404(Checklist, pk=pk))


@program_setup
@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    checklist = get_object_or_404(Checklist, pk=pk)
    form = ChecklistStepForm(request.POST, auto_id="new-step-%s")
    if form.is_valid():
        try:
            step, told = services.checklist_step_add(actor=request.user, checklist=checklist, data=_step_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"“{step.title}” added as step {_position(step)}.{_told(told)}")
            return redirect("manage:setup_checklist_detail", pk=checklist.pk)
    return _render_checklist(request, checklist, form=form, status=400)


def _position(step: ChecklistStep) -> int:
    return ChecklistStep.objects.filter(
        checklist_id=step.checklist_id, retired_at__isnull=True, order__lte=step.order
    ).count()


def _get_step(pk: int, step_pk: int) -> ChecklistStep:
    return get_object_or_404(ChecklistStep.objects.select_related("checklist"), pk=step_pk, checklist_id=pk)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def step_edit(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _get_step(pk, step_pk)
    kind_locked = PartnerStep.objects.filter(step=step).exists()
    if request.method != "POST":
        form = ChecklistStepForm(instance=step, kind_locked=kind_locked)
        return _render_step(request, step, form)
    if step.retired_at is not None:
        messages.error(request, f"“{step.title}” is retired: it cannot be changed any more.")
        return redirect("manage:setup_checklist_detail", pk=pk)
    # A copy: the form writes what was typed into its instance, the service compares with the saved step.
    form = ChecklistStepForm(request.POST, instance=ChecklistStep.objects.get(pk=step.pk), kind_locked=kind_locked)
    if form.is_valid():
        try:
            step, told = services.checklist_step_update(actor=request.user, step=step, data=_step_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"“{step.title}” saved.{_told(told)}")
            return redirect("manage:setup_checklist_detail", pk=pk)
    return _render_step(request, step, form, status=400)


def _render_step(request: HttpRequest, step: ChecklistStep, form: ChecklistStepForm, status: int = 200) -> HttpResponse:
    context = _context(request, step=step, checklist=step.checklist, form=form, copies=services.step_copies(step))
    return render(request, "partners/setup_onboarding/step_edit.html", context, status=status)


@program_setup
@require_POST
def step_move(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _get_step(pk, step_pk)
    direction = request.POST.get("direction", "")
    try:
        step, told = services.checklist_step_move(actor=request.user, step=step, direction=direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{step.title}” is now step {_position(step)}.{_told(told)}")
    return redirect(f"{reverse('manage:setup_checklist_detail', args=[pk])}#step-{step.pk}")


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def step_retire(request: HttpRequest, pk: int, step_pk: int) -> HttpResponse:
    step = _get_step(pk, step_pk)
    if request.method != "POST":
        context = _context(request, step=step, checklist=step.checklist, copies=services.step_copies(step))
        return render(request, "partners/setup_onboarding/step_retire.html", context)
    try:
        step, told = services.checklist_step_retire(actor=request.user, step=step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{step.title}” is retired.{_told(told)}")
    return redirect("manage:setup_checklist_detail", pk=pk)


# --- Agreement versions ----------------------------------------------------------------------------------------


@exports_csv("manage:setup_agreement_export")
@program_setup
@require_http_methods(["GET", "HEAD"])
def agreement_list(request: HttpRequest) -> HttpResponse:
    rows = services.agreement_versions()
    current = next((row.version for row in rows if row.version.is_current), None)
    context = _context(
        request,
        rows=rows,
        current=current,
        pending=services.agreement_partners_pending(current).count() if current else 0,
    )
    return render(request, "partners/setup_onboarding/agreement_list.html", context)


@program_setup
@require_http_methods(["GET", "HEAD"])
def agreement_export(request: HttpRequest) -> HttpResponse:
    """The agreement versions the page lists, newest first, with how many partners accepted each."""
    rows = (
        [
            row.version.version,
            row.version.title,
            "yes" if row.version.is_current else "no",
            csv_time(row.version.published_at),
            row.accepted,
        ]
        for row in services.agreement_versions()
    )
    header = ["version", "title", "current", "published", "accepted by partners"]
    return csv_response(name="partner-agreements", header=header, rows=rows)


@program_setup
@require_http_methods(["GET", "HEAD"])
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(AgreementVersion, pk=pk)
    pending = list(services.agreement_partners_pending(version)[:200]) if version.is_current else []
    context = _context(
        request,
        version=version,
        acceptances=list(services.agreement_acceptances(version)),
        pending=pending,
        pending_count=services.agreement_partners_pending(version).count() if version.is_current else 0,
        publication=services.last_publication(version),
    )
    return render(request, "partners/setup_onboarding/agreement_detail.html", context)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def agreement_create(request: HttpRequest) -> HttpResponse:
    """Write → preview (says who will be asked to accept again) → publish. Nothing is saved before publishing."""
    current = AgreementVersion.objects.filter(is_current=True).first()
    if request.method != "POST":
        initial = {"version": services.suggest_next_version()}
        if current is not None:
            initial |= {"title": current.title, "body": current.body}
        return _render_agreement_form(request, AgreementVersionForm(initial=initial), current)
    form = AgreementVersionForm(request.POST)
    if not form.is_valid():
        return _render_agreement_form(request, form, current, status=400)
    action = request.POST.get("action")
    if action == "edit":  # back from the preview, with everything typed
        return _render_agreement_form(request, form, current)
    if action != "publish":
        return _render_agreement_form(request, form, current, preview=True)
    try:
        version = services.agreement_version_publish(actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render_agreement_form(request, form, current, status=400)
    asked = services.agreement_partners_to_ask().count()
    messages.success(
        request,
        f"Version {version.version} is published and current. The admins of {asked} partner{'s' if asked != 1 else ''} "
        "were asked to accept it.",
    )
    return redirect("manage:setup_agreement_detail", pk=version.pk)


def _render_agreement_form(
    request: HttpRequest,
    form: AgreementVersionForm,
    current: AgreementVersion | None,
    *,
    preview: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = _context(
        request,
        form=form,
        current=current,
        preview=preview,
        to_ask=services.agreement_partners_to_ask().count(),
        gated=program_settings().require_agreement_first,
    )
    return render(request, "partners/setup_onboarding/agreement_form.html", context, status=status)
