"""The invitation link: the one public door into the product, and the only way to create an account."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from partners import services
from partners.forms import AcceptInvitationForm
from partners.models import Invitation
from prm.access import public
from prm.models import User

_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@public
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.find(token)
    try:
        services.invitation_check(invitation=invitation)
    except services.InvitationProblem as problem:
        return _problem(request, problem, invitation)
    assert invitation is not None

    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except services.InvitationProblem as problem:
                return _problem(request, problem, invitation)
            messages.success(request, f"Welcome to {invitation.partner.name}!")
            return redirect("portal:home")
        if request.user.email.lower() != invitation.email.lower():
            return _problem(
                request,
                services.InvitationProblem(
                    "wrong_email",
                    f"This invitation is for {invitation.email}, but you are signed in as {request.user.email}. "
                    "Sign out, then open the link again.",
                ),
                invitation,
            )
        return render(request, "partners/invitation_confirm.html", {"invitation": invitation})

    if User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, f"You already have an account as {invitation.email}. Sign in to accept the invitation.")
        return redirect_to_login(request.get_full_path())

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_new_user(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationProblem as problem:
            return _problem(request, problem, invitation)
        login(request, membership.user, backend=_BACKEND)
        messages.success(request, f"Welcome to {membership.partner.name}! Your account is ready.")
        return redirect("portal:home")
    return render(request, "partners/invitation_signup.html", {"invitation": invitation, "form": form})


def _problem(request: HttpRequest, problem: services.InvitationProblem, invitation: Invitation | None) -> HttpResponse:
    status = 404 if problem.problem == "invalid" else 410 if problem.problem in ("used", "expired", "revoked") else 403
    context = {"problem": problem.problem, "message": problem.messages[0], "invitation": invitation}
    return render(request, "partners/invitation_problem.html", context, status=status)
