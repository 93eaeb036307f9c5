"""Forms of the review rhythm pages: they read what was typed; the services check it."""

from django import forms
from django.db.models import Q

from insights.models import ReviewPlan
from prm.models import CHANNEL_MANAGERS_GROUP, User

DATE = forms.DateInput(attrs={"type": "date"})


class ReviewPlanForm(forms.Form):
    cadence = forms.ChoiceField(choices=ReviewPlan.Cadence.choices, widget=forms.RadioSelect)
    next_on = forms.DateField(
        label="Next review on",
        required=False,
        widget=DATE,
        help_text="Empty: one cadence from today (or keep the review already scheduled).",
    )


class ReviewScheduleForm(forms.Form):
    scheduled_on = forms.DateField(label="Date", widget=DATE)
    title = forms.CharField(label="Title", max_length=160, required=False, help_text="Empty: named after the date.")


class RescheduleForm(forms.Form):
    scheduled_on = forms.DateField(label="New date", widget=DATE)


class ReviewNotesForm(forms.Form):
    title = forms.CharField(label="Title", max_length=160)
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The partner reads these notes in its portal.",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label="Why (the partner is told)", required=False, max_length=500)


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class ActionItemForm(forms.Form):
    title = forms.CharField(label="What is to be done", max_length=300)
    due_on = forms.DateField(label="Due on", widget=DATE)

    def __init__(self, *args, partner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = (
            User.objects.filter(is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(is_staff=True, groups__name=CHANNEL_MANAGERS_GROUP)
                | Q(membership__partner=partner, membership__is_active=True)
            )
            .distinct()
            .order_by("first_name", "last_name", "email")
        )
        self.fields["owner"] = _PersonField(
            queryset=people,
            required=False,
            empty_label="Nobody yet",
            label="Owner",
            help_text="A channel manager or one of the partner's people.",
        )
        self.order_fields(["title", "owner", "due_on"])
