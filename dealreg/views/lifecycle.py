"""The life of an approved registration: the partner asks for an extension or marks the deal won or lost; a channel
manager grants or refuses the extension. POST only; each redirects back to the registration's page with a
message. A refusal is shown as a message and what was typed comes back in the form (kept in the session for the
next page view)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from dealreg import selectors, services
from dealreg.forms_lifecycle import CloseForm, ExtensionDecisionForm, ExtensionRequestForm, error_text
from dealreg.models import Registration
from prm.access import manager_required, partner_required

KEPT_FIELDS = ("reason", "amount", "outcome", "decision")


def kept_key(pk: int) -> str:
    return f"dealreg-lifecycle:{pk}"


def _refused(request: HttpRequest, pk: int, form_name: str, text: str) -> None:
    messages.error(request, text)
    request.session[kept_key(pk)] = {
        "form": form_name,
        "data": {name: request.POST.get(name, "")[:2000] for name in KEPT_FIELDS},
    }


@partner_required
@require_POST
def registration_extend(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration(partner=request.partner, pk=pk)
    form = ExtensionRequestForm(request.POST)
    if not form.is_valid():
        _refused(request, pk, "extend", error_text(form))
        return redirect("portal:deal_detail", pk=pk)
    try:
        services.registration_request_extension(
            actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _refused(request, pk, "extend", " ".join(exc.messages))
        return redirect("portal:deal_detail", pk=pk)
    messages.success(request, "Extension requested. A channel manager decides and we will tell you.")
    return redirect("portal:deal_detail", pk=pk)


@partner_required
@require_POST
def registration_close(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.access_registration(partner=request.partner, pk=pk)
    form = CloseForm(request.POST)
    outcome = request.POST.get("outcome", "")
    form_name = f"close-{outcome}" if outcome in ("won", "lost") else "close"
    if not form.is_valid():
        _refused(request, pk, form_name, error_text(form))
        return redirect("portal:deal_detail", pk=pk)
    won = form.cleaned_data["outcome"] == "won"
    try:
        services.registration_close(
            actor=request.user,
            registration=registration,
            won=won,
            amount=form.cleaned_data["amount"] if won else None,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _refused(request, pk, form_name, " ".join(exc.messages))
        return redirect("portal:deal_detail", pk=pk)
    messages.success(
        request, "Marked as won. Congratulations!" if won else "Marked as lost. The registration is closed."
    )
    return redirect("portal:deal_detail", pk=pk)


@manager_required
@require_POST
def extension_decide(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration.objects.select_related("partner"), pk=pk)
    form = ExtensionDecisionForm(request.POST)
    if not form.is_valid():
        _refused(request, pk, "decide-extension", error_text(form))
        return redirect("manage:deal_detail", pk=pk)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        registration = services.registration_decide_extension(
            actor=request.user, registration=registration, approve=approve, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _refused(request, pk, "decide-extension", " ".join(exc.messages))
        return redirect("manage:deal_detail", pk=pk)
    if approve:
        messages.success(
            request,
            f"Extension granted: protected until {timezone.localtime(registration.protected_until):%b %-d, %Y}. "
            f"{registration.partner.name} is told.",
        )
    else:
        messages.success(request, f"Extension refused. {registration.partner.name} is told why.")
    return redirect("manage:deal_detail", pk=pk)
