"""Leads in the API (staff: create and list; partner: its offers)."""

from ninja import Router

router = Router(tags=["Leads"])
