"""Forms of the onboarding area: accepting the partner agreement."""

from django import forms


class AgreementAcceptForm(forms.Form):
    signer_name = forms.CharField(label="Your full name", max_length=160)
    signer_title = forms.CharField(label="Your job title", max_length=160, required=False)
    accept = forms.BooleanField(
        required=True, error_messages={"required": "Tick the box to accept the agreement on your company's behalf."}
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, partner_name: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accept"].label = f"I have read the agreement and accept it on behalf of {partner_name}"
        self.fields["signer_name"].widget.attrs["autocomplete"] = "name"
        self.fields["signer_title"].widget.attrs["autocomplete"] = "organization-title"

    def clean_signer_name(self) -> str:
        name = " ".join(self.cleaned_data["signer_name"].split())
        if not name:
            raise forms.ValidationError("Type your full name to sign.")
        return name
