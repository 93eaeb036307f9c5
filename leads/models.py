"""Leads: the startup's own prospects, matched to partners by capability and offered to them (DOMAIN.md "Leads")."""
