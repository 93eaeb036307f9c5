"""The partner's MDF forms: the fund request, the claim with its proof of performance, the attribution of a deal.

Forms check what a field can check by itself (a number, a date, a file's type and size) with a message next to
the field; the rules that need the ledger (the most one may request, the available balance, the claim deadline)
are the services', whose errors come back keyed by these same field names (`apply_service_errors`).

Money is typed as text and parsed to a Decimal with two places: "5000", "5,000.00" and "$5,000" are all 5000.00;
more than two decimals is refused rather than rounded, so nobody is surprised by the cent that vanished."""

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from mdf.ledger import Balance
from mdf.models import Budget, FundRequest, ProofFile
from mdf.services.requests import FIELDS as REQUEST_FIELDS
from prm.forms import attach_errors
from prm.money import format_money, parse_money
from prm.uploads import PROOF_TYPES, validate_upload

TEXT_MAX = 4000
HINTED = ("budget", "total_cost", "partner_share_percent", "requested_amount")
CLAIM_FIELDS = ("actual_cost", "amount_claimed", "leads", "results")
# One upload box per kind of proof, in the order a partner thinks of them.
PROOF_KINDS = (
    (ProofFile.Kind.INVOICE, "Invoices", "What the activity cost: the suppliers' invoices or receipts."),
    (ProofFile.Kind.PHOTO, "Photos", "The event, the booth, the webinar's screen: whatever shows it happened."),
    (ProofFile.Kind.ATTENDEES, "Attendee lists", "Who came or registered (CSV, Excel or PDF)."),
    (ProofFile.Kind.LEADS, "Lead lists", "The leads the activity produced."),
    (ProofFile.Kind.OTHER, "Anything else", "Screenshots of a campaign, a report, the content produced."),
)
ACCEPT = ",".join(f".{ext}" for file_type in PROOF_TYPES for ext in file_type.extensions)


class MoneyField(forms.CharField):
    """An amount typed as text (keeps exactly what was typed on an error), cleaned to a Decimal."""

    def __init__(self, *, label: str, words: str = "", **kwargs: Any) -> None:
        self.words = words or label.lower()
        kwargs.setdefault("error_messages", {"required": f"Give the {self.words}."})
        widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "money"})
        super().__init__(label=label, max_length=32, widget=widget, **kwargs)

    def clean(self, value: Any) -> Decimal | None:
        value = super().clean(value)
        if value in self.empty_values:
            return None
        return parse_money(value, label=self.words)


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": f"Give the {label.lower()}.", "invalid": "Enter a date, like 2026-03-31."},
        **kwargs,
    )


def _count_field(label: str, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=10_000_000,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        error_messages={
            "invalid": "Give a whole number, like 40.",
            "min_value": "This cannot be negative.",
            "max_value": "That is more than we can store: check the number.",
        },
    )


class ServiceErrorsMixin:
    """Put a service's ValidationError next to the fields it names (prm.forms.attach_errors); the keys in
    `extra_error_keys` name no field but a part of the page, which shows them from `service_errors`."""

    extra_error_keys: tuple[str, ...] = ()

    def apply_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            rest = {}
            for key, messages in exc.message_dict.items():
                if key in self.extra_error_keys:
                    self.service_errors.setdefault(key, []).extend(messages)
                else:
                    rest[key] = messages
            exc = ValidationError(rest)
        attach_errors(self, exc)  # type: ignore[arg-type]

    @property
    def service_errors(self) -> dict[str, list[str]]:
        if not hasattr(self, "_service_errors"):
            self._service_errors: dict[str, list[str]] = {}
        return self._service_errors


# --- The request ------------------------------------------------------------------------------------------------


def budget_label(budget: Budget, balance: Balance) -> str:
    return f"{budget.period.name}: {format_money(balance.available, balance.currency)} available"


class RequestForm(ServiceErrorsMixin, forms.Form):
    """A fund request. `budgets` ([(Budget, Balance)]) are the periods it may draw on; without them (an edit)
    the budget stays what it was."""

    budget = forms.TypedChoiceField(
        label="Funds from", coerce=int, error_messages={"required": "Choose the period whose funds you use."}
    )
    activity_type = forms.ChoiceField(
        label="Type of activity",
        choices=[("", "Choose…"), *FundRequest.ActivityType.choices],
        error_messages={"required": "Choose the type of activity.", "invalid_choice": "Choose the type of activity."},
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        help_text="Like “Cloud security breakfast, Rotterdam”.",
        error_messages={"required": "Give the activity a title.", "max_length": "Keep the title under 200 characters."},
    )
    description = forms.CharField(
        label="What you will do",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The audience, the format, who runs it, how you follow up the leads.",
        error_messages={"max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d)."},
    )
    starts_on = _date_field("Start date")
    ends_on = _date_field("End date")
    expected_leads = _count_field("Expected leads")
    expected_pipeline = MoneyField(label="Expected pipeline", required=False)
    total_cost = MoneyField(label="Total cost", help_text="Everything the activity costs, including your part.")
    partner_share_percent = forms.DecimalField(
        label="Your share of the cost (%)",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
        help_text="The part your company pays itself. 0 if you ask us to fund all of it.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": "Give your share as a percentage, like 50.",
            "min_value": "Your share is a percentage between 0 and 100.",
            "max_value": "Your share is a percentage between 0 and 100.",
            "max_digits": "Your share is a percentage between 0 and 100.",
            "max_decimal_places": "At most two decimals, like 33.33.",
        },
    )
    requested_amount = MoneyField(
        label="Amount you request",
        words="amount you request",
        help_text="At most the total cost minus your share, and within what the period has available.",
    )

    def __init__(self, *args: Any, budgets: list[tuple[Budget, Balance]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in HINTED:  # their changes refresh the hints next to the amounts
            widget = self.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} mdf-hint-input".strip()
        self.budgets = {budget.pk: (budget, balance) for budget, balance in budgets or []}
        if budgets is None:
            del self.fields["budget"]
        else:
            self.fields["budget"].error_messages["invalid_choice"] = "Choose one of the periods listed."
            self.fields["budget"].choices = [(b.pk, budget_label(b, bal)) for b, bal in budgets]

    def clean_budget(self) -> Budget:
        return self.budgets[self.cleaned_data["budget"]][0]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
            self.add_error("ends_on", "The activity ends before it starts: check the dates.")
        if cleaned.get("partner_share_percent") is None and "partner_share_percent" not in self.errors:
            cleaned["partner_share_percent"] = Decimal("0")
        return cleaned

    def service_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data.get(field) for field in REQUEST_FIELDS}


def request_initial(request: FundRequest) -> dict[str, Any]:
    """The form's values from a saved request (amounts as plain text, like a person types them)."""
    initial = {field: getattr(request, field) for field in REQUEST_FIELDS}
    for field in ("expected_pipeline", "total_cost", "requested_amount"):
        if initial[field] is not None:
            initial[field] = f"{initial[field]:f}"
    initial["partner_share_percent"] = f"{request.partner_share_percent.normalize():f}"
    return initial


# --- The claim --------------------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ProofUploadField(forms.FileField):
    """Several files of one kind. The form checks each file (type by content, size) and names it in its error,
    so one bad file does not cost the good ones."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(required=False, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        return [super(ProofUploadField, self).clean(file, initial) for file in files]


class ProofsForm(ServiceErrorsMixin, forms.Form):
    """One upload box per kind of proof; each file is checked on its own."""

    extra_error_keys = ("proofs",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, label, help_text in PROOF_KINDS:
            self.fields[f"proof_{kind}"] = ProofUploadField(label=label, help_text=help_text)

    @property
    def proof_fields(self) -> list:
        return [self[f"proof_{kind}"] for kind, _, _ in PROOF_KINDS]

    @property
    def proof_errors(self) -> list[str]:
        return self.service_errors.get("proofs", [])

    def clean(self) -> dict[str, Any]:
        """Check each uploaded file on its own: the good ones are kept (`uploads()`) even when another file or
        another field has a problem, and each bad one is named next to its box."""
        cleaned = super().clean()
        self.good_uploads: list[tuple[Any, str]] = []
        for kind, _, _ in PROOF_KINDS:
            name = f"proof_{kind}"
            for file in cleaned.get(name) or []:
                try:
                    self.good_uploads.append((validate_upload(file, allowed=PROOF_TYPES), kind))
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def uploads(self) -> list[tuple[Any, str]]:
        """The files of this post that passed their checks, with their kinds (after is_valid())."""
        return list(getattr(self, "good_uploads", []))


class ClaimForm(ProofsForm):
    """The claim: what the activity cost, what the partner asks back, its results, and proof of performance."""

    actual_cost = MoneyField(label="Actual cost", help_text="What the activity cost in the end, in total.")
    amount_claimed = MoneyField(label="Amount you claim", words="amount you claim")
    leads = _count_field("Leads", help_text="How many leads the activity produced.")
    results = forms.CharField(
        label="How it went",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Attendance, what people asked, the opportunities that came out of it.",
        error_messages={"max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d)."},
    )

    def service_data(self) -> dict[str, Any]:
        return {field: self.cleaned_data.get(field) for field in CLAIM_FIELDS}


def claim_initial(claim: Any) -> dict[str, Any]:
    return {
        "actual_cost": f"{claim.actual_cost:f}",
        "amount_claimed": f"{claim.amount_claimed:f}",
        "leads": claim.leads,
        "results": claim.results,
    }
