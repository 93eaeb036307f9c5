"""The lead pages' forms: the lead itself, the distribution settings, the manager's offer actions, the partner's
decline, the list's filters. The services check everything again; these give the messages next to the fields."""

from django import forms
from django_countries import countries

from dealreg.models import Product
from leads.models import DistributionSettings, Lead
from leads.services.settings import SETTINGS_FIELDS


class LeadForm(forms.Form):
    name = forms.CharField(label="Company", max_length=200)
    website = forms.CharField(max_length=300, required=False, help_text="Its web address or domain.")
    country = forms.ChoiceField(choices=[("", "—"), *countries], required=False)
    contact_name = forms.CharField(label="Contact's name", max_length=160)
    contact_email = forms.EmailField(label="Contact's email", max_length=254)
    contact_phone = forms.CharField(label="Contact's phone", max_length=40, required=False)
    industry = forms.CharField(max_length=100, required=False, help_text="Like Healthcare or Retail.")
    size = forms.ChoiceField(choices=[("", "—"), *Lead.Size.choices], required=False)
    products = forms.ModelMultipleChoiceField(
        label="Products of interest",
        queryset=Product.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interest = forms.CharField(label="Interest in their words", max_length=300, required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False)
    source = forms.ChoiceField(
        choices=[
            (s.value, s.label) for s in (Lead.Source.MANAGER, Lead.Source.EVENT, Lead.Source.INBOUND, Lead.Source.OTHER)
        ],
        initial=Lead.Source.MANAGER,
    )

    def __init__(self, *args, editing: bool = False, lead: Lead | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offered = Product.objects.filter(is_active=True)
        if lead is not None and lead.pk:
            offered = Product.objects.filter(pk__in=offered) | Product.objects.filter(leads=lead)
        self.fields["products"].queryset = offered.distinct().order_by("order", "name")
        if editing:
            del self.fields["source"]


def lead_initial(lead: Lead) -> dict:
    return {
        "name": lead.name,
        "website": lead.website,
        "country": str(lead.country or ""),
        "contact_name": lead.contact_name,
        "contact_email": lead.contact_email,
        "contact_phone": lead.contact_phone,
        "industry": lead.industry,
        "size": lead.size,
        "products": list(lead.products.values_list("pk", flat=True)),
        "interest": lead.interest,
        "notes": lead.notes,
    }


class SettingsForm(forms.ModelForm):
    class Meta:
        model = DistributionSettings
        fields = SETTINGS_FIELDS
        widgets = {"mode": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}


class OfferForm(forms.Form):
    """The manager's offer actions on a lead page: pick one partner, the top partner, or the top N."""

    ACTIONS = (("pick", "Offer to this partner"), ("auto", "Offer to the top partner"), ("top", "Offer to the top N"))

    action = forms.ChoiceField(choices=ACTIONS)
    partner = forms.IntegerField(required=False, min_value=1, max_value=10**18)
    count = forms.IntegerField(required=False, min_value=1, max_value=10)
    confirm_reason = forms.CharField(
        label="Why offer it anyway",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The account matcher flagged this company: say why a partner should still get it (recorded).",
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "pick" and not data.get("partner"):
            self.add_error("partner", "Pick a partner.")
        if data.get("action") == "top" and not data.get("count"):
            self.add_error("count", "Say how many partners (1 to 10).")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class FilterForm(forms.Form):
    STATUSES = [("", "Any status"), ("open", "Open (new, offered, back with us)"), *Lead.Status.choices]

    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(choices=STATUSES, required=False)
    source = forms.ChoiceField(choices=[("", "Any source"), *Lead.Source.choices], required=False)
    partner = forms.IntegerField(required=False, min_value=1, max_value=10**18)
    flagged = forms.BooleanField(required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}
