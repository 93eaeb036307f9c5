"""Deal registration forms: the partner's registration and its updates, the list filters, a channel manager's
decisions."""

from decimal import Decimal

from django import forms
from django_countries import countries

from dealreg.models import Registration
from prm.names import registrable_domain

TEXT_MAX = 4000
REASON_MAX = 2000  # what the decision services accept

# The currencies partners sell in most; the code is what is stored.
CURRENCIES = (
    ("USD", "USD – US dollar"),
    ("EUR", "EUR – Euro"),
    ("GBP", "GBP – British pound"),
    ("CAD", "CAD – Canadian dollar"),
    ("AUD", "AUD – Australian dollar"),
    ("JPY", "JPY – Japanese yen"),
    ("CHF", "CHF – Swiss franc"),
    ("SEK", "SEK – Swedish krona"),
    ("NOK", "NOK – Norwegian krone"),
    ("DKK", "DKK – Danish krone"),
    ("PLN", "PLN – Polish złoty"),
    ("INR", "INR – Indian rupee"),
    ("SGD", "SGD – Singapore dollar"),
    ("BRL", "BRL – Brazilian real"),
    ("MXN", "MXN – Mexican peso"),
    ("ZAR", "ZAR – South African rand"),
)

# Fields a partner fills in; the names are the ones the services take in `data`.
REGISTRATION_FIELDS = (
    "name",
    "website",
    "country",
    "contact_name",
    "contact_email",
    "contact_title",
    "products",
    "value",
    "currency",
    "expected_close",
    "stage",
    "involvement",
    "notes",
)
UPDATE_FIELDS = ("stage", "value", "expected_close", "notes")
# What a registration needs before it can go to a channel manager (a draft may be incomplete).
REQUIRED_TO_SUBMIT = ("contact_name", "contact_email", "value", "expected_close")

STAGE_CHOICES = [(v, label) for v, label in Registration.Stage.choices if v not in ("won", "lost")]


def _value_field() -> forms.DecimalField:
    return forms.DecimalField(
        label="Estimated value",
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        error_messages={
            "min_value": "The value cannot be negative.",
            "max_digits": "That is more than we can store: check the number.",
            "invalid": "Enter a number, like 25000.",
        },
    )


def _notes_field() -> forms.CharField:
    return forms.CharField(
        label="Notes for the channel team",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the customer needs, who else is involved, anything that helps us decide.",
        error_messages={"max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d)."},
    )


def _date_field() -> forms.DateField:
    return forms.DateField(
        label="Expected close date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date, like 2026-03-31."},
    )


class RegistrationForm(forms.Form):
    """A partner's registration of a deal. Drafts may be incomplete; `for_submit=True` asks for what a channel
    manager needs to decide."""

    name = forms.CharField(
        label="Customer company name",
        max_length=200,
        error_messages={"required": "Enter the customer's company name."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    website = forms.CharField(
        label="Customer website",
        max_length=300,
        required=False,
        help_text="Like acme.com: the surest way to recognise the company.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    country = forms.ChoiceField(label="Customer country", required=False)
    contact_name = forms.CharField(label="Contact name", max_length=160, required=False)
    contact_email = forms.EmailField(
        label="Contact email",
        required=False,
        error_messages={"invalid": "Enter an email address, like jane@acme.com."},
    )
    contact_title = forms.CharField(label="Contact job title", max_length=160, required=False)
    products = forms.CharField(
        label="Products", max_length=300, required=False, help_text="Which of our products the customer wants."
    )
    value = _value_field()
    currency = forms.ChoiceField(label="Currency", choices=CURRENCIES, initial="USD")
    expected_close = _date_field()
    stage = forms.ChoiceField(label="Stage", choices=STAGE_CHOICES, initial=Registration.Stage.DISCOVERY)
    involvement = forms.ChoiceField(
        label="How are you involved?",
        choices=Registration.Involvement.choices,
        initial=Registration.Involvement.SOURCED,
        widget=forms.RadioSelect,
    )
    notes = _notes_field()

    def __init__(self, *args, for_submit: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.for_submit = for_submit
        self.fields["country"].choices = [("", "Choose a country…"), *countries]
        for name in REQUIRED_TO_SUBMIT:
            self.fields[name].help_text = "Needed when you submit; a draft can do without."

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_website(self) -> str:
        value = self.cleaned_data["website"].strip()
        if value and not registrable_domain(value):
            raise forms.ValidationError("This address has no public domain name. Enter it like acme.com.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        if self.for_submit:
            for field in REQUIRED_TO_SUBMIT:
                if field not in self.errors and data.get(field) in (None, ""):
                    label = self.fields[field].label.lower()
                    self.add_error(field, f"Enter the {label} before you submit (a draft can do without).")
        return data

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in REGISTRATION_FIELDS}


class RegistrationUpdateForm(forms.Form):
    """What a partner keeps up to date on a submitted or approved registration (the history is kept)."""

    stage = forms.ChoiceField(label="Stage", choices=STAGE_CHOICES)
    value = _value_field()
    expected_close = _date_field()
    notes = _notes_field()

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in UPDATE_FIELDS}


def initial_from(registration: Registration, fields) -> dict:
    return {name: getattr(registration, name) for name in fields}


# --- List filters ----------------------------------------------------------------------------------------------

# Age since submission: "older than N days" (the selector's `older_than_days`).
AGE_BUCKETS = (
    ("2", "Waiting over 2 days"),
    ("7", "Over a week old"),
    ("30", "Over a month old"),
    ("90", "Over 90 days old"),
)
SORTS = (
    ("-submitted", "Newest submitted first"),
    ("submitted", "Oldest submitted first"),
    ("-value", "Highest value first"),
    ("value", "Lowest value first"),
    ("name", "Customer A–Z"),
    ("due", "Decision due soonest"),
)


def _optional_choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", label), *choices])


class _FilterForm(forms.Form):
    def filters(self) -> dict:
        """The valid, non-empty filters; a bad value (a stale bookmark) is dropped, never a 500."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if k not in self.errors and v not in (None, "", False)}


class PortalFilterForm(_FilterForm):
    status = _optional_choice("All statuses", Registration.Status.choices)
    involvement = _optional_choice("Any involvement", Registration.Involvement.choices)
    stage = _optional_choice("Any stage", Registration.Stage.choices)


class ManageFilterForm(_FilterForm):
    """The channel team's list filters; the names are the ones `selectors.registration_list` reads."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = _optional_choice(
        "All statuses", [("active", "Active (submitted, needs info, approved)"), *Registration.Status.choices]
    )
    partner = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    involvement = _optional_choice("Any involvement", Registration.Involvement.choices)
    stage = _optional_choice("Any stage", Registration.Stage.choices)
    older_than_days = _optional_choice("Any age", AGE_BUCKETS)
    min_value = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    max_value = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    conflict = forms.BooleanField(required=False)
    sort = forms.ChoiceField(required=False, choices=SORTS)

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())


# --- Decisions (channel managers) ------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject"), ("info", "Ask for more")])
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The partner reads it.",
    )
    question = forms.CharField(
        label="Your question",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The partner reads it, edits the registration and submits it again.",
    )

    def clean(self) -> dict:
        data = super().clean()
        action = data.get("action")
        if action == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Tell the partner why you reject it: they read the reason.")
        if action == "info" and not (data.get("question") or "").strip():
            self.add_error("question", "Ask the partner what you need to know.")
        return data


class ResolveForm(forms.Form):
    holder = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(
        label="Why this registration gets priority",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason: every partner in the conflict reads it."},
    )
