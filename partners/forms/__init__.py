"""Forms of the partners app, one module per area."""

from partners.forms.people import AcceptInvitationForm, InvitationForm, PartnerCreateForm, RoleForm

__all__ = ["AcceptInvitationForm", "InvitationForm", "PartnerCreateForm", "RoleForm"]
