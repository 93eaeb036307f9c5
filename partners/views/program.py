"""Program and tiers: the channel manager's tier proposals and qualitative requirements, the partner's program page."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners import services
from partners.forms.program import ProposalDecisionForm, RequirementTickForm
from partners.models import Partner, Tier, TierProposal, TierRequirement
from partners.services.program import REJECTION_QUIET_DAYS
from prm.access import manager_required, partner_required
from prm.csv_export import csv_response, csv_time, exports_csv

PAGE_SIZE = 50
HISTORY_SIZE = 50


# --- Channel managers -------------------------------------------------------------------------------------------


def _decision_form(proposal: TierProposal, data=None) -> ProposalDecisionForm:
    return ProposalDecisionForm(data, auto_id=f"proposal-{proposal.pk}-%s")


def _render_proposals(
    request: HttpRequest, failed: tuple[int, ProposalDecisionForm] | None = None, status: int = 200
) -> HttpResponse:
    page = Paginator(_pending(), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        (proposal, failed[1] if failed and failed[0] == proposal.pk else _decision_form(proposal))
        for proposal in page.object_list
    ]
    history = (
        TierProposal.objects.filter(status__in=[TierProposal.Status.ACCEPTED, TierProposal.Status.REJECTED])
        .select_related("partner", "current_tier", "proposed_tier", "decided_by")
        .order_by("-decided_at", "-pk")[:HISTORY_SIZE]
    )
    context = {
        "page": page,
        "rows": rows,
        "history": history,
        "tiers_configured": Tier.objects.exists(),
    }
    return render(request, "partners/program/proposal_list.html", context, status=status)


def _pending():
    return (
        TierProposal.objects.filter(status=TierProposal.Status.PENDING)
        .select_related("partner", "current_tier", "proposed_tier")
        .order_by("-is_promotion", "partner__name", "pk")
    )


@exports_csv("manage:tier_proposal_export")
@manager_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    return _render_proposals(request)


@manager_required
def proposal_export(request: HttpRequest) -> HttpResponse:
    """The proposals waiting for a decision, as the page lists them, with what the evidence said."""
    rows = (
        [
            proposal.partner.name,
            proposal.partner_id,
            proposal.current_tier.name if proposal.current_tier else "",
            proposal.proposed_tier.name if proposal.proposed_tier else "",
            "promotion" if proposal.is_promotion else "demotion",
            "; ".join(
                f"{'met' if line.get('met') else 'not met'}: {line.get('text', '')}"
                for line in (proposal.evidence or {}).get("lines", [])
                if isinstance(line, dict)
            ),
            csv_time(proposal.created_at),
            (proposal.evidence or {}).get("measured_at", ""),
        ]
        for proposal in _pending().iterator()
    )
    header = ["partner", "partner id", "current tier", "proposed tier", "move", "evidence", "proposed", "measured"]
    return csv_response(name="tier-proposals", header=header, rows=rows)


@manager_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(TierProposal.objects.select_related("partner", "proposed_tier"), pk=pk)
    form = _decision_form(proposal, request.POST)
    if not form.is_valid():
        return _render_proposals(request, failed=(proposal.pk, form), status=400)
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]
    try:
        if decision == "accept":
            partner = services.tier_proposal_accept(actor=request.user, proposal=proposal, reason=reason)
        else:
            services.tier_proposal_reject(actor=request.user, proposal=proposal, reason=reason)
    except ValidationError as exc:
        proposal.refresh_from_db()
        if proposal.status != TierProposal.Status.PENDING:
            # Decided meanwhile (a double click, a colleague) or out of date: nothing to re-enter.
            messages.warning(request, exc.messages[0])
            return redirect("manage:tier_proposal_list")
        form.add_error(None, exc)
        return _render_proposals(request, failed=(proposal.pk, form), status=400)
    if decision == "accept":
        tier_name = partner.tier.name if partner.tier else "no tier"
        messages.success(request, f"{partner.name} is now in {tier_name}. Its people have been told.")
    else:
        messages.success(
            request,
            f"Proposal for {proposal.partner.name} rejected. The same change is not proposed again for "
            f"{REJECTION_QUIET_DAYS} days.",
        )
    return redirect("manage:tier_proposal_list")


@manager_required
@require_POST
def requirement_tick(request: HttpRequest, pk: int, requirement_pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner, pk=pk)
    requirement = get_object_or_404(TierRequirement.objects.select_related("tier"), pk=requirement_pk)
    form = RequirementTickForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
        return redirect("manage:partner_detail", pk=partner.pk)
    ticked = form.cleaned_data["ticked"]
    if ticked is None:  # no explicit state: toggle
        ticked = not requirement.ticks.filter(partner=partner).exists()
    label = services.requirement_label(requirement)
    try:
        services.requirement_tick(
            actor=request.user, partner=partner, requirement=requirement, ticked=ticked, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("manage:partner_detail", pk=partner.pk)
    if ticked:
        done = f"Confirmed “{label}” for {partner.name}."
    else:
        done = f"“{label}” is no longer confirmed for {partner.name}."
    proposal = TierProposal.objects.filter(partner=partner, status=TierProposal.Status.PENDING).first()
    if proposal is not None:
        done += " A tier proposal for it waits on the Tier proposals page."
    messages.success(request, done)
    return redirect("manage:partner_detail", pk=partner.pk)


# --- Partners ---------------------------------------------------------------------------------------------------


def _comparison(tiers: list[Tier]) -> list[dict]:
    """The tiers side by side: what each takes and what each gives, one row per aspect."""

    def percent(tier: Tier) -> list[str]:
        return [f"{tier.discount_percent.normalize():f}%"] if tier.discount_percent is not None else []

    rows = [
        ("About", lambda t: [t.description] if t.description else []),
        (
            "What it takes",
            lambda t: [services.requirement_label(r) for r in t.requirements.all()] or ["Nothing: you're in"],
        ),
        ("Discount", percent),
        ("Market development funds (MDF)", lambda t: ["Eligible"] if t.mdf_eligible else []),
        (
            "Deal registration protection",
            lambda t: [f"{t.deal_protection_days} days"] if t.deal_protection_days else [],
        ),
        ("Also", lambda t: [line.strip() for line in t.other_benefits.splitlines() if line.strip()]),
    ]
    table = [{"label": label, "cells": [cells(t) for t in tiers]} for label, cells in rows]
    return [row for row in table if row["label"] != "About" or any(row["cells"])]


@partner_required
def portal_program(request: HttpRequest) -> HttpResponse:
    partner = request.partner
    progress = services.tier_progress_for(partner=partner, audience="portal")
    context = {
        "partner": partner,
        "program": services.program_get(),
        "progress": progress,
        "comparison": _comparison(progress.tiers),
    }
    return render(request, "partners/program/portal_program.html", context)
