"""The company profile: what a partner admin edits in the portal, and the channel manager's full form."""

from typing import Any

from django import forms
from django_countries import countries

from partners import selectors
from partners.models import Partner
from partners.services.profile import MAX_SELLER_COUNT, MAX_VERTICAL_LENGTH, MAX_VERTICALS


def _checkboxes(choices, label: str, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices,
        required=False,
        label=label,
        help_text=help_text,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not one of the options. Tick the ones that apply."},
    )


class PartnerProfileForm(forms.Form):
    """What a partner admin keeps up to date about its own company (Partner.PROFILE fields)."""

    website = forms.URLField(
        max_length=300,
        required=False,
        assume_scheme="https",
        label="Website",
        widget=forms.URLInput(attrs={"placeholder": "https://www.example.com", "autocomplete": "url"}),
        error_messages={"invalid": "Enter a full web address, like https://www.example.com."},
    )
    description = forms.CharField(
        max_length=4000,
        required=False,
        label="What you sell",
        help_text="Your offer around our product: services, solutions, who you serve. Up to 4,000 characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    functions = _checkboxes(Partner.Function.choices, "What you do")
    regions = _checkboxes(Partner.Region.choices, "Regions you cover")
    countries = forms.MultipleChoiceField(
        choices=countries,
        required=False,
        label="Countries",
        help_text="Hold Ctrl (⌘ on a Mac) to pick several.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
        error_messages={"invalid_choice": "“%(value)s” is not a country we know. Pick countries from the list."},
    )
    verticals = forms.CharField(
        required=False,
        max_length=MAX_VERTICALS * (MAX_VERTICAL_LENGTH + 2),
        label="Industries you sell into",
        help_text="Separate them with commas, e.g. Healthcare, Retail, Public sector.",
    )
    segments = _checkboxes(Partner.Segment.choices, "Customer segments")
    seller_count = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_SELLER_COUNT,
        label="Number of sellers",
        help_text="People who sell our product.",
    )

    # Titles of the form's sections and the fields in each (rendered by the templates in this order).
    FIELDSETS: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("Your company", ("website", "description", "functions")),
        ("Your reach", ("regions", "countries", "verticals", "segments", "seller_count")),
    )

    @classmethod
    def initial_for(cls, partner: Partner) -> dict[str, Any]:
        """The form's starting values from what is saved."""
        initial = {
            name: getattr(partner, f"{name}_id" if name in ("parent", "tier", "owner") else name)
            for name in cls.base_fields
        }
        initial["countries"] = [c.code for c in partner.countries]
        initial["verticals"] = ", ".join(partner.verticals or [])
        return initial

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A long multi-select hides what is picked: say it under the list.
        picked = self["countries"].value() or []
        names = sorted(str(dict(countries).get(str(code).upper(), code)) for code in picked)
        if names:
            self.fields["countries"].help_text = f"Selected: {', '.join(names)}. " + self.fields["countries"].help_text

    def clean_verticals(self) -> list[str]:
        seen: dict[str, str] = {}
        for item in self.cleaned_data["verticals"].split(","):
            text = " ".join(item.split())
            if len(text) > MAX_VERTICAL_LENGTH:
                raise forms.ValidationError(
                    f"Keep each industry under {MAX_VERTICAL_LENGTH} characters (“{text[:30]}…” is longer)."
                )
            if text:
                seen.setdefault(text.lower(), text)
        if len(seen) > MAX_VERTICALS:
            raise forms.ValidationError(f"List at most {MAX_VERTICALS} industries (you listed {len(seen)}).")
        return list(seen.values())

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.FIELDSETS]


class PartnerManageForm(PartnerProfileForm):
    """Everything a channel manager sets about a partner (its status moves through the workflows instead)."""

    name = forms.CharField(max_length=200, label="Company name")
    type = forms.ChoiceField(choices=Partner.Type.choices, label="Partner type")
    influence = forms.ChoiceField(
        choices=[("", "Not assessed"), *Partner.Influence.choices],
        required=False,
        label="Influence",
        help_text="How close they are to the customer's decision.",
    )
    commercial_model = forms.ChoiceField(
        choices=[("", "Not set"), *Partner.CommercialModel.choices], required=False, label="Commercial model"
    )
    route_to_market = forms.ChoiceField(
        choices=[("", "Not set"), *Partner.RouteToMarket.choices], required=False, label="Route to market"
    )
    parent = forms.ModelChoiceField(
        queryset=Partner.objects.none(),
        required=False,
        label="Buys through distributor",
        empty_label="None: buys from us directly",
        help_text="Only for resellers in two-tier distribution.",
        error_messages={"invalid_choice": "Choose one of the distributors in the list."},
    )
    tier = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Tier",
        empty_label="No tier",
        help_text="Usually changed by accepting a tier proposal; set it here to correct it.",
        error_messages={"invalid_choice": "Choose one of the tiers in the list."},
    )
    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Channel manager",
        empty_label="Nobody yet",
        help_text="Who owns the relationship. They are told when you change it.",
        error_messages={"invalid_choice": "Choose one of the channel managers in the list."},
    )

    FIELDSETS = (
        ("Company", ("name", "type", "website", "description")),
        ("Classification", ("functions", "influence", "commercial_model", "route_to_market")),
        ("Reach", ("regions", "countries", "verticals", "segments", "seller_count")),
        ("Relationship", ("owner", "parent", "tier")),
    )

    def __init__(self, *args: Any, partner: Partner, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Partner.objects.filter(type=Partner.Type.DISTRIBUTOR).exclude(pk=partner.pk)
        self.fields["tier"].queryset = selectors.tier_list()
        self.fields["owner"].queryset = selectors.channel_managers()
        self.fields["description"].label = "What they sell"
        self.fields["description"].help_text = "Up to 4,000 characters."
        self.fields["functions"].label = "What they do"
        self.fields["regions"].label = "Regions"
        self.fields["verticals"].label = "Industries they sell into"
        self.fields["seller_count"].help_text = ""


class OwnerForm(forms.Form):
    """The partner page's quick "assign an owner" select."""

    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Channel manager",
        empty_label="Nobody yet",
        error_messages={"invalid_choice": "Choose one of the channel managers in the list."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.channel_managers()


class NoteForm(forms.Form):
    body = forms.CharField(
        max_length=5000,
        label="Add a note",
        help_text="Only channel managers see notes. Up to 5,000 characters.",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Call summary, next steps, context for colleagues…"}),
        error_messages={"required": "Write something first."},
    )
