"""Partner portal forms: the library and catalogue filters, the lesson page's events, reading an assessment post,
and the holder's choice to show or hide a certification's public page."""

import re
from typing import Any

from django import forms

from enablement.forms import FilterForm
from enablement.models import Asset, Role

SEARCH_MAX = 100
_ANSWER_KEY = re.compile(r"^q(.+)$")


def _optional_choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", label), *choices])


class LibraryFilterForm(FilterForm):
    """Search and filters of the content library; the names are the ones `selectors.assets_for` takes."""

    q = forms.CharField(label="Search", required=False, max_length=SEARCH_MAX)
    kind = _optional_choice("Every type", Asset.Kind.choices)
    role = _optional_choice("Every role", Role.choices)
    product = forms.ChoiceField(label="Every product", required=False)

    def __init__(self, *args: Any, products: list[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "Every product"), *((p, p) for p in products)]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean(self) -> dict:
        # A search longer than the box allows is cut rather than dropped: the reader still gets results.
        if "q" in self.errors:
            del self.errors["q"]
            self.cleaned_data["q"] = " ".join(str(self.data.get("q", "")).split())[:SEARCH_MAX]
        return self.cleaned_data


class CatalogueFilterForm(FilterForm):
    role = _optional_choice("Every role", Role.choices)


# --- The lesson's clock --------------------------------------------------------------------------------------------


class LessonEventForm(forms.Form):
    """What an open lesson page may say: still here (a heartbeat) or reached the end. Never a number of seconds."""

    event = forms.ChoiceField(
        choices=[("beat", "Still reading"), ("end", "Reached the end")],
        error_messages={"required": "Say what happened.", "invalid_choice": "Unknown lesson event."},
    )


# --- Assessments ---------------------------------------------------------------------------------------------------


def answers_from_post(post) -> dict[str, list[str]]:
    """{question id: [choice ids]} as posted (fields named q<question id>), unchecked: the service refuses anything
    that does not match the assessment, with a message the learner can act on."""
    answers: dict[str, list[str]] = {}
    for key in post:
        match = _ANSWER_KEY.match(key)
        if match:
            answers[match.group(1)] = [value for value in post.getlist(key) if value != ""]
    return answers


class AwardVisibilityForm(forms.Form):
    public = forms.TypedChoiceField(
        choices=[("1", "Show"), ("0", "Hide")], coerce=lambda value: value == "1", empty_value=None
    )
