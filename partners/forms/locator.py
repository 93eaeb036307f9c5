"""Locator forms: a partner admin's public profile, a visitor's "contact this partner" request, the search filters."""

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from partners.forms.recruitment import HONEYPOT_FIELD, _clean_website, _phone, _website_field
from partners.models.locator import LOGO_MAX_BYTES, ContactRequest
from partners.services.locator import MAX_SERVICES, clean_services
from prm.uploads import JPEG, PNG, WEBP, validate_upload

__all__ = ["HONEYPOT_FIELD", "ContactForm", "FilterForm", "PublicProfileForm"]

LOGO_TYPES = (PNG, JPEG, WEBP)  # no SVG: it can carry scripts


def _limit(limit: int) -> dict[str, str]:
    return {"max_length": f"Keep it under {limit:,} characters (it has %(show_value)d)."}


class PublicProfileForm(forms.Form):
    listed = forms.BooleanField(
        label="Show us in the partner locator",
        required=False,
        help_text="Visitors can find your company, read this profile and ask you to contact them. "
        "Each request arrives as a lead offered to you.",
    )
    headline = forms.CharField(
        label="Headline",
        max_length=160,
        required=False,
        help_text="One line under your name, e.g. “Rollouts and managed service for retail in DACH”.",
        error_messages=_limit(160),
    )
    description = forms.CharField(
        label="About your company",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you do for customers and how you work with them. Plain text.",
        error_messages=_limit(3000),
    )
    services = forms.CharField(
        label="Services",
        required=False,
        max_length=MAX_SERVICES * 70,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One per line, up to {MAX_SERVICES}: implementation, training, managed service…",
        error_messages=_limit(MAX_SERVICES * 70),
    )
    public_website = _website_field("Website shown to visitors")
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG or WebP, up to 1 MB. Square or wide pictures look best.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_logo = forms.BooleanField(label="Remove the current logo", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["public_website"].required = False
        self.fields["public_website"].help_text = "Where visitors learn more; your company website if left empty."
        self.fields["logo"].widget = forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"})

    @classmethod
    def initial_for(cls, profile) -> dict:
        return {
            "listed": profile.listed,
            "headline": profile.headline,
            "description": profile.description,
            "services": "\n".join(profile.services or []),
            "public_website": profile.public_website,
        }

    def clean_public_website(self) -> str:
        return _clean_website(self.cleaned_data["public_website"])

    def clean_services(self) -> list[str]:
        try:
            return clean_services(self.cleaned_data["services"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0]) from None

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo:
            return None
        if logo.size > LOGO_MAX_BYTES:
            raise forms.ValidationError(
                f"“{logo.name}” is {logo.size / (1024 * 1024):.1f} MB; a logo can be up to 1 MB. "
                "Save it smaller (a few hundred pixels wide is plenty)."
            )
        return validate_upload(logo, allowed=LOGO_TYPES)

    def profile_data(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("listed", "headline", "description", "services", "public_website")}


class ContactForm(forms.Form):
    """A visitor's request to be contacted by one listed partner."""

    company_name = forms.CharField(
        label="Company",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
        error_messages={"required": "Tell us your company's name.", **_limit(200)},
    )
    website = _website_field("Company website")
    country = forms.ChoiceField(
        label="Country",
        choices=lambda: [("", "Choose your country…"), *countries],
        error_messages={
            "required": "Choose your country: the partner needs to know where you are.",
            "invalid_choice": "Choose your country from the list.",
        },
    )
    contact_name = forms.CharField(
        label="Your name",
        max_length=160,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Tell us your name.", **_limit(160)},
    )
    contact_email = forms.EmailField(
        label="Your work email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We email you a link to confirm the request. Nothing is sent to the partner before that.",
        error_messages={
            "required": "Enter your email: we send the confirmation link there.",
            "invalid": "Enter an email address, like anna@northwind.com.",
        },
    )
    contact_phone = forms.CharField(
        label="Phone",
        max_length=40,
        required=False,
        validators=[_phone],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    industry = forms.CharField(label="Industry", max_length=80, required=False, error_messages=_limit(80))
    size = forms.ChoiceField(
        label="Company size",
        required=False,
        choices=[("", "Choose…"), *ContactRequest.Size.choices],
        error_messages={"invalid_choice": "Choose a company size from the list."},
    )
    interest = forms.CharField(
        label="What are you interested in?",
        max_length=200,
        required=False,
        help_text="A product, a project, a question.",
        error_messages=_limit(200),
    )
    message = forms.CharField(
        label="Message",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages=_limit(3000),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].required = False

    def clean_website(self) -> str:
        return _clean_website(self.cleaned_data["website"])


class FilterForm(forms.Form):
    """The locator's search box and filters (GET). Unknown values are ignored, never an error."""

    q = forms.CharField(label="Search", max_length=100, required=False)
    country = forms.ChoiceField(label="Country", required=False)
    vertical = forms.ChoiceField(label="Industry", required=False)
    type = forms.ChoiceField(label="Partner type", required=False)
    certification = forms.ChoiceField(label="Certification held", required=False)
    tier = forms.ChoiceField(label="Tier", required=False)

    def __init__(self, data, *, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        labels = {
            "country": "Any country",
            "vertical": "Any industry",
            "type": "Any type",
            "certification": "Any certification",
            "tier": "Any tier",
        }
        for name, anything in labels.items():
            self.fields[name].choices = [("", anything), *choices.get(name, [])]

    def filters(self) -> dict[str, str]:
        """The valid filters (an invalid one is left out, as if not chosen)."""
        self.is_valid()
        clean = getattr(self, "cleaned_data", {})
        return {name: str(clean.get(name) or "") for name in self.fields if clean.get(name)}
