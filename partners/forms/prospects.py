"""Forms of the recruitment prospects pages: add/edit a prospect, change its status, check its customer list."""

from typing import Any

from django import forms

from partners.forms.profile import PartnerProfileForm, _checkboxes
from partners.models import Partner, Prospect
from partners.services.prospects import MAX_LIST_BYTES


class ProspectForm(PartnerProfileForm):
    """What a channel manager knows of a company it would like to recruit. Only name and type are required."""

    name = forms.CharField(max_length=200, label="Company name")
    type = forms.ChoiceField(
        choices=[("", "Choose a type"), *Partner.Type.choices],
        label="Partner type",
        error_messages={"required": "Choose what kind of partner it would be.", "invalid_choice": "Choose a type."},
    )
    description = None
    functions = None
    regions = _checkboxes(Partner.Region.choices, "Regions it covers")
    contact_name = forms.CharField(max_length=160, required=False, label="Contact name")
    contact_email = forms.EmailField(required=False, label="Contact email")
    notes = forms.CharField(max_length=4000, required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 4}))

    FIELDSETS = (
        ("The company", ("name", "website", "type")),
        ("Its reach", ("regions", "countries", "verticals", "segments", "seller_count")),
        ("Contact and notes", ("contact_name", "contact_email", "notes")),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["verticals"].label = "Industries it sells into"
        self.fields["seller_count"].help_text = "People who would sell our product."

    @classmethod
    def initial_for(cls, prospect: Prospect) -> dict[str, Any]:  # type: ignore[override]
        initial = {name: getattr(prospect, name) for name in cls.base_fields}
        initial["countries"] = list(prospect.countries or [])
        initial["verticals"] = ", ".join(prospect.verticals or [])
        return initial


class ProspectStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Prospect.Status.choices, label="Move to")
    reason = forms.CharField(
        max_length=2000,
        required=False,
        label="Why",
        help_text="Required when you stop pursuing it.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. Met them at the summit; intro call booked"}),
    )


class CustomerListForm(forms.Form):
    file = forms.FileField(
        label="Its customer list (CSV)",
        help_text=(
            "One company per row: a “company” (or “name”) column and a “website” (or “domain”) column, or the name "
            "in the first column and the website in the second. Up to 20,000 rows. Only the counts are kept: the "
            "names are not stored."
        ),
        error_messages={"required": "Choose a CSV file to check.", "empty": "The file is empty."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LIST_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_LIST_BYTES // (1024 * 1024)} MB.")
        return upload


class ProspectFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    status = forms.ChoiceField(choices=[("", "Any status"), *Prospect.Status.choices], required=False)
    type = forms.ChoiceField(choices=[("", "Any type"), *Partner.Type.choices], required=False)
    region = forms.ChoiceField(choices=[("", "Any region"), *Partner.Region.choices], required=False)
    sort = forms.ChoiceField(
        choices=[("fit", "Best fit first"), ("new", "Newest first"), ("name", "Name")], required=False
    )
