from django import forms
from django.contrib.auth import password_validation

from partners.models import Partner, PartnerMembership


class PartnerCreateForm(forms.Form):
    name = forms.CharField(max_length=200, label="Company name")
    type = forms.ChoiceField(choices=[("", "Choose a type…"), *Partner.Type.choices], label="Partner type")
    parent = forms.ModelChoiceField(
        queryset=Partner.objects.filter(type=Partner.Type.DISTRIBUTOR),
        required=False,
        label="Buys through distributor",
        empty_label="None: buys from us directly",
        help_text="Only for resellers in two-tier distribution.",
    )
    admin_email = forms.EmailField(
        required=False,
        label="Invite their first admin",
        help_text="We email them a link to join; it is valid for 7 days.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=PartnerMembership.Role.choices, initial=PartnerMembership.Role.SALES)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=PartnerMembership.Role.choices)


class AcceptInvitationForm(forms.Form):
    """The only sign-up form: for a person holding a valid invitation."""

    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150, required=False)
    password1 = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="Repeat the password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            from prm.models import User

            probe = User(email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data
