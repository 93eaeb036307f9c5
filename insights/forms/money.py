"""The money page's forms: they carry what people type; insights.services.money validates it (one layer), and the
views put its refusals next to the fields (prm.forms.attach_errors)."""

from django import forms

from insights.models import ProgramCost
from partners.models import Partner

MAX_UPLOAD = 2 * 1024 * 1024


def _text(
    label: str, *, required: bool = True, placeholder: str = "", max_length: int = 40, **attrs
) -> forms.CharField:
    widget_attrs = {"placeholder": placeholder, **attrs} if placeholder else attrs
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs=widget_attrs),
        error_messages={"required": f"Give the {label.lower()}.", "max_length": "That is too long."},
    )


class RateForm(forms.Form):
    currency = _text("Currency", placeholder="EUR", max_length=3, autocapitalize="characters", size=4)
    month = _text("Month", placeholder="2026-03", max_length=7, inputmode="numeric")
    rate = _text("Rate", placeholder="1.0825", max_length=24, inputmode="decimal")

    def __init__(self, *args, to: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if to:
            self.fields["rate"].help_text = f"How many {to} one unit of the currency was worth that month."


class DirectRevenueForm(forms.Form):
    month = _text("Month", placeholder="2026-03", max_length=7, inputmode="numeric")
    currency = _text("Currency", placeholder="USD", max_length=3, autocapitalize="characters", size=4)
    amount = _text("Amount", placeholder="125,000.00", max_length=24, inputmode="decimal")
    note = _text("Note", required=False, max_length=200)


class ProgramCostForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=Partner.objects.order_by("name").only("id", "name"),
        error_messages={"required": "Choose the partner.", "invalid_choice": "Choose a partner from the list."},
    )
    kind = forms.ChoiceField(choices=ProgramCost.Kind.choices, initial=ProgramCost.Kind.ENABLEMENT)
    incurred_on = forms.CharField(
        label="Date",
        max_length=10,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the date."},
    )
    amount = _text("Amount", placeholder="1,500.00", max_length=24, inputmode="decimal")
    currency = _text("Currency", placeholder="USD", max_length=3, autocapitalize="characters", size=4)
    note = _text("Note", required=False, max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", required=False)
    text = forms.CharField(
        label="Or paste the rows", required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "csv-example"})
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > MAX_UPLOAD:
                raise forms.ValidationError("The file is larger than 2 MB: split it.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("Save the file as CSV in UTF-8 and upload it again.") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a CSV file, or paste its rows.")
        return data
