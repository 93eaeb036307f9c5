"""Onboarding setup forms: a checklist for a partner type, a checklist step, a new agreement version. The services
in partners.services.onboarding.setup check them again and save them (audited)."""

from django import forms

from partners.models import AgreementVersion, ChecklistStep, Partner
from partners.services.onboarding.setup import STEP_FIELDS, partner_types_without_checklist

Kind = ChecklistStep.Kind


class ChecklistCreateForm(forms.Form):
    partner_type = forms.ChoiceField(
        label="Partner type",
        help_text="Partners of this type who start onboarding get this checklist once it has a step; the others "
        "get the default one.",
    )
    name = forms.CharField(
        label="Name", max_length=120, required=False, help_text="Leave empty for “<type> onboarding”."
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = partner_types_without_checklist()
        self.fields["partner_type"].choices = [("", "Choose a type…"), *choices]
        self.fields["partner_type"].error_messages["invalid_choice"] = (
            "That type has a checklist already, or is not a partner type: choose one from the list."
        )

    def clean_partner_type(self) -> str:
        value = self.cleaned_data["partner_type"]
        if value not in Partner.Type.values:
            raise forms.ValidationError("Choose a partner type from the list.")
        return value


class ChecklistStepForm(forms.ModelForm):
    class Meta:
        model = ChecklistStep
        fields = STEP_FIELDS
        widgets = {"help_text": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "kind": "What the step is",
            "title": "Title",
            "help_text": "What to do and why",
            "course_key": "Course key",
        }
        help_texts = {
            "kind": "Every kind but the manual step ticks itself when the partner does it; you tick manual steps "
            "on the partner's page.",
            "title": "What partners read in their checklist, e.g. “Book the kick-off call”.",
            "help_text": "Shown to the partner under the title.",
            "course_key": "Only for “Complete a course”: the course's key (its slug) in Enablement; empty means any "
            "course.",
        }
        error_messages = {
            "title": {"required": "Give the step a title partners understand, e.g. “Book the kick-off call”."},
            "kind": {
                "required": "Choose what the step is.",
                "invalid_choice": "Choose what the step is from the list.",
            },
        }

    def __init__(self, *args, kind_locked: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["help_text"].required = False
        self.fields["course_key"].required = False
        self.fields["kind"].choices = [("", "Choose what the step is…"), *Kind.choices]
        if kind_locked:
            self.fields["kind"].disabled = True
            locked = "Partners have this step already, so what it is cannot change: retire it and add a new step."
            self.fields["kind"].help_text = locked


class AgreementVersionForm(forms.Form):
    version = forms.CharField(
        label="Version",
        max_length=20,
        help_text="A new number, e.g. 2.0. Partners see it next to the text.",
        error_messages={"required": "Give the new text a version number, e.g. 2.0."},
    )
    title = forms.CharField(label="Title", max_length=160, required=False, help_text="Empty: “Partner agreement”.")
    body = forms.CharField(
        label="The agreement text",
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Plain text; blank lines separate paragraphs. Partners read it as written.",
        error_messages={"required": "The agreement text is empty."},
    )

    def clean_version(self) -> str:
        version = self.cleaned_data["version"].strip()
        if AgreementVersion.objects.filter(version__iexact=version).exists():
            raise forms.ValidationError(f"Version {version} exists already. Give the new text a new number.")
        return version

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split()) or "Partner agreement"

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError("The agreement text is empty.")
        return body
