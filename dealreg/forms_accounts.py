"""Forms for the channel managers' accounts pages: an account, a direct opportunity, a CSV import. The services
validate again (they are the rule); the forms give each field its message next to it."""

from django import forms
from django.core.exceptions import ValidationError
from django_countries import countries

from dealreg.models import Account, DirectOpportunity
from dealreg.services.accounts.records import EXTERNAL_ID_MAX, clean_external_id, clean_website


class AccountForm(forms.Form):
    name = forms.CharField(label="Company name", max_length=200)
    website = forms.CharField(
        label="Website",
        max_length=300,
        required=False,
        help_text="Its web address or domain, like northwind.com. Matching registrations relies on it.",
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "northwind.com"}),
    )
    country = forms.ChoiceField(label="Country", required=False)
    industry = forms.CharField(label="Industry", max_length=100, required=False)
    size = forms.ChoiceField(label="Size", required=False, choices=[("", "Unknown"), *Account.Size.choices])
    is_named_account = forms.BooleanField(label="Named account: reserved for our direct sales team", required=False)
    is_customer = forms.BooleanField(label="Existing customer", required=False)
    account_owner = forms.CharField(
        label="Account owner", max_length=160, required=False, help_text="Who at our company owns it."
    )
    external_id = forms.CharField(
        label="External id",
        max_length=EXTERNAL_ID_MAX,
        required=False,
        strip=True,
        help_text="Its id in our CRM: syncs and CSV imports with this id update this account.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Unknown"), *countries]

    @classmethod
    def for_account(cls, account: Account) -> "AccountForm":
        initial = {name: getattr(account, name) for name in cls.base_fields}
        return cls(initial=initial | {"country": account.country.code or ""})

    def clean_website(self) -> str:
        try:
            return clean_website(self.cleaned_data["website"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def clean_external_id(self) -> str:
        try:
            return clean_external_id(self.cleaned_data["external_id"])
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class OpportunityForm(forms.Form):
    title = forms.CharField(
        label="Title", max_length=200, help_text="What our sales team is selling, e.g. “Platform rollout”."
    )
    stage = forms.ChoiceField(label="Stage", choices=DirectOpportunity.Stage.choices)
    amount = forms.DecimalField(
        label="Amount",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        error_messages={"invalid": "Enter the amount as a number, like 25000."},
    )
    currency = forms.CharField(
        label="Currency",
        max_length=3,
        min_length=3,
        initial="USD",
        help_text="A three-letter code, like USD or EUR.",
        error_messages={"min_length": "Enter a three-letter currency code, like USD or EUR."},
    )
    expected_close = forms.DateField(
        label="Expected close",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the date like 2026-03-31."},
    )
    owner_name = forms.CharField(label="Owner", max_length=160, required=False, help_text="Our seller on it.")

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if not currency.isalpha() or len(currency) != 3:
            raise forms.ValidationError("Enter a three-letter currency code, like USD or EUR.")
        return currency


class AccountImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 or Latin-1, separated by commas or semicolons, at most 5,000 rows and 2 MB.",
        error_messages={"required": "Choose the CSV file to import.", "empty": "The file is empty."},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,.txt"}),
    )
