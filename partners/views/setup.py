"""Program setup (/manage/program/): the index of everything that configures the program, and the tiers with their
requirements and benefits.

Every setup view is wrapped in `program_setup`: channel managers only (others get the manager app's 404); a program
admin (`partners.manage_program`) may change things; a plain channel manager sees the same pages read-only and gets
a 403 page saying whom to ask when it posts anyway.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from partners.forms.setup import TierForm, TierRequirementForm, make_read_only
from partners.models import Partner, Program, Tier, TierRequirement
from partners.services import setup as setup_services
from partners.services.program import program_get, requirement_label
from partners.services.setup import PROGRAM_ADMINS_GROUP, can_manage_program, program_admins, wizard_due
from partners.views.program import _comparison
from prm import access
from prm.access import manager_required
from prm.forms import attach_errors

View = Callable[..., HttpResponse]
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# --- The one door ------------------------------------------------------------------------------------------------


def forbidden(request: HttpRequest) -> HttpResponse:
    """The 403 page for a plain channel manager who tries to change the program: says who can."""
    return access.forbidden(
        request,
        who_can=PROGRAM_ADMINS_GROUP,
        people=program_admins(),
        title="Only program admins can change the program",
        why=(
            "You can see the program setup, but changes to it (tiers, requirements, benefits and the other settings)"
            " are made by program admins, because every partner on the program is affected."
        ),
        ask_to="make the change",
        back_url=reverse("manage:program_setup"),
        back_label="Back to the program setup",
        base_template="partners/setup/_base.html",
        context={"nav": "partners"},
    )


def program_setup(view: View) -> View:
    """Guard a program-setup view: channel managers see it; only program admins change anything. Sets
    `request.can_edit_program` for the templates (read-only pages for the others)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.can_edit_program = can_manage_program(request.user)  # type: ignore[attr-defined]
        if request.method not in SAFE_METHODS and not request.can_edit_program:  # type: ignore[attr-defined]
            return forbidden(request)
        return view(request, *args, **kwargs)

    return manager_required(wrapper)


def setup_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    can_edit = request.can_edit_program  # type: ignore[attr-defined]
    context = {"nav": "partners", "can_edit": can_edit, "admins_group": PROGRAM_ADMINS_GROUP}
    if not can_edit:
        context["admins"] = list(program_admins()[:3])
    return context | extra


def _admin_url(name: str) -> str | None:
    try:
        return reverse(f"admin:{name}")
    except NoReverseMatch:
        return None


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


# --- The index ---------------------------------------------------------------------------------------------------

# The other parts of the program, by section: (title, what it is, our page's URL name, the admin's changelist).
# A page another app owns is found by its URL name (partners imports no feature app), and left out when absent.
OTHER_PARTS = (
    (
        "Onboarding",
        (
            (
                "Onboarding checklists",
                "The steps a new partner goes through, per partner type.",
                "manage:setup_checklist_list",
                "partners_checklist_changelist",
            ),
            (
                "Agreement versions",
                "The partner agreement partners accept; a new version asks them again.",
                "manage:setup_agreement_list",
                "partners_agreementversion_changelist",
            ),
        ),
    ),
    (
        "Deal registration",
        (
            (
                "Deal-registration policy",
                "Protection window, extensions, decision time and how conflicts are decided.",
                "manage:setup_deal_policy",
                "dealreg_dealregpolicy_changelist",
            ),
            (
                "Products",
                "The catalogue partners pick from when they register a deal.",
                "manage:setup_product_list",
                "dealreg_product_changelist",
            ),
        ),
    ),
    (
        "Market development funds",
        (
            (
                "MDF settings",
                "Fiscal periods, claim deadlines, approval limits.",
                "manage:mdf_settings",
                "mdf_mdfsettings_changelist",
            ),
            (
                "MDF periods",
                "The periods budgets are allocated for.",
                "manage:setup_mdf_period_list",
                "mdf_period_changelist",
            ),
        ),
    ),
    (
        "Notifications",
        (
            (
                "Notification defaults",
                "How channel managers and partner users get each kind of message, until they choose themselves.",
                "manage:setup_notifications",
                None,
            ),
        ),
    ),
    (
        "Integrations",
        (
            (
                "Webhooks",
                "Signed events to your CRM for each change, with a delivery log.",
                "manage:webhook_list",
                "webhooks_webhookendpoint_changelist",
            ),
            (
                "API tokens",
                "Tokens for the JSON API (/api/v1/), acting with your permissions.",
                "manage:api_tokens",
                None,
            ),
            (
                "Imports",
                "Partners, accounts, customers, deal registrations and MDF allocations from CSV, in the background.",
                "manage:imports",
                None,
            ),
        ),
    ),
)

# Plain-words summaries other apps give of their part, keyed by the part's URL name: func() -> list of sentences.
# (dealreg and mdf register theirs when their setup views load, as partners may not import them.)
_SUMMARIES: dict[str, Callable[[], list[str]]] = {}


def register_setup_summary(url_name: str, func: Callable[[], list[str]]) -> None:
    _SUMMARIES[url_name] = func


def _summary(url_name: str) -> list[str]:
    func = _SUMMARIES.get(url_name)
    return func() if func is not None else []


def _sections() -> list[dict[str, Any]]:
    sections = []
    for heading, parts in OTHER_PARTS:
        rows = []
        for title, about, page, admin in parts:
            rows.append(
                {
                    "title": title,
                    "about": about,
                    "url": _url(page),
                    "admin_url": _admin_url(admin) if admin else None,
                    "summary": _summary(page),
                }
            )
        sections.append({"heading": heading, "id": heading.lower().replace(" ", "-"), "parts": rows})
    return sections


@program_setup
def program_index(request: HttpRequest) -> HttpResponse:
    # A fresh install: a banner at the top offers the first-run wizard to a program admin.
    due = wizard_due(request.user)
    program = program_get()
    tiers = list(Tier.objects.order_by("rank").prefetch_related("requirements"))
    context = setup_context(
        request,
        program=program,
        tiers=tiers,
        sections=_sections(),
        stage=Program.Stage,
        wizard_due=due,
        wizard_url=_url("manage:setup_wizard"),
    )
    return render(request, "partners/setup/index.html", context)


# --- Tiers -------------------------------------------------------------------------------------------------------


def _tier_data(form: TierForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in setup_services.TIER_FIELDS}


def _requirement_rows(tier: Tier) -> list[dict[str, Any]]:
    return [{"requirement": r, "label": requirement_label(r)} for r in tier.requirements.all()]


@program_setup
def tier_list(request: HttpRequest) -> HttpResponse:
    tiers = list(Tier.objects.order_by("rank").prefetch_related("requirements"))
    counts = dict(Partner.objects.filter(tier__isnull=False).values_list("tier_id").annotate(n=Count("pk")).order_by())
    rows = [
        {
            "tier": tier,
            "partners": counts.get(tier.pk, 0),
            "requirements": [requirement_label(r) for r in tier.requirements.all()],
            "is_first": i == 0,
            "is_last": i == len(tiers) - 1,
        }
        for i, tier in enumerate(tiers)
    ]
    return render(request, "partners/setup/tier_list.html", setup_context(request, rows=rows))


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def tier_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = TierForm()
        if not request.can_edit_program:  # type: ignore[attr-defined]
            make_read_only(form)
        return render(request, "partners/setup/tier_form.html", setup_context(request, form=form, tier=None))
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            tier = setup_services.tier_create(actor=request.user, data=_tier_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{tier.name} added at the top of the ladder. Add its requirements below.")
            return redirect("manage:setup_tier_edit", pk=tier.pk)
    return render(request, "partners/setup/tier_form.html", setup_context(request, form=form, tier=None), status=400)


def _render_tier(
    request: HttpRequest,
    tier: Tier,
    *,
    form: TierForm | None = None,
    requirement_form: TierRequirementForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_edit = request.can_edit_program  # type: ignore[attr-defined]
    form = form or TierForm(instance=tier)
    requirement_form = requirement_form or TierRequirementForm(auto_id="new-requirement-%s")
    if not can_edit:
        make_read_only(form)
        make_read_only(requirement_form)
    context = setup_context(
        request,
        tier=tier,
        form=form,
        requirement_form=requirement_form,
        requirements=_requirement_rows(tier),
        partners_on_tier=tier.partners.count(),
    )
    return render(request, "partners/setup/tier_edit.html", context, status=status)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def tier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=pk)
    if request.method != "POST":
        return _render_tier(request, tier)
    form = TierForm(request.POST, instance=Tier.objects.get(pk=tier.pk))
    if form.is_valid():
        try:
            tier, told = setup_services.tier_update(actor=request.user, tier=tier, data=_tier_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if told:
                noun = "partner's people have" if told == 1 else "partners' people have"
                messages.success(request, f"{tier.name} saved. The {told} {noun} been told what changed.")
            else:
                messages.success(request, f"{tier.name} saved.")
            return redirect("manage:setup_tier_edit", pk=tier.pk)
    return _render_tier(request, get_object_or_404(Tier, pk=pk), form=form, status=400)


@program_setup
@require_POST
def tier_move(request: HttpRequest, pk: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=pk)
    direction = request.POST.get("direction", "")
    try:
        tier = setup_services.tier_move(actor=request.user, tier=tier, direction=direction)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"{tier.name} moved {'up' if direction == 'up' else 'down'}.")
    return redirect("manage:setup_tier_list")


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def tier_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=pk)
    partners_on_tier = tier.partners.count()
    if request.method == "POST":
        try:
            setup_services.tier_delete(actor=request.user, tier=tier)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect("manage:setup_tier_edit", pk=tier.pk)
        messages.success(request, f"{tier.name} removed.")
        return redirect("manage:setup_tier_list")
    context = setup_context(request, tier=tier, partners_on_tier=partners_on_tier)
    return render(request, "partners/setup/tier_delete.html", context)


@program_setup
@require_POST
def requirement_add(request: HttpRequest, pk: int) -> HttpResponse:
    tier = get_object_or_404(Tier, pk=pk)
    form = TierRequirementForm(request.POST, auto_id="new-requirement-%s")
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in setup_services.REQUIREMENT_FIELDS}
        try:
            requirement = setup_services.tier_requirement_add(actor=request.user, tier=tier, data=data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{tier.name} now asks for: {requirement_label(requirement)}.")
            return redirect("manage:setup_tier_edit", pk=tier.pk)
    return _render_tier(request, tier, requirement_form=form, status=400)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def requirement_edit(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    requirement = get_object_or_404(TierRequirement.objects.select_related("tier"), pk=requirement_pk, tier_id=pk)
    if request.method != "POST":
        form = TierRequirementForm(instance=requirement)
        if not request.can_edit_program:  # type: ignore[attr-defined]
            make_read_only(form)
        context = setup_context(request, tier=requirement.tier, requirement=requirement, form=form)
        return render(request, "partners/setup/requirement_form.html", context)
    form = TierRequirementForm(request.POST, instance=TierRequirement.objects.get(pk=requirement.pk))
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in setup_services.REQUIREMENT_FIELDS}
        if data["order"] is None:
            data.pop("order")
        try:
            requirement = setup_services.tier_requirement_update(actor=request.user, requirement=requirement, data=data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Requirement saved: {requirement_label(requirement)}.")
            return redirect("manage:setup_tier_edit", pk=requirement.tier_id)
    context = setup_context(request, tier=requirement.tier, requirement=requirement, form=form)
    return render(request, "partners/setup/requirement_form.html", context, status=400)


@program_setup
@require_POST
def requirement_remove(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    requirement = TierRequirement.objects.select_related("tier").filter(pk=requirement_pk, tier_id=pk).first()
    if requirement is None:
        messages.info(request, "That requirement was already removed.")
        if Tier.objects.filter(pk=pk).exists():
            return redirect("manage:setup_tier_edit", pk=pk)
        return redirect("manage:setup_tier_list")
    label = requirement_label(requirement)
    setup_services.tier_requirement_remove(actor=request.user, requirement=requirement)
    messages.success(request, f"{requirement.tier.name} no longer asks for: {label}.")
    return redirect("manage:setup_tier_edit", pk=pk)


@program_setup
def tier_preview(request: HttpRequest) -> HttpResponse:
    """What partners see of the tiers on their program page: the same comparison partial, for a partner with no
    tier yet."""
    tiers = list(Tier.objects.order_by("rank").prefetch_related("requirements"))
    context = setup_context(request, program=program_get(), tiers=tiers, comparison=_comparison(tiers))
    return render(request, "partners/setup/tier_preview.html", context)
