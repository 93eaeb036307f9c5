"""Forms for the channel team's MDF pages: decisions on requests and claims, payouts, deadline extensions,
allocations and tier pools, the CSV import, list filters and the MDF settings. The services validate again (they
are the rule); the forms put each problem next to its field and keep what was typed."""

import calendar
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format

from mdf.models import Claim, FundRequest, LedgerEntry, MdfSettings, Period, TierPool
from mdf.services.common import TEXT_MAX
from mdf.services.periods import SETTINGS_FIELDS
from partners.models import Partner, Tier
from prm.money import parse_currency, parse_money

IMPORT_MAX_BYTES = 2 * 1024 * 1024


class MoneyField(forms.CharField):
    """An amount typed the way people write it; cleaned to a Decimal (or None when optional and empty)."""

    def __init__(self, *, words: str, allow_negative: bool = False, **kwargs: Any) -> None:
        self.words = words
        self.allow_negative = allow_negative
        kwargs.setdefault("error_messages", {"required": f"Give the {words}."})
        attrs = {"inputmode": "decimal", "class": "money", "autocomplete": "off", "maxlength": 30}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)  # no max_length: its validator would run on the Decimal

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 30:
            raise forms.ValidationError(f"That is more than we can store: check the {self.words}.")
        return parse_money(value, label=self.words, allow_negative=self.allow_negative)


def _text(label: str, *, required: bool, message: str = "", rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": message or f"Give the {label.lower()}.",
            "max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d).",
        },
    )


def _date(label: str, *, required_message: str = "", **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": required_message or f"Give the {label.lower()}.",
            "invalid": "Enter a date, like 2026-03-31.",
        },
        **kwargs,
    )


# --- Decisions --------------------------------------------------------------------------------------------------


class _DecisionForm(forms.Form):
    """One form for the three decisions; the page shows one box per action, each posting its `action`."""

    ACTIONS = (("approve", "Approve"), ("reject", "Reject"), ("info", "Ask for more"))
    action = forms.ChoiceField(choices=ACTIONS, error_messages={"required": "Choose a decision."})
    amount = MoneyField(words="amount to approve", required=False)
    reason = _text("Reason", required=False)
    question = _text("Question", required=False)
    reject_message = "Tell the partner why you reject it: they read the reason."
    info_message = "Ask the partner what you need to know."

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == "reject" and not (data.get("reason") or "").strip() and "reason" not in self.errors:
            self.add_error("reason", self.reject_message)
        if action == "info" and not (data.get("question") or "").strip() and "question" not in self.errors:
            self.add_error("question", self.info_message)
        if action == "approve" and data.get("amount") is not None and data["amount"] <= 0:
            self.add_error("amount", "Approve more than 0, or reject the request.")
        return data


class RequestDecisionForm(_DecisionForm):
    pass


class ClaimDecisionForm(_DecisionForm):
    ACTIONS = (("approve", "Approve"), ("reject", "Reject"), ("info", "Ask for more proof"))
    action = forms.ChoiceField(choices=ACTIONS, error_messages={"required": "Choose a decision."})
    info_message = "Say what proof or correction you need: the partner reads it."


class ExtendDeadlineForm(forms.Form):
    deadline = _date("New claim deadline")
    reason = _text("Reason", required=True, rows=2, message="Give a reason: it is kept with the change.")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError("The new deadline is in the past: choose today or a later day.")
        return deadline


class PayoutForm(forms.Form):
    amount = MoneyField(words="amount paid", required=False)
    paid_on = _date("Paid on", required_message="Give the date of the payment.")
    reference = forms.CharField(
        label="Payment reference",
        max_length=120,
        help_text="The bank transfer or invoice number the partner will recognise.",
        error_messages={"required": "Give the payment reference: the partner sees it."},
    )

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError("Record the payment once it is made: the date is in the future.")
        return paid_on


# --- Budgets, allocations and pools -------------------------------------------------------------------------------


def open_periods():
    return Period.objects.filter(funds_expired_at__isnull=True).order_by("starts_on")


class PeriodChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Period) -> str:
        return f"{obj.name} ({date_format(obj.starts_on, 'M j')} – {date_format(obj.ends_on, 'M j, Y')})"


def _receiving_period() -> PeriodChoiceField:
    """The period funds go to (an allocation, an import): one whose funds have not expired."""
    return PeriodChoiceField(
        label="Period",
        queryset=open_periods(),
        empty_label=None,
        error_messages={
            "required": "Choose the period.",
            "invalid_choice": "Choose one of the periods listed (expired periods cannot receive funds).",
        },
    )


class PoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: TierPool) -> str:
        return f"{obj.tier.name} pool, {obj.period.name}"


class AllocateForm(forms.Form):
    partner = forms.ModelChoiceField(
        label="Partner",
        queryset=Partner.objects.order_by("name"),
        empty_label="Choose a partner",
        error_messages={"required": "Choose the partner.", "invalid_choice": "That partner does not exist."},
    )
    period = _receiving_period()
    amount = MoneyField(
        words="amount",
        allow_negative=True,
        help_text="A negative amount corrects an earlier allocation (it cannot take back what is reserved or paid).",
    )
    pool = PoolChoiceField(
        label="Draw from a tier pool",
        queryset=TierPool.objects.select_related("tier", "period").filter(period__funds_expired_at__isnull=True),
        required=False,
        empty_label="No pool",
        error_messages={"invalid_choice": "Choose one of the pools listed."},
    )
    memo = forms.CharField(
        label="Note",
        required=False,
        max_length=300,
        help_text="Why, for the ledger: the partner sees it too.",
        error_messages={"max_length": "Keep the note under %(limit_value)d characters (it has %(show_value)d)."},
    )

    def clean(self) -> dict:
        data = super().clean()
        amount = data.get("amount")
        if amount is not None and amount == 0:
            self.add_error("amount", "The amount must be more or less than 0.")
        pool = data.get("pool")
        if pool is not None and amount is not None and amount < 0:
            self.add_error("pool", "A correction is not drawn from a pool: choose “No pool”.")
        return data


class PoolForm(forms.Form):
    period = PeriodChoiceField(
        queryset=open_periods(),
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the periods listed (expired periods cannot be changed)."},
    )
    tier = forms.ModelChoiceField(
        label="Tier",
        queryset=Tier.objects.order_by("rank"),
        empty_label="Choose a tier",
        error_messages={"required": "Choose the tier.", "invalid_choice": "That tier does not exist."},
    )
    amount = MoneyField(words="pool amount")


class ImportForm(forms.Form):
    period = _receiving_period()
    file = forms.FileField(
        label="CSV file",
        required=False,
        help_text="UTF-8 or Latin-1, at most 5,000 rows and 2 MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt"}),
    )
    text = forms.CharField(
        label="…or paste the rows",
        required=False,
        max_length=IMPORT_MAX_BYTES,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "partner,amount,memo\nNorthwind Solutions,5000,Q3 events"}
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB: split it.")
        raw = upload.read()
        if b"\x00" in raw[:8192]:
            raise forms.ValidationError("This does not look like a CSV file. Save it as CSV (comma separated).")
        for encoding in ("utf-8-sig", "latin-1"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError("The file could not be read as text.")  # pragma: no cover (latin-1 reads all)

    def clean(self) -> dict:
        data = super().clean()
        text = data.get("file") or data.get("text") or ""
        if not text.strip() and not self.errors.get("file"):
            self.add_error("file", "Choose a CSV file, or paste the rows below.")
        data["csv_text"] = text
        return data


# --- List filters -----------------------------------------------------------------------------------------------


def _choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", label), *choices])


class _FilterForm(forms.Form):
    def filters(self) -> dict:
        """The valid, non-empty filters; a bad value (a stale bookmark) is dropped, never a 500."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if k not in self.errors and v not in (None, "", False)}


def _id_field() -> forms.IntegerField:
    return forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class RequestFilterForm(_FilterForm):
    q = forms.CharField(required=False, max_length=200)
    status = _choice("All statuses", FundRequest.Status.choices)
    partner = _id_field()
    period = _id_field()
    activity_type = _choice("Any activity", FundRequest.ActivityType.choices)
    overdue = forms.BooleanField(required=False)


class ClaimFilterForm(_FilterForm):
    q = forms.CharField(required=False, max_length=200)
    status = _choice("All statuses", Claim.Status.choices)
    partner = _id_field()
    period = _id_field()


class LedgerFilterForm(_FilterForm):
    partner = _id_field()
    period = _id_field()
    kind = _choice("Every kind", LedgerEntry.Kind.choices)
    request = _id_field()


# --- Settings ---------------------------------------------------------------------------------------------------

_REMINDER_DAYS = re.compile(r"^\d{1,3}(,\d{1,3})*$")


class SettingsForm(forms.ModelForm):
    class Meta:
        model = MdfSettings
        fields = SETTINGS_FIELDS
        labels = {
            "fiscal_year_start_month": "Fiscal year starts in",
            "period_months": "Budget period",
            "expiry_grace_days": "Grace days before unused funds expire",
            "claim_days": "Days to file a claim after the activity",
            "review_business_days": "Business days to decide (SLA)",
            "admin_approval_above": "Admin approval above",
            "allow_overspend": "Allow approvals beyond the available balance",
            "claim_reminder_days": "Claim reminders, days before the deadline",
        }
        help_texts = {
            "claim_reminder_days": "Comma separated, like 15,5,1.",
            "allow_overspend": "The partner's available balance may then go below zero. Off by default.",
        }

    MONTHS = [(i, calendar.month_name[i]) for i in range(1, 13)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year_start_month"] = forms.TypedChoiceField(
            label="Fiscal year starts in", choices=self.MONTHS, coerce=int, help_text="Periods are counted from it."
        )
        self.fields["admin_approval_above"] = MoneyField(
            words="amount",
            required=False,
            help_text="Requests approved above this amount also need an admin's approval. Empty: one approval.",
        )
        if self.instance and self.instance.admin_approval_above is not None:
            self.initial["admin_approval_above"] = f"{self.instance.admin_approval_above:.2f}"
        self.fields["currency"].widget.attrs.update({"maxlength": 3, "style": "text-transform: uppercase"})
        self.fields["currency"].error_messages["max_length"] = (
            "Give the currency as its three-letter code, like USD or EUR."
        )
        for name in ("expiry_grace_days", "claim_days", "review_business_days"):
            self.fields[name].error_messages["invalid"] = "Enter a whole number of days."
            self.fields[name].widget.attrs["min"] = 0

    def clean_currency(self) -> str:
        return parse_currency(self.cleaned_data.get("currency"))

    def clean_claim_days(self) -> int:
        days = self.cleaned_data["claim_days"]
        if days < 1:
            raise forms.ValidationError("Give partners at least one day to claim.")
        return days

    def clean_claim_reminder_days(self) -> str:
        text = (self.cleaned_data.get("claim_reminder_days") or "").replace(" ", "")
        if not text:
            return ""
        if not _REMINDER_DAYS.match(text):
            raise forms.ValidationError("Write the days as numbers separated by commas, like 15,5,1.")
        days = sorted({int(d) for d in text.split(",") if int(d) > 0}, reverse=True)
        return ",".join(str(d) for d in days)
