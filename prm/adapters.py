from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Nobody signs up on their own: people join through an invitation (see partners.views.invitations)."""
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return reverse("home")
