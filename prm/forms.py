"""What every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError


def attach_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal next to the fields it names (or on top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
