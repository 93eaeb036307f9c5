"""Enablement forms: manage.py (the channel team's pages), portal.py (the partner portal's). Both read list filters
with `FilterForm`."""

from typing import Any

from django import forms


class FilterForm(forms.Form):
    """A GET form of list filters."""

    def filters(self) -> dict[str, Any]:
        """The valid, non-empty filters; a bad value (a stale bookmark, a typo in the address) is dropped."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if k not in self.errors and v not in (None, "")}
