"""Recruitment forms: the public application, a distributor's reseller invitation, a channel manager's decline."""

from django import forms
from django.core.validators import RegexValidator
from django_countries import countries

from partners.models import Partner
from prm.names import registrable_domain

# The honeypot: a field people never see (hidden visually and from screen readers) but naive bots fill in.
HONEYPOT_FIELD = "url"
TEXT_MAX = 4000

_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()./-]{4,38}(\s*(ext\.?|x)\s*[0-9]{1,6})?$",
    "Enter a phone number with digits, spaces and + ( ) - only, like +44 20 7946 0958.",
)


def _website_field(label: str = "Company website") -> forms.URLField:
    return forms.URLField(
        label=label,
        max_length=300,
        assume_scheme="https",
        error_messages={"invalid": "Enter the website's address, like https://northwind.com."},
    )


def _clean_website(value: str) -> str:
    if value and not registrable_domain(value):
        raise forms.ValidationError("This address has no public domain name. Enter it like https://northwind.com.")
    return value


def _text(label: str, help_text: str = "", required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d)."},
    )


class ApplicationForm(forms.Form):
    """The public "Become a partner" form."""

    name = forms.CharField(
        label="Company name", max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    website = _website_field()
    type = forms.ChoiceField(
        label="What kind of partner are you?",
        choices=[("", "Choose one…"), *Partner.Type.choices],
        error_messages={"required": "Choose the kind of partner that fits you best."},
    )
    regions = forms.MultipleChoiceField(
        label="Where do you sell?",
        choices=Partner.Region.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Pick at least one region."},
    )
    countries = forms.MultipleChoiceField(
        label="Countries",
        choices=lambda: list(countries),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Only if you focus on a few countries. Hold Ctrl (⌘ on a Mac) to pick several.",
        error_messages={"invalid_choice": "“%(value)s” is not a country we know. Pick countries from the list."},
    )
    contact_name = forms.CharField(
        label="Your name", max_length=160, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    contact_email = forms.EmailField(
        label="Your work email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address, like anna@northwind.com."},
    )
    contact_title = forms.CharField(
        label="Job title",
        max_length=160,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    contact_phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        validators=[_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    description = _text("What do you sell, and to whom?", "Products, services, the customers you serve.")
    why = _text("Why do you want to partner with us?", "A few sentences are plenty.")

    def clean_website(self) -> str:
        return _clean_website(self.cleaned_data["website"])


# Types that sit under a distributor in two-tier distribution.
RESELLER_TYPES = [
    (t.value, t.label)
    for t in (Partner.Type.RESELLER, Partner.Type.VAR, Partner.Type.MSP, Partner.Type.SI, Partner.Type.MARKETPLACE)
]


class ResellerInviteForm(forms.Form):
    """A distributor's admin proposes a reseller; the channel team approves it."""

    name = forms.CharField(label="Company name", max_length=200)
    website = _website_field()
    type = forms.ChoiceField(label="Type", choices=RESELLER_TYPES, initial=Partner.Type.RESELLER)
    contact_name = forms.CharField(label="Contact's name", max_length=160)
    contact_email = forms.EmailField(
        label="Contact's work email",
        max_length=254,
        help_text="Once approved, we invite this person as the reseller's admin.",
        error_messages={"invalid": "Enter an email address, like anna@northwind.com."},
    )
    why = _text("Anything the channel team should know?", required=False, rows=3)

    def clean_website(self) -> str:
        return _clean_website(self.cleaned_data["website"])


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The applicant receives this reason by email. Be kind and specific.",
        error_messages={
            "required": "Give a reason: the applicant receives it by email.",
            "max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
