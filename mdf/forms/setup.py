"""Program setup, MDF: the period form (the service checks overlaps and says which period is in the way)."""

from django import forms

from mdf.models import Period


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ("name", "starts_on", "ends_on")
        labels = {"name": "Name", "starts_on": "First day", "ends_on": "Last day"}
        help_texts = {"name": "What partners and your team see, e.g. “FY2027 Q1”."}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        error_messages = {
            "name": {"required": "Give the period a name, e.g. “FY2027 Q1”."},
            "starts_on": {"required": "Give the first day of the period.", "invalid": "Enter a date, like 2027-01-01."},
            "ends_on": {"required": "Give the last day of the period.", "invalid": "Enter a date, like 2027-03-31."},
        }

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The period must end after it starts.")
        return data

    def _post_clean(self) -> None:
        # The service validates the period (overlaps, unique start) with messages in words; the model's own
        # unique and check constraints would only repeat them in Django's terms.
        pass
