"""Program setup, deal registration: the policy form (the service validates again and says why)."""

from django import forms

from dealreg.models import DealregPolicy
from dealreg.services.policy_setup import LIMITS, POLICY_FIELDS, clean_reminder_days


class DealPolicyForm(forms.ModelForm):
    class Meta:
        model = DealregPolicy
        fields = POLICY_FIELDS
        labels = {
            "exclusivity_days": "Protection window (days)",
            "decision_sla_business_days": "Decide within (business days)",
            "auto_approve_without_conflict": "Approve a registration at once when it has no conflict at all",
            "max_extensions": "Extensions a partner may ask for",
            "extension_days": "Days each extension adds",
            "expiry_reminder_days": "Remind the partner before protection ends (days)",
        }
        help_texts = {
            "exclusivity_days": "How long an approved registration is protected. A tier's own protection wins.",
            "decision_sla_business_days": "Partners see it; you are reminded before it runs out.",
            "auto_approve_without_conflict": "Conflicts are never approved by themselves, whatever you choose.",
            "max_extensions": "0: protection cannot be extended.",
            "extension_days": "Added to the protection when you approve an extension.",
            "expiry_reminder_days": "Days before the end, separated by commas, e.g. 14, 3. Empty: no reminder.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high, what) in LIMITS.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            field.min_value, field.max_value = low, high
            field.widget.attrs.update({"min": low, "max": high, "inputmode": "numeric"})
            field.error_messages |= {
                "required": f"{what} is needed.",
                "invalid": f"{what} must be a whole number.",
            }
            field.validators = [v for v in field.validators if not hasattr(v, "limit_value")]
            field.validators.append(_between(low, high, what))

    def clean(self):
        data = super().clean()
        if "expiry_reminder_days" in data and data.get("exclusivity_days"):
            try:
                data["expiry_reminder_days"] = clean_reminder_days(
                    data["expiry_reminder_days"], exclusivity_days=data["exclusivity_days"]
                )
            except forms.ValidationError as exc:
                self.add_error("expiry_reminder_days", exc.message_dict["expiry_reminder_days"])
        return data


def _between(low: int, high: int, what: str):
    def check(value: int) -> None:
        if value is not None and not low <= value <= high:
            raise forms.ValidationError(f"{what} must be from {low} to {high}.")

    return check


class WizardPolicyForm(DealPolicyForm):
    """The first-run wizard asks only the essentials: protection and extensions."""

    class Meta(DealPolicyForm.Meta):
        fields = ("exclusivity_days", "max_extensions", "extension_days")
