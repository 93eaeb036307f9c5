"""The endpoint form: URL, description, and the events as checkboxes grouped by object. The service checks the
address (no private or internal hosts) and puts its refusal next to the URL field."""

from django import forms

from webhooks.events import EVENT_TYPES, grouped_event_types


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where we POST the events, e.g. https://crm.example.com/hooks/prm. Public addresses only.",
        error_messages={
            "required": "Give the address that receives the events.",
            "invalid": "Enter a full web address, like https://crm.example.com/hooks/prm.",
        },
    )
    description = forms.CharField(
        max_length=200, required=False, help_text="What listens there, e.g. “Salesforce sync”."
    )
    events = forms.MultipleChoiceField(
        choices=[(e.name, e.label) for e in EVENT_TYPES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to receive every event, including new kinds added later.",
        error_messages={"invalid_choice": "“%(value)s” is not an event we send."},
    )

    def event_groups(self) -> list[dict]:
        """The checkboxes grouped by object, each knowing whether it is ticked (for the template)."""
        if self.is_bound:
            chosen = set(self.data.getlist("events")) if hasattr(self.data, "getlist") else set()
        else:
            chosen = set(self.initial.get("events") or [])
        disabled = self.fields["events"].disabled
        return [
            {
                "group": group,
                "events": [{"name": e.name, "label": e.label, "checked": e.name in chosen} for e in events],
                "disabled": disabled,
            }
            for group, events in grouped_event_types()
        ]
