"""Program setup, deal registration: the policy page (/manage/program/deal-policy/) and the policy step of the
first-run wizard (/manage/program/start/deal-policy/).

The same door as the rest of the program setup (`partners.views.setup.program_setup`): channel managers only; a
program admin changes the policy; a plain channel manager reads it, and gets the 403 page when it posts anyway.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dealreg.forms_setup import DealPolicyForm, WizardPolicyForm
from dealreg.models import DealregPolicy
from dealreg.policy import policy_get
from dealreg.services.policy_setup import POLICY_FIELDS, deal_policy_update, policy_summary
from partners.forms.setup import make_read_only
from partners.views.setup import program_setup, register_setup_summary, setup_context
from partners.views.wizard import wizard_context, wizard_next
from prm.forms import attach_errors


def _render(request: HttpRequest, form: DealPolicyForm, status: int = 200) -> HttpResponse:
    policy = policy_get()
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    context = setup_context(request, form=form, policy=policy, summary=policy_summary(policy))
    return render(request, "dealreg/setup/policy.html", context, status=status)


def _saved_message(changed: list[str], told: int) -> str:
    if not changed:
        return "Nothing changed: the policy is as it was."
    if told:
        noun = "partner's admins were" if told == 1 else "partners' admins were"
        return f"The deal-registration policy is saved. {told} {noun} told what changed."
    return "The deal-registration policy is saved."


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def deal_policy(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, DealPolicyForm(instance=policy_get()))
    form = DealPolicyForm(request.POST, instance=DealregPolicy.objects.get(pk=policy_get().pk))
    if form.is_valid():
        try:
            _policy, changed, told = deal_policy_update(
                actor=request.user, data={name: form.cleaned_data[name] for name in POLICY_FIELDS}
            )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _saved_message(changed, told))
            return redirect("manage:setup_deal_policy")
    return _render(request, form, status=400)


WIZARD_FIELDS = ("exclusivity_days", "max_extensions", "extension_days")


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def wizard_policy(request: HttpRequest) -> HttpResponse:
    """Wizard step 3: the essentials of the policy (protection and extensions); the rest keeps its defaults."""
    policy = policy_get()
    if request.method == "POST" and request.POST.get("skip"):
        return redirect(wizard_next("deal-policy"))
    if request.method != "POST":
        form = WizardPolicyForm(instance=policy)
    else:
        form = WizardPolicyForm(request.POST, instance=DealregPolicy.objects.get(pk=policy.pk))
        if form.is_valid():
            try:
                deal_policy_update(actor=request.user, data={n: form.cleaned_data[n] for n in WIZARD_FIELDS})
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, "Deal-registration policy saved.")
                return redirect(wizard_next("deal-policy"))
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    context = wizard_context(request, "deal-policy", form=form, summary=policy_summary(policy))
    return render(request, "partners/setup/wizard_deal_policy.html", context, status=400 if form.errors else 200)


# The program setup's index shows the policy in plain words (partners may not import dealreg).
register_setup_summary("manage:setup_deal_policy", lambda: policy_summary(policy_get()))
