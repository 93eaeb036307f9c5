"""Forms for the life of an approved registration: the partner asks for an extension or closes the deal; a channel
manager decides on the extension."""

from decimal import Decimal

from django import forms

REASON_MAX = 2000  # what the lifecycle services accept


class ExtensionRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why does the deal need more time?",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the channel team why the deal needs more time: they decide on it."},
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("won", "Won"), ("lost", "Lost")])
    amount = forms.DecimalField(
        label="Amount won",
        required=False,
        min_value=Decimal("0.01"),
        max_digits=14,
        decimal_places=2,
    )
    reason = forms.CharField(
        label="Note", required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("outcome") == "won" and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Give the amount the deal was won for.")
        return data


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Grant"), ("deny", "Refuse")])
    reason = forms.CharField(
        label="Reason", required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == "deny" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Tell the partner why you refuse the extension: they read the reason.")
        return data


def error_text(form: forms.Form) -> str:
    """A form's errors as one sentence for a message."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
