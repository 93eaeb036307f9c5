"""Input of the manager pages and the partner calculator. The forms read what was typed; the services own the rules
(negative percents, currencies, overlapping boosts) and their messages, which `attach_errors` puts next to the
fields."""

from django import forms
from django_countries import countries

from dealreg.models import Registration
from incentives.models import Boost, DealPayoutRule
from partners.models import Partner, Tier

DATE = forms.DateInput(attrs={"type": "date"})
INVOLVEMENTS = [(value, label.split(":")[0]) for value, label in Registration.Involvement.choices]


def _blank(choices) -> list:
    return [("", "Any"), *choices]


class PlanForm(forms.Form):
    name = forms.CharField(max_length=120)
    payable_after_days = forms.CharField(
        label="Payable after (days)", help_text="An accrued earning is approved for payment this many days later."
    )


class VersionForm(forms.Form):
    first_win_bonus = forms.CharField(
        required=False, label="First-win bonus", help_text="Paid once, on a partner's first won deal. Empty for none."
    )
    first_win_currency = forms.CharField(required=False, label="Bonus currency")
    renewal_rebate_percent = forms.CharField(
        required=False,
        label="Renewal rebate (%)",
        help_text="Of the renewed amount, for customers the partner brought. Empty for none.",
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What changed and why: partners read it with the announcement.",
    )


class PayoutForm(forms.Form):
    involvement = forms.ChoiceField(choices=INVOLVEMENTS)
    kind = forms.ChoiceField(choices=DealPayoutRule.Kind.choices, label="Pays")
    percent = forms.CharField(required=False, label="Percent of the won amount")
    fixed_amount = forms.CharField(required=False, label="Fixed fee")
    currency = forms.CharField(
        required=False,
        help_text="Of the fee, minimum and cap. Empty: a percent for deals in any currency.",
    )
    min_deal_amount = forms.CharField(required=False, label="Minimum deal size")
    cap_amount = forms.CharField(required=False, label="Cap")


class BoostForm(forms.Form):
    name = forms.CharField(max_length=80)
    kind = forms.ChoiceField(choices=Boost.Kind.choices)
    value = forms.CharField(label="Extra percent or multiplier", help_text="2 for +2%, or 1.5 for ×1.5.")
    starts_on = forms.DateField(widget=DATE, label="First day")
    ends_on = forms.DateField(widget=DATE, label="Last day")
    region = forms.ChoiceField(choices=_blank(Partner.Region.choices), required=False)
    country = forms.ChoiceField(choices=_blank(list(countries)), required=False, label="Customer country")
    product = forms.CharField(max_length=80, required=False, help_text="Deals whose products mention this.")
    segment = forms.ChoiceField(choices=_blank(Partner.Segment.choices), required=False)
    partner_type = forms.ChoiceField(choices=_blank(Partner.Type.choices), required=False)
    tier = forms.ModelChoiceField(queryset=Tier.objects.order_by("rank"), required=False, empty_label="Any")


class PublishForm(forms.Form):
    effective_from = forms.DateField(widget=DATE, label="Takes effect on")


class CalculatorForm(forms.Form):
    amount = forms.CharField(label="Deal size")
    currency = forms.CharField(initial="USD")
    involvement = forms.ChoiceField(choices=INVOLVEMENTS)
    products = forms.CharField(required=False, max_length=300, label="Products")

    def clean_amount(self):
        from prm.money import parse_money

        return parse_money(self.cleaned_data["amount"], label="deal size")

    def clean_currency(self):
        from prm.money import parse_currency

        return parse_currency(self.cleaned_data["currency"])
