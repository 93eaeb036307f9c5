"""Forms of the customers and renewals pages: they read what was typed; the service checks it (one layer)."""

from django import forms

from insights.models import RenewalOutcome
from partners.selectors import channel_managers

DATE = forms.DateInput(attrs={"type": "date"})
CSV_MAX_BYTES = 2 * 1024 * 1024


class _OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


def _owner_field() -> forms.ModelChoiceField:
    return _OwnerField(
        queryset=channel_managers(),
        required=False,
        empty_label="Nobody (the channel team is reminded)",
        help_text="Who is reminded 60 and 30 days before the renewal.",
    )


class ContractForm(forms.Form):
    """A direct customer's contract."""

    customer_name = forms.CharField(label="Customer", max_length=200)
    starts_on = forms.DateField(label="Starts on", widget=DATE)
    term_months = forms.IntegerField(label="Term (months)", initial=12, min_value=1, max_value=120)
    amount = forms.CharField(label="Amount per term", max_length=30, help_text="Like 24000 or 24,000.00.")
    currency = forms.CharField(label="Currency", max_length=3, help_text="Three letters, like USD or EUR.")
    renewal_on = forms.DateField(
        label="Renewal date", required=False, widget=DATE, help_text="Empty: the start plus the term."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field()


class ContractEditForm(forms.Form):
    term_months = forms.IntegerField(label="Term (months)", min_value=1, max_value=120)
    renewal_on = forms.DateField(
        label="Renewal date",
        widget=DATE,
        required=False,
        help_text="Change the term alone and the renewal date follows it.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"] = _owner_field()


class RenewalForm(forms.Form):
    outcome = forms.ChoiceField(choices=RenewalOutcome.Outcome.choices, widget=forms.RadioSelect)
    new_amount = forms.CharField(
        label="New amount per term",
        max_length=30,
        required=False,
        help_text="Required for an expansion; for a renewal, empty keeps the current amount.",
    )
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class CsvImportForm(forms.Form):
    """A CSV file, or its rows pasted."""

    file = forms.FileField(label="CSV file", required=False)
    text = forms.CharField(
        label="…or paste the rows", required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "csv-example"})
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > CSV_MAX_BYTES:
                raise forms.ValidationError("The file is larger than 2 MB. Split it into smaller files.")
            raw = upload.read()
            try:
                data["csv_text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                data["csv_text"] = raw.decode("cp1252", errors="replace")
        elif (data.get("text") or "").strip():
            data["csv_text"] = data["text"]
        else:
            raise forms.ValidationError("Choose a CSV file, or paste its rows.")
        return data
