"""The token form of both token pages."""

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What will use it, so you recognise it later: “Salesforce sync”.",
        error_messages={
            "required": "Give the token a name that says what uses it.",
            "max_length": "Keep the name under %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    expires_on = forms.DateField(
        label="Valid until",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The token stops working after this day. Leave empty for a token that works until revoked.",
        error_messages={"invalid": "Enter a date, like 2027-03-31."},
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Pick today or a later day.")
        if day is not None and day.year > 9000:
            raise forms.ValidationError("Pick a day within the next few years, or leave it empty.")
        return day

    def expires_at(self) -> datetime | None:
        """The end of the chosen day (the start of the next one), in the program's time zone."""
        day = self.cleaned_data["expires_on"]
        if day is None:
            return None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
