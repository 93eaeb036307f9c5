"""Program setup forms: a tier and its benefits, a tier requirement. The services in partners.services.setup own
the field lists and save them (audited)."""

from django import forms
from django.core import validators

from partners.models import Tier, TierRequirement
from partners.services.program import reporting_currency
from partners.services.setup import REQUIREMENT_FIELDS, TIER_FIELDS

Kind = TierRequirement.Kind


def make_read_only(form: forms.BaseForm) -> forms.BaseForm:
    """Show the form to someone who may not change it: every field disabled (the page shows no buttons)."""
    for field in form.fields.values():
        field.disabled = True
    return form


class TierForm(forms.ModelForm):
    class Meta:
        model = Tier
        fields = TIER_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "other_benefits": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "discount_percent": "Discount (%)",
            "deal_protection_days": "Deal registration protection (days)",
            "other_benefits": "Other benefits",
        }
        help_texts = {
            "description": "A line or two partners read on their program page.",
            "discount_percent": "The margin or discount partners of this tier get. Leave empty for none.",
            "mdf_eligible": "Once the program has tiers, only partners of an MDF-eligible tier get MDF budgets.",
            "deal_protection_days": "How long this tier's approved deal registrations are protected. Leave empty "
            "for the program's default.",
            "other_benefits": "Early product access, co-marketing… one per line.",
        }
        error_messages = {
            "name": {"required": "Give the tier a name, e.g. Silver.", "unique": "There is already a tier called so."},
            "discount_percent": {"invalid": "Enter a percentage, like 10 or 12.5."},
            "deal_protection_days": {"invalid": "Enter a whole number of days."},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        discount = self.fields["discount_percent"]
        discount.validators += [
            validators.MinValueValidator(0, "A discount cannot be below 0%%."),
            validators.MaxValueValidator(100, "A discount cannot be above 100%%."),
        ]
        discount.widget.attrs.update({"min": 0, "max": 100, "step": "0.01", "inputmode": "decimal"})
        days = self.fields["deal_protection_days"]
        days.validators += [
            validators.MinValueValidator(1, "Give at least 1 day, or leave it empty."),
            validators.MaxValueValidator(3650, "Give at most 3650 days (ten years)."),
        ]
        days.widget.attrs.update({"min": 1, "max": 3650})

    def clean_name(self) -> str:
        return " ".join((self.cleaned_data.get("name") or "").split())


class TierRequirementForm(forms.ModelForm):
    class Meta:
        model = TierRequirement
        fields = REQUIREMENT_FIELDS
        labels = {"kind": "What it measures", "threshold": "At least", "label": "What the partner must do"}
        help_texts = {
            "threshold": "For measured kinds: a number above 0.",
            "label": "For qualitative requirements, e.g. 'Joint marketing plan agreed'; a channel manager "
            "confirms it for each partner.",
            "order": "Position in the tier's list (lower comes first). Leave empty to add it at the end.",
        }
        error_messages = {
            "kind": {"required": "Choose what the requirement measures.", "invalid_choice": "Choose a kind."},
            "threshold": {"invalid": "Enter a number, like 3 or 100000."},
            "order": {"invalid": "Enter a whole number."},
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        currency = reporting_currency()
        self.fields[
            "threshold"
        ].help_text = f"For measured kinds: a number above 0. Won revenue is in the reporting currency, {currency}."
        self.fields["threshold"].widget.attrs.update({"min": 0, "step": "any", "inputmode": "decimal"})
        self.fields["order"].required = False
        self.fields["order"].widget.attrs["min"] = 0

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Kind.QUALITATIVE:
            if not (data.get("label") or "").strip() and "label" not in self.errors:
                self.add_error("label", "Say what the partner must do, e.g. 'Joint marketing plan agreed'.")
            data["threshold"] = None
        elif kind:
            threshold = data.get("threshold")
            if "threshold" not in self.errors and (threshold is None or threshold <= 0):
                self.add_error("threshold", "Give a number above 0.")
            data["label"] = ""
        return data

    def _post_clean(self) -> None:
        # The service validates the model (kind vs threshold) after normalising; skip the instance checks here so
        # the clear field messages above are the ones shown.
        pass
