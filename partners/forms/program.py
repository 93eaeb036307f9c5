from django import forms

from partners.services.program import NOTE_MAX_LENGTH, REASON_MAX_LENGTH


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
