"""Partner portal forms: the library and catalogue filters, the lesson's clock, reading an assessment post, and
the holder's choice to show or hide a certification's public page."""

import re
import time
from typing import Any

from django import forms
from django.core import signing

from enablement.forms import FilterForm
from enablement.models import Asset, Role

SEARCH_MAX = 100
_CLOCK_SALT = "enablement.lesson-clock"
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


def lesson_clock(lesson_id: int) -> str:
    """A signed "opened at" for the lesson page: posted back with "Mark as done" to measure the time spent."""
    return signing.dumps({"lesson": lesson_id, "at": int(time.time())}, salt=_CLOCK_SALT, compress=True)


def seconds_since_opened(token: str, *, lesson_id: int) -> int:
    """Seconds between opening the lesson page and now; 0 for a missing or tampered clock, or another lesson's.
    (The service caps the time a lesson can count.)"""
    try:
        data = signing.loads(str(token or ""), salt=_CLOCK_SALT)
    except signing.BadSignature:
        return 0
    if not isinstance(data, dict) or data.get("lesson") != lesson_id or not isinstance(data.get("at"), int):
        return 0
    return max(0, int(time.time()) - data["at"])


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
