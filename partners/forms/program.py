from django import forms

from partners.models import Program
from partners.services.program import NOTE_MAX_LENGTH, REASON_MAX_LENGTH
from partners.services.settings import EDITABLE
from prm.money import parse_currency


class ProposalDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("reject", "Reject")],
        error_messages={"required": "Choose Accept or Reject.", "invalid_choice": "Choose Accept or Reject."},
    )
    reason = forms.CharField(
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to reject (kept in the audit trail). When you accept, the partner's people see it in "
        "their message.",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say why you reject this proposal; the reason is kept in the audit trail.")
        return data


class RequirementTickForm(forms.Form):
    ticked = forms.TypedChoiceField(
        choices=[("1", "Confirmed"), ("0", "Not confirmed")],
        coerce=lambda value: value == "1",
        required=False,
        empty_value=None,
    )
    note = forms.CharField(required=False, max_length=NOTE_MAX_LENGTH)


class ProgramSettingsForm(forms.ModelForm):
    """The program settings a channel manager may change (partners.services.settings.program_settings_update saves
    them, audited)."""

    class Meta:
        model = Program
        fields = EDITABLE  # the service owns the list
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["reporting_currency"]
        currency.widget.attrs.update({"maxlength": 3, "size": 4, "autocapitalize": "characters"})
        currency.error_messages["max_length"] = "Give the currency as its three-letter code, like USD or EUR."
        for name in ("internal_sellers", "stall_days", "second_reminder_days", "escalation_days", "dormancy_days"):
            self.fields[name].error_messages["invalid"] = "Enter a whole number."
            self.fields[name].widget.attrs["min"] = 0
        self.fields["review_reminder_days"].error_messages["invalid"] = "Enter a whole number of days."

    def clean_reporting_currency(self) -> str:
        return parse_currency(self.cleaned_data.get("reporting_currency"))
