"""What both token pages share: make a token from the posted form (showing it once), revoke one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from api import services
from api.forms import TokenForm
from api.models import ApiToken
from prm.forms import attach_errors


def token_page(
    request: HttpRequest, *, template: str, tokens: QuerySet[ApiToken], revoke_url: str, context: dict
) -> HttpResponse:
    """GET: the tokens and the form. POST: make a token for the viewer and show it, once, on this response (it is
    never stored, so it cannot be shown again)."""
    form = TokenForm(request.POST if request.method == "POST" else None)
    new_token = new_plaintext = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                new_token, new_plaintext = services.token_create(
                    actor=request.user, user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at()
                )
            except ValidationError as exc:
                attach_errors(form, exc)
                status = 400
            else:
                form = TokenForm()
        else:
            status = 400
    response = render(
        request,
        template,
        {
            **context,
            "form": form,
            "tokens": list(tokens),
            "new_token": new_token,
            "new_plaintext": new_plaintext,
            "revoke_url": revoke_url,
        },
        status=status,
    )
    if new_plaintext:
        response["Cache-Control"] = "no-store"
    return response


def revoke(request: HttpRequest, token: ApiToken, back: str) -> HttpResponse:
    try:
        services.token_revoke(actor=request.user, token=token)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Token “{token.name}” ({token.display_prefix}) revoked: it no longer works.")
    return redirect(back)
