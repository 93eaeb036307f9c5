"""Forms for the channel team's enablement pages: assets, courses, lessons, assessments and questions,
certifications, the reasons for granting an attempt or revoking an award, and list filters.

The services validate again (they are the rule); the forms put each problem next to its field and keep what was
typed. An uploaded file is checked here with the same `validate_upload` the service uses, so a wrong type or an
oversized file is said next to the file field."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from enablement.forms import FilterForm
from enablement.models import EXPIRING_SOON_DAYS, Asset, Course, Role, Visibility
from enablement.services.catalogue import MAX_CHOICES
from partners.models import Partner, Tier
from prm.uploads import DOCUMENT_TYPES, max_upload_bytes, validate_upload

SEARCH_MAX = 100
QUESTION_SLOTS = 4  # empty choice rows offered on a new question


def _int(label: str, *, minimum: int, maximum: int, required: bool = True, **kwargs: Any) -> forms.IntegerField:
    words = label.lower()
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "required": f"Give the {words}.",
            "invalid": f"Give the {words} as a whole number, like {minimum + 1}.",
            "min_value": f"The {words} is at least {minimum}.",
            "max_value": f"The {words} is at most {maximum}.",
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": minimum, "max": maximum}),
        **kwargs,
    )


def _text(label: str, *, max_length: int, required: bool = True, rows: int = 0, **kwargs: Any) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=widget,
        error_messages={
            "required": f"Give {kwargs.pop('what', 'the ' + label.lower())}.",
            "max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d).",
        },
        **kwargs,
    )


def _url(label: str, **kwargs: Any) -> forms.URLField:
    return forms.URLField(
        label=label,
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Give a full web address, like https://example.com/page."},
        **kwargs,
    )


class VisibilityFields(forms.Form):
    """Who sees a piece of content: every partner, some partner types, or some tiers."""

    visibility = forms.ChoiceField(
        label="Who sees it", choices=Visibility.choices, initial=Visibility.ALL, widget=forms.RadioSelect
    )
    partner_types = forms.MultipleChoiceField(
        label="Partner types",
        required=False,
        choices=Partner.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="When “Some partner types” is chosen.",
    )
    tiers = forms.ModelMultipleChoiceField(
        label="Tiers",
        required=False,
        queryset=Tier.objects.order_by("rank"),
        widget=forms.CheckboxSelectMultiple,
        help_text="When “Some tiers” is chosen.",
    )

    def clean(self) -> dict:
        data = super().clean()
        visibility = data.get("visibility")
        if visibility == Visibility.TYPES and not data.get("partner_types"):
            self.add_error("partner_types", "Choose at least one partner type, or make it visible to all partners.")
        if visibility == Visibility.TIERS and not data.get("tiers"):
            self.add_error("tiers", "Choose at least one tier, or make it visible to all partners.")
        return data

    def visibility_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "visibility": data["visibility"],
            "partner_types": list(data.get("partner_types") or []),
            "tiers": list(data.get("tiers") or []),
        }


def _visibility_initial(obj: Any) -> dict[str, Any]:
    return {
        "visibility": obj.visibility,
        "partner_types": list(obj.partner_types or []),
        "tiers": list(obj.tiers.all()),
    }


# --- The library ---------------------------------------------------------------------------------------------------


class AssetForm(VisibilityFields):
    title = _text("Title", max_length=200, what="a title")
    kind = forms.ChoiceField(
        label="Kind", choices=[("", "Choose…"), *Asset.Kind.choices], error_messages={"required": "Choose a kind."}
    )
    description = _text("Description", max_length=4000, required=False, rows=3)
    url = _url("Link", help_text="Videos, demo environments, web pages. An asset needs a link or a file.")
    file = forms.FileField(
        label="File",
        required=False,
        help_text="",
        error_messages={"invalid": "This file could not be read. Choose it again."},
    )
    remove_file = forms.BooleanField(label="Remove the current file", required=False)
    roles = forms.MultipleChoiceField(
        label="For roles",
        required=False,
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: for everyone.",
    )
    product = _text("Product", max_length=100, required=False)
    is_published = forms.BooleanField(label="Published (partners can see it)", required=False, initial=True)

    def __init__(self, *args: Any, asset: Asset | None = None, **kwargs: Any) -> None:
        self.asset = asset
        if asset is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": asset.title,
                "kind": asset.kind,
                "description": asset.description,
                "url": asset.url,
                "roles": list(asset.roles or []),
                "product": asset.product,
                "is_published": asset.is_published,
                **_visibility_initial(asset),
            }
        super().__init__(*args, **kwargs)
        types = ", ".join(dict.fromkeys(t.label for t in DOCUMENT_TYPES))
        self.fields["file"].help_text = (
            f"{types}; up to {max_upload_bytes() // (1024 * 1024)} MB. Stored privately: only partners who may "
            "see the asset can download it."
        )
        if asset is None or not asset.file:
            del self.fields["remove_file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            validate_upload(upload, allowed=DOCUMENT_TYPES)
        return upload

    def clean(self) -> dict:
        data = super().clean()
        has_new_file = bool(data.get("file"))
        keeps_file = self.asset is not None and bool(self.asset.file) and not data.get("remove_file")
        if "url" in data and not data.get("url") and not has_new_file and not keeps_file and "file" not in self.errors:
            self.add_error("url", "Add a link or upload a file: an asset needs one of them.")
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "title": data["title"],
            "kind": data["kind"],
            "description": data["description"],
            "url": data["url"],
            "roles": list(data["roles"]),
            "product": data["product"],
            "is_published": data["is_published"],
            **self.visibility_fields(),
        }
        if data.get("file"):
            fields["file"] = data["file"]
        elif data.get("remove_file"):
            fields["file"] = None
        return fields


class AssetFilterForm(FilterForm):
    q = forms.CharField(required=False, max_length=SEARCH_MAX)
    kind = forms.ChoiceField(required=False, choices=[("", "Every kind"), *Asset.Kind.choices])
    published = forms.ChoiceField(
        required=False, choices=[("", "Published or not"), ("yes", "Published"), ("no", "Unpublished")]
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters as the selector takes them; a bad value (a stale bookmark) is dropped."""
        data = super().filters()
        if "published" in data:
            data["published"] = data["published"] == "yes"
        return data


# --- Courses, lessons, assessments ---------------------------------------------------------------------------------


class CourseForm(VisibilityFields):
    title = _text("Title", max_length=200, what="a title")
    slug = forms.SlugField(
        label="Key",
        required=False,
        max_length=70,
        help_text="Lowercase letters, digits and hyphens; onboarding steps name courses by it. Blank: made from "
        "the title.",
        error_messages={"invalid": "A key uses only lowercase letters, digits and hyphens, e.g. “sales-essentials”."},
    )
    summary = _text("Summary", max_length=2000, required=False, rows=3)
    role = forms.ChoiceField(label="For role", required=False, choices=[("", "Everyone"), *Role.choices])
    product = _text("Product", max_length=100, required=False)
    estimated_minutes = _int("Estimated minutes", minimum=1, maximum=6000, initial=30)
    is_renewal = forms.BooleanField(label="Renewal course (a short course that renews a certification)", required=False)
    is_published = forms.BooleanField(
        label="Published (partners who may see it can take it)",
        required=False,
        help_text="Needs at least one lesson, and questions when the course has an assessment.",
    )

    def __init__(self, *args: Any, course: Course | None = None, **kwargs: Any) -> None:
        self.course = course
        if course is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": course.title,
                "slug": course.slug,
                "summary": course.summary,
                "role": course.role,
                "product": course.product,
                "estimated_minutes": course.estimated_minutes,
                "is_renewal": course.is_renewal,
                "is_published": course.is_published,
                **_visibility_initial(course),
            }
        super().__init__(*args, **kwargs)
        if course is None:
            del self.fields["is_published"]  # a new course has no lessons yet: it starts as a draft

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in ("title", "slug", "summary", "role", "product", "estimated_minutes", "is_renewal")
        }
        if "is_published" in self.fields:
            fields["is_published"] = data["is_published"]
        return {**fields, **self.visibility_fields()}


class LessonForm(forms.Form):
    title = _text("Title", max_length=200, what="a title")
    body = _text(
        "Text", max_length=100_000, required=False, rows=10, help_text="Markdown: ## headings, **bold**, lists."
    )
    video_url = _url("Video link")
    document_url = _url("Document link")
    asset = forms.ModelChoiceField(
        label="Asset from the library",
        required=False,
        queryset=Asset.objects.order_by("title"),
        empty_label="None",
        error_messages={"invalid_choice": "That asset no longer exists. Choose another one."},
    )
    minutes = _int("Minutes", minimum=1, maximum=600, initial=5, help_text="About how long it takes.")
    min_minutes = _int(
        "Minimum minutes",
        minimum=0,
        maximum=600,
        required=False,
        help_text="Time a learner spends before marking it done (reaching the end of its text or video after a "
        "third of it also does). Blank: half the minutes above. 0: no minimum.",
    )

    def clean(self) -> dict:
        data = super().clean()
        minimum, minutes = data.get("min_minutes"), data.get("minutes")
        if minimum is not None and minutes is not None and minimum > minutes:
            self.add_error("min_minutes", f"The minimum is at most the lesson's {minutes} minutes.")
        content = [data.get(name) for name in ("body", "video_url", "document_url", "asset")]
        if not self.errors and not any(content):
            raise ValidationError("A lesson needs some content: text, a video or document link, or an asset.")
        return data


class AssessmentForm(forms.Form):
    pass_mark = _int("Pass mark", minimum=1, maximum=100, initial=80, help_text="Percent of questions right.")
    max_attempts = _int("Attempts allowed", minimum=0, maximum=100, initial=3, help_text="0 means unlimited.")


class QuestionForm(forms.Form):
    """The question and its choices as rows `choice_<n>` (text) with `correct_<n>` (a tick)."""

    text = _text("Question", max_length=2000, rows=3, what="the question")
    multiple = forms.BooleanField(label="Several correct answers (the partner must pick every one)", required=False)

    def __init__(self, *args: Any, slots: int = QUESTION_SLOTS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slots = max(2, min(MAX_CHOICES, slots))
        self.slots = slots
        for n in range(1, slots + 1):
            self.fields[f"choice_{n}"] = forms.CharField(
                label=f"Choice {n}",
                required=False,
                max_length=500,
                error_messages={"max_length": "Keep a choice under %(limit_value)d characters."},
            )
            self.fields[f"correct_{n}"] = forms.BooleanField(label="Correct", required=False)

    @classmethod
    def for_question(cls, question, data=None) -> "QuestionForm":
        choices = list(question.choices.all())
        initial: dict[str, Any] = {"text": question.text, "multiple": question.multiple}
        for n, choice in enumerate(choices, start=1):
            initial[f"choice_{n}"] = choice.text
            initial[f"correct_{n}"] = choice.is_correct
        return cls(data, initial=initial, slots=len(choices) + 1)

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"choice_{n}"], self[f"correct_{n}"]) for n in range(1, self.slots + 1)]

    def choices(self) -> list[tuple[str, bool]]:
        data = self.cleaned_data
        return [
            (data.get(f"choice_{n}") or "", bool(data.get(f"correct_{n}")))
            for n in range(1, self.slots + 1)
            if (data.get(f"choice_{n}") or "").strip()
        ]

    def clean(self) -> dict:
        data = super().clean()
        for n in range(1, self.slots + 1):
            if data.get(f"correct_{n}") and not (data.get(f"choice_{n}") or "").strip():
                self.add_error(f"choice_{n}", "This choice is ticked as correct but has no text.")
        return data


# --- Certifications ------------------------------------------------------------------------------------------------


class CertificationForm(forms.Form):
    name = _text("Name", max_length=160, what="a name")
    slug = forms.SlugField(
        label="Key",
        required=False,
        max_length=70,
        help_text="Blank: made from the name.",
        error_messages={"invalid": "A key uses only lowercase letters, digits and hyphens, e.g. “sales-certified”."},
    )
    description = _text("Description", max_length=4000, required=False, rows=3)
    role = forms.ChoiceField(label="For role", required=False, choices=[("", "Everyone"), *Role.choices])
    validity_months = _int("Validity in months", minimum=1, maximum=120, initial=12)
    courses = forms.ModelMultipleChoiceField(
        label="Courses that earn it (all are required)",
        queryset=Course.objects.order_by("title"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose the courses that earn this certification (at least one).",
            "invalid_choice": "One of these courses no longer exists. Choose again.",
        },
    )
    renewal_course = forms.ModelChoiceField(
        label="Renewal course",
        required=False,
        queryset=Course.objects.order_by("title"),
        empty_label="None: holders renew by completing the path again",
        error_messages={"invalid_choice": "That course no longer exists. Choose another one."},
    )
    is_active = forms.BooleanField(
        label="Active (awarded to people who complete the path)", required=False, initial=True
    )

    def __init__(self, *args: Any, certification=None, **kwargs: Any) -> None:
        if certification is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": certification.name,
                "slug": certification.slug,
                "description": certification.description,
                "role": certification.role,
                "validity_months": certification.validity_months,
                "courses": list(certification.courses.all()),
                "renewal_course": certification.renewal_course,
                "is_active": certification.is_active,
            }
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        renewal, courses = data.get("renewal_course"), data.get("courses") or []
        if renewal is not None and renewal in list(courses):
            self.add_error(
                "renewal_course",
                "The renewal course must be a separate, shorter course, not one of the required ones.",
            )
        return data

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "slug": data["slug"],
            "description": data["description"],
            "role": data["role"],
            "validity_months": data["validity_months"],
            "courses": list(data["courses"]),
            "renewal_course": data["renewal_course"],
            "is_active": data["is_active"],
        }


# --- Decisions that need a reason ----------------------------------------------------------------------------------


class GrantAttemptForm(forms.Form):
    reason = _text(
        "Reason",
        max_length=2000,
        rows=2,
        what="a reason (it is recorded, and the learner reads it)",
    )


class RevokeForm(forms.Form):
    reason = _text(
        "Reason",
        max_length=2000,
        rows=3,
        what="a reason (the holder and their partner's admins receive it)",
    )


# --- Filters -------------------------------------------------------------------------------------------------------


class GridFilterForm(FilterForm):
    q = forms.CharField(required=False, max_length=SEARCH_MAX)
    tier = forms.ModelChoiceField(required=False, queryset=Tier.objects.order_by("rank"))
    type = forms.ChoiceField(required=False, choices=[("", "Every type"), *Partner.Type.choices])


class ExpiringFilterForm(forms.Form):
    days = forms.IntegerField(required=False, min_value=1, max_value=730)

    def days_value(self) -> int:
        """The window in days: what was asked when it makes sense, else the default."""
        if self.is_valid() and self.cleaned_data.get("days"):
            return self.cleaned_data["days"]
        return EXPIRING_SOON_DAYS
