"""Deal registration forms: the partner's registration and its updates, the list filters, a channel manager's
decisions."""

from decimal import Decimal

from django import forms
from django.db import models
from django_countries import countries

from dealreg.models import Product, Registration
from dealreg.services.products import PRODUCT_FIELDS, products_offered, products_summary
from dealreg.services.registrations.requirements import missing_to_submit, submit_requirements
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


class ProductCheckboxes(forms.CheckboxSelectMultiple):
    """The catalogue as check boxes; the page shows each with its code and one-line description
    (`choice.data.instance`)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None) -> dict:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["instance"] = getattr(value, "instance", None)
        return option


class RegistrationForm(forms.Form):
    """A partner's registration of a deal. Anything can be saved as a draft (the customer's name aside, to find it
    again); `for_submit=True` asks for what a channel manager needs to decide: the fields of
    `dealreg.services.registrations.requirements`, which the page also marks.

    Products: with a catalogue, the offered products as check boxes plus "Other" with its text (used only when
    ticked); without one (no product offered), the free-text field as before."""

    name = forms.CharField(
        label="Customer company name",
        max_length=200,
        error_messages={"required": "Enter the customer's company name."},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="Needed for a draft too, so you can find it again.",
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
    catalogue_products = forms.ModelMultipleChoiceField(
        label="Products",
        queryset=Product.objects.none(),
        required=False,
        widget=ProductCheckboxes,
        help_text="Tick every product the customer wants.",
        error_messages={
            "invalid_choice": "One of the products is no longer offered: pick again.",
            "invalid_pk_value": "Pick the products from the list.",
            "invalid_list": "Pick the products from the list.",
        },
    )
    other = forms.BooleanField(label="Other", required=False)
    other_products = forms.CharField(
        label="Which other product or service?",
        max_length=200,
        required=False,
        help_text="Used only when “Other” is ticked.",
        error_messages={"max_length": "Keep it under %(limit_value)d characters (it has %(show_value)d)."},
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

    def __init__(self, *args, for_submit: bool = False, registration: Registration | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.for_submit = for_submit
        self.missing_to_submit: list[dict] = []
        self.fields["country"].choices = [("", "Choose a country…"), *countries]
        # The offered products, and those this registration already has (retired since: it keeps them).
        choices = products_offered()
        if registration is not None and registration.pk:
            kept = registration.catalogue_products.values_list("pk", flat=True)
            choices = Product.objects.filter(models.Q(is_active=True) | models.Q(pk__in=list(kept)))
        choices = choices.order_by("-is_active", "order", "name", "pk")
        self.catalogue = list(choices)
        self.uses_catalogue = bool(self.catalogue)
        if self.uses_catalogue:
            self.fields["catalogue_products"].queryset = choices
            del self.fields["products"]
        else:
            for name in ("catalogue_products", "other", "other_products"):
                del self.fields[name]
        # The marks "needed to submit" come from the one definition (dealreg.services.registrations.requirements).
        for requirement in submit_requirements(with_catalogue=self.uses_catalogue):
            self.fields[self.field_for(requirement.field)].needed_to_submit = True

    def field_for(self, requirement_field: str) -> str:
        """The form field that answers a requirement: the products are the check boxes when there is a catalogue."""
        if requirement_field == "products" and self.uses_catalogue:
            return "catalogue_products"
        return requirement_field

    @property
    def needed_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if getattr(field, "needed_to_submit", False)]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_website(self) -> str:
        value = self.cleaned_data["website"].strip()
        if value and not registrable_domain(value):
            raise forms.ValidationError("This address has no public domain name. Enter it like acme.com.")
        return value

    def clean_other_products(self) -> str:
        return " ".join(self.cleaned_data["other_products"].split())

    def _products_summary(self, data: dict) -> str:
        if not self.uses_catalogue:
            return data.get("products") or ""
        other = data.get("other_products", "") if data.get("other") else ""
        try:
            return products_summary(data.get("catalogue_products") or [], other)
        except forms.ValidationError as exc:
            self.add_error("catalogue_products", exc.message_dict["products"])
            return "too long"

    def clean(self) -> dict:
        data = super().clean()
        summary = self._products_summary(data)
        if self.for_submit:
            if self.uses_catalogue and data.get("other") and not data.get("other_products"):
                self.add_error("other_products", "Say which other product, or untick “Other”.")
            values = {**data, "products": summary}
            for requirement in missing_to_submit(values, with_catalogue=self.uses_catalogue):
                field = self.field_for(requirement.field)
                anchor = "catalogue-products" if field == "catalogue_products" else self[field].auto_id
                self.missing_to_submit.append({"what": requirement.what, "field": field, "anchor": anchor})
                if field not in self.errors:
                    self.add_error(field, f"Needed before you submit: {requirement.what}.")
        return data

    def data_for_service(self) -> dict:
        data = {name: self.cleaned_data[name] for name in REGISTRATION_FIELDS if name in self.cleaned_data}
        if self.uses_catalogue:
            data["catalogue_products"] = list(self.cleaned_data["catalogue_products"])
            data["other_products"] = self.cleaned_data["other_products"] if self.cleaned_data["other"] else ""
        else:
            # The free text is what the partner typed for "other" products: no catalogue to pick from.
            data["catalogue_products"] = []
            data["other_products"] = data.pop("products")
        return data


def registration_initial(registration: Registration) -> dict:
    """The form's values for a saved registration: its picking from the catalogue, or its products text."""
    initial = initial_from(registration, REGISTRATION_FIELDS)
    initial["country"] = registration.country.code or ""
    initial["catalogue_products"] = list(registration.catalogue_products.all())
    initial["other_products"] = registration.other_products
    initial["other"] = bool(registration.other_products)
    if not initial["catalogue_products"] and not registration.other_products and registration.products:
        # Registered before the catalogue (or without it): its text is what was typed, shown under "Other".
        initial["other_products"] = registration.products
        initial["other"] = True
    return initial


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


# --- The product catalogue (program setup) ---------------------------------------------------------------------


class ProductForm(forms.Form):
    """A product of the catalogue. `dealreg.services.products` owns the field list and checks what must hold across
    products (unique names and codes, saying which product has them), then saves it, audited."""

    name = forms.CharField(
        label="Name",
        max_length=Product._meta.get_field("name").max_length,
        help_text="As partners know it, e.g. Analytics. Renaming it later leaves past registrations as they were.",
        error_messages={
            "required": "Give the product a name, e.g. Platform.",
            "max_length": "Keep the name to at most %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    code = forms.CharField(
        label="SKU or code",
        required=False,
        max_length=Product._meta.get_field("code").max_length,
        help_text=Product._meta.get_field("code").help_text,
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=Product._meta.get_field("description").max_length,
        help_text=Product._meta.get_field("description").help_text,
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


def product_initial(product: Product) -> dict:
    return {name: getattr(product, name) for name in PRODUCT_FIELDS}
