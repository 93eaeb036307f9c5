"""Program setup: the first-run setup wizard (/manage/program/start/...).

On a fresh install (no partner yet, the wizard neither completed nor skipped), the program setup index sends a
program admin here. Five steps, each saved on its own through the same audited services as the setup pages, each
skippable: 1 the program (name, reporting currency, PMI stage), 2 tiers (a ready-made ladder or one level), 3 the
deal-registration policy's essentials (its view lives in dealreg, which knows partners; partners knows no dealreg:
the step is found by its URL name and left out when deal registration is not installed), 4 onboarding (a checklist
per partner type, an agreement text), 5 the first partner, then what comes next. Completing or skipping is recorded
on the program (`Program.setup_wizard`) and audited.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from partners.forms.setup import make_read_only
from partners.models import AgreementVersion, Checklist, ChecklistStep, Partner, PartnerMembership, Program, Tier
from partners.services import people as people_services
from partners.services import setup as setup_services
from partners.services.onboarding import setup as onboarding_services
from partners.services.program import program_get
from partners.services.settings import program_settings_update
from partners.services.setup import can_manage_program
from partners.views.setup import _url, program_setup, setup_context, wizard_due  # noqa: F401 -- re-exported
from prm.audit import audit_record
from prm.forms import attach_errors
from prm.models import User
from prm.money import parse_currency

# (key, title, URL name). The deal-policy step's view is dealreg's (dealreg/urls_setup.py).
STEPS = (
    ("program", "Your program", "manage:setup_wizard"),
    ("tiers", "Tiers", "manage:setup_wizard_tiers"),
    ("deal-policy", "Deal registration", "manage:setup_wizard_deal_policy"),
    ("onboarding", "Onboarding", "manage:setup_wizard_onboarding"),
    ("invite", "Your first partner", "manage:setup_wizard_invite"),
)

# Ready-made ladders: (name, discount %, MDF eligible, deal protection days, other benefits).
LADDERS = {
    "ladder": (
        ("Registered", None, False, None, "Deal registration\nPartner portal and training"),
        ("Silver", Decimal("10"), True, None, "Market development funds"),
        ("Gold", Decimal("20"), True, 120, "Market development funds\nEarly product access"),
    ),
}
CHECKLIST_STEPS = (
    (ChecklistStep.Kind.AGREEMENT, "Accept the partner agreement", "Read and accept the agreement."),
    (ChecklistStep.Kind.PROFILE, "Complete your company profile", "Where you sell, to whom, and what you offer."),
    (ChecklistStep.Kind.INVITE, "Invite a colleague", "Bring in at least one more person from your company."),
    (ChecklistStep.Kind.FIRST_DEAL, "Register your first deal", "Register an opportunity you are working on."),
)


# --- Whether to offer it, and recording the outcome ------------------------------------------------------------


def wizard_record(*, actor: User, outcome: str) -> bool:
    """Record that the wizard was completed or skipped (compare-and-set: once per outcome), audited. Returns whether
    this call changed it."""
    if outcome not in (Program.Wizard.DONE, Program.Wizard.SKIPPED):
        raise ValueError(outcome)
    if not can_manage_program(actor):
        raise ValidationError("Only program admins can run the setup wizard.")
    program_get()
    with transaction.atomic():
        current = Program.objects.select_for_update().get(pk=1)
        if current.setup_wizard == outcome or current.setup_wizard == Program.Wizard.DONE:
            return False
        before = current.setup_wizard
        now = timezone.now()
        Program.objects.filter(pk=1, setup_wizard=before).update(setup_wizard=outcome, setup_wizard_at=now)
        audit_record(
            actor=actor,
            verb="program.setup_wizard_" + ("completed" if outcome == Program.Wizard.DONE else "skipped"),
            target=current,
            before={"setup_wizard": before},
            after={"setup_wizard": outcome},
        )
    return True


# --- Steps -----------------------------------------------------------------------------------------------------


def _steps() -> list[dict[str, Any]]:
    steps = []
    for key, title, name in STEPS:
        url = _url(name)
        if url:
            steps.append({"key": key, "title": title, "url": url})
    return steps


def wizard_next(key: str) -> str:
    """The URL of the step after `key` (the last step's is the end page)."""
    steps = _steps()
    index = next(i for i, step in enumerate(steps) if step["key"] == key)
    return steps[index + 1]["url"] if index + 1 < len(steps) else _url("manage:setup_wizard_done") or "/"


def wizard_context(request: HttpRequest, key: str, **extra: Any) -> dict[str, Any]:
    """What every step's template needs: "Step 2 of 5", the steps, back and skip links."""
    steps = _steps()
    index = next(i for i, step in enumerate(steps) if step["key"] == key)
    for i, step in enumerate(steps):
        step["number"] = i + 1
        step["current"] = i == index
    return setup_context(
        request,
        steps=steps,
        step=steps[index],
        number=index + 1,
        total=len(steps),
        back_url=steps[index - 1]["url"] if index else None,
        next_url=wizard_next(key),
        **extra,
    )


def _render(request: HttpRequest, template: str, key: str, form: forms.BaseForm, **extra: Any) -> HttpResponse:
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, wizard_context(request, key, form=form, **extra), status=status)


# Step 1: the program


class ProgramStepForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ("name", "reporting_currency", "pmi_stage")
        labels = {"name": "Program name", "pmi_stage": "Where is your company (Partner Maturity Index)?"}
        help_texts = {
            "name": "Partners see it in the portal and in every email, e.g. “Acme Partner Network”.",
            "reporting_currency": "Three letters, like USD or EUR. Totals across currencies are converted into it.",
            "pmi_stage": "It decides which metrics the dashboard leads with and which partners it suggests.",
        }
        error_messages = {"name": {"required": "Give the program a name partners will recognise."}}
        widgets = {"pmi_stage": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["reporting_currency"]
        currency.widget.attrs.update({"maxlength": 3, "size": 4, "autocapitalize": "characters"})
        currency.error_messages["max_length"] = "Give the currency as its three-letter code, like USD or EUR."
        currency.error_messages["required"] = "Give the currency as its three-letter code, like USD or EUR."

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise ValidationError("Give the program a name partners will recognise.")
        return name

    def clean_reporting_currency(self) -> str:
        return parse_currency(self.cleaned_data.get("reporting_currency"))


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def wizard_program(request: HttpRequest) -> HttpResponse:
    program = program_get()
    if request.method != "POST":
        return _render(request, "partners/setup/wizard_program.html", "program", ProgramStepForm(instance=program))
    form = ProgramStepForm(request.POST, instance=Program.objects.get(pk=program.pk))
    if form.is_valid():
        try:
            program_settings_update(actor=request.user, data={n: form.cleaned_data[n] for n in form.Meta.fields})
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"Saved: {form.cleaned_data['name']}.")
            return redirect(wizard_next("program"))
    return _render(request, "partners/setup/wizard_program.html", "program", form)


# Step 2: tiers


class TiersStepForm(forms.Form):
    ladder = forms.ChoiceField(
        label="How do partners progress?",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one of the options.", "invalid_choice": "Choose one of the options."},
    )

    def __init__(self, *args: Any, has_tiers: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = []
        if has_tiers:
            choices.append(("keep", "Keep the tiers I have"))
        choices += [
            ("ladder", "A ladder: Registered, Silver, Gold (better discount and funds as partners do more)"),
            ("one", "One level for everyone (simplest; add tiers later)"),
        ]
        self.fields["ladder"].choices = choices


def _tiers_apply(actor: User, choice: str) -> str:
    """Apply the chosen ladder through the audited tier services. Returns what to tell the user."""
    if choice == "keep":
        return "Your tiers are kept."
    if choice == "one":
        for tier in Tier.objects.order_by("-rank"):
            setup_services.tier_delete(actor=actor, tier=tier)
        return "One level for everyone: no tiers. You can add tiers later in the program setup."
    added = []
    for name, discount, mdf, protection, other in LADDERS[choice]:
        if Tier.objects.filter(name__iexact=name).exists():
            continue
        data = {
            "name": name,
            "description": "",
            "discount_percent": discount,
            "mdf_eligible": mdf,
            "deal_protection_days": protection,
            "other_benefits": other,
        }
        added.append(setup_services.tier_create(actor=actor, data=data).name)
    if not added:
        return "Those tiers are already there."
    return f"Added {', '.join(added)}. Give them requirements in the program setup whenever you like."


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def wizard_tiers(request: HttpRequest) -> HttpResponse:
    tiers = list(Tier.objects.order_by("rank"))
    initial = {"ladder": "keep" if tiers else "one"}
    form = TiersStepForm(request.POST or None, has_tiers=bool(tiers), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                message = _tiers_apply(request.user, form.cleaned_data["ladder"])
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(wizard_next("tiers"))
    return _render(request, "partners/setup/wizard_tiers.html", "tiers", form, tiers=tiers, ladder=LADDERS["ladder"])


# Step 4: onboarding


class OnboardingStepForm(forms.Form):
    partner_types = forms.MultipleChoiceField(
        label="Give these partner types their own checklist",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Each starts with: accept the agreement, complete the profile, invite a colleague, register a "
        "first deal. Every other type follows the standard checklist.",
    )
    agreement_title = forms.CharField(label="Agreement title", max_length=200, required=False)
    agreement_body = forms.CharField(
        label="Your partner agreement",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Paste or write it here; partners accept it before they start. Leave it empty to keep the "
        "current one.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner_types"].choices = onboarding_services.partner_types_without_checklist()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        body = (data.get("agreement_body") or "").strip()
        data["agreement_body"] = body
        if body and len(body) < 40:
            self.add_error("agreement_body", "This is very short for an agreement: write the terms in full.")
        if body and not (data.get("agreement_title") or "").strip():
            data["agreement_title"] = "Partner agreement"
        return data


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def wizard_onboarding(request: HttpRequest) -> HttpResponse:
    form = OnboardingStepForm(request.POST or None, initial={"agreement_title": "Partner agreement"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                made = []
                for partner_type in data["partner_types"]:
                    checklist = onboarding_services.checklist_create(
                        actor=request.user, name="", partner_type=partner_type
                    )
                    for kind, title, help_text in CHECKLIST_STEPS:
                        onboarding_services.checklist_step_add(
                            actor=request.user,
                            checklist=checklist,
                            data={"kind": kind, "title": title, "help_text": help_text},
                        )
                    made.append(checklist.name)
                version = None
                if data["agreement_body"]:
                    version = onboarding_services.agreement_version_publish(
                        actor=request.user,
                        version=onboarding_services.suggest_next_version() or timezone.localdate().isoformat(),
                        title=data["agreement_title"],
                        body=data["agreement_body"],
                    )
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            said = []
            if made:
                said.append(f"Checklists added: {', '.join(made)}.")
            if version is not None:
                said.append(f"Agreement {version.version} is now the one partners accept.")
            messages.success(request, " ".join(said) or "Onboarding kept as it is.")
            return redirect(wizard_next("onboarding"))
    context = {
        "checklists": list(Checklist.objects.prefetch_related("steps").order_by("partner_type")),
        "agreement": AgreementVersion.objects.filter(is_current=True).first(),
    }
    return _render(request, "partners/setup/wizard_onboarding.html", "onboarding", form, **context)


# Step 5: the first partner


class InviteStepForm(forms.Form):
    name = forms.CharField(
        label="Partner company",
        max_length=200,
        error_messages={"required": "Give the partner company's name, or skip this step."},
    )
    type = forms.ChoiceField(
        label="Partner type",
        choices=[("", "Choose…"), *Partner.Type.choices],
        error_messages={"required": "Choose the partner type.", "invalid_choice": "Choose the partner type."},
    )
    admin_email = forms.EmailField(
        label="Their admin's email",
        required=False,
        help_text="We email them an invitation to the partner portal. Optional: invite them later.",
        error_messages={"invalid": "Enter a full email address, like anna@partner.com."},
    )


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def wizard_invite(request: HttpRequest) -> HttpResponse:
    form = InviteStepForm(request.POST or None)
    if request.method == "POST" and request.POST.get("skip"):
        wizard_record(actor=request.user, outcome=Program.Wizard.DONE)
        messages.success(request, "Setup done. Add partners whenever you are ready.")
        return redirect("manage:setup_wizard_done")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                partner = people_services.partner_create(actor=request.user, name=data["name"], type=data["type"])
                if data["admin_email"]:
                    people_services.invitation_create(
                        actor=request.user,
                        partner=partner,
                        email=data["admin_email"],
                        role=PartnerMembership.Role.ADMIN,
                    )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                attach_errors(form, exc)
            else:
                form.add_error("admin_email" if "@" in " ".join(exc.messages) else "name", exc)
        else:
            wizard_record(actor=request.user, outcome=Program.Wizard.DONE)
            invited = f" and {data['admin_email']} was invited as its admin" if data["admin_email"] else ""
            messages.success(request, f"{partner.name} was added{invited}.")
            return redirect(f"{_url('manage:setup_wizard_done')}?partner={partner.pk}")
    return _render(request, "partners/setup/wizard_invite.html", "invite", form)


# The end, and skipping it all


@program_setup
@require_http_methods(["GET", "HEAD"])
def wizard_done(request: HttpRequest) -> HttpResponse:
    partner_id = request.GET.get("partner", "")
    partner = (
        Partner.objects.filter(pk=int(partner_id)).first() if partner_id.isdigit() and len(partner_id) < 12 else None
    )
    context = setup_context(
        request,
        program=program_get(),
        partner=partner,
        tiers=list(Tier.objects.order_by("rank")),
        policy_url=_url("manage:setup_deal_policy"),
        products_url=_url("manage:setup_product_list"),
        mdf_url=_url("manage:mdf_settings"),
    )
    return render(request, "partners/setup/wizard_done.html", context)


@program_setup
@require_POST
def wizard_skip(request: HttpRequest) -> HttpResponse:
    wizard_record(actor=request.user, outcome=Program.Wizard.SKIPPED)
    messages.info(request, "Setup wizard skipped. Everything it asks is here in the program setup, any time.")
    return redirect("manage:program_setup")
