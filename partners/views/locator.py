"""The public partner locator (no sign-in): search and filters, a partner's public page, its logo, and "contact
this partner" with its email confirmation. Only active partners with a listed profile exist here (404 otherwise)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from partners import locator
from partners.forms.locator import HONEYPOT_FIELD, ContactForm, FilterForm
from partners.services import locator as services
from partners.services.locator import ConfirmOutcome
from prm.access import public
from prm.forms import attach_errors
from prm.notifications import absolute_url
from prm.ratelimit import AddressLimit, client_ip
from prm.uploads import private_file_response


def _contacts_per_hour() -> int:
    return getattr(settings, "PRM_LOCATOR_CONTACTS_PER_IP_PER_HOUR", 5)


# At most this many contact requests per visitor address and hour, whichever partner they go to.
CONTACT_LIMIT = AddressLimit("locator-contact-rate", per_hour=_contacts_per_hour)


def _canonical(request: HttpRequest, path: str) -> str:
    """The page's address for search engines: SITE_URL, never the request's Host header."""
    return absolute_url(path)


def _program_name() -> str:
    from partners.services import program_get

    return program_get().name


@public
@require_GET
def find(request: HttpRequest) -> HttpResponse:
    choices = locator.facets()
    form = FilterForm(request.GET, choices=choices)
    filters = form.filters()
    results = locator.search_listed(page=request.GET.get("page"), **filters)
    summary = locator.filter_summary(filters, choices)
    title = "Find a partner" + (f": {', '.join(summary)}" if summary else "")
    # Canonical: the filtered list without paging noise, so search engines index one page per filter set.
    kept = {k: v for k, v in filters.items() if k != "q"}
    canonical = reverse("locator") + (f"?{urlencode(sorted(kept.items()))}" if kept else "")
    if results.number > 1:
        canonical += ("&" if kept else "?") + f"page={results.number}"
    query = urlencode(sorted(filters.items()))
    context = {
        "form": form,
        "results": results,
        "summary": summary,
        "title": title,
        "canonical": _canonical(request, canonical),
        "query": query,
        "filtered": bool(filters),
        "program_name": _program_name(),
        "noindex": "q" in filters,  # free-text searches are not pages worth indexing
    }
    return render(request, "partners/locator/find.html", context)


@public
@require_GET
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    page = locator.access_listed(slug)
    context = {
        "page": page,
        "card": page.card,
        "profile": page.profile,
        "partner": page.partner,
        "website": page.profile.public_website or page.partner.website,
        "canonical": _canonical(request, page.card.url),
        "program_name": _program_name(),
    }
    return render(request, "partners/locator/profile.html", context)


@public
@require_GET
def logo(request: HttpRequest, slug: str) -> HttpResponse:
    page = locator.access_listed(slug)
    return logo_response(page.profile)


def logo_response(profile, *, public: bool = True) -> HttpResponse:
    """A logo, served as an inert image (never sniffed or run: prm.uploads.private_file_response)."""
    if not profile.logo:
        raise Http404("No logo")
    try:
        response = private_file_response(profile.logo, download_name=profile.logo.name, inline=True)
    except FileNotFoundError:
        raise Http404("No logo") from None
    if public:  # a versioned URL (?v=<updated>): visitors' browsers and proxies may keep it a day
        response["Cache-Control"] = "public, max-age=86400"
    return response


def _render_contact(request: HttpRequest, page, form: ContactForm, status: int = 200, **extra) -> HttpResponse:
    context = {
        "page": page,
        "card": page.card,
        "form": form,
        "honeypot": HONEYPOT_FIELD,
        "program_name": _program_name(),
        "canonical": _canonical(request, reverse("locator_contact", args=[page.card.slug])),
        **extra,
    }
    return render(request, "partners/locator/contact.html", context, status=status)


@public
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, slug: str) -> HttpResponse:
    page = locator.access_listed(slug)
    if request.method != "POST":
        return _render_contact(request, page, ContactForm())
    sent = redirect("locator_contact_sent", slug=slug)
    if request.POST.get(HONEYPOT_FIELD):
        # A bot filled the invisible field: it sees the usual next page, and nothing is stored or sent.
        return sent
    form = ContactForm(request.POST)
    ip = client_ip(request)
    if CONTACT_LIMIT.exceeded(ip):
        return _render_contact(request, page, form, status=429, rate_limited=True)
    if not form.is_valid():
        return _render_contact(request, page, form, status=400)
    if CONTACT_LIMIT.count(ip) > CONTACT_LIMIT.limit():  # a burst raced past the check above
        return _render_contact(request, page, form, status=429, rate_limited=True)
    try:
        services.contact_request_submit(partner=page.partner, data=form.cleaned_data, submitted_ip=ip)
    except ValidationError as exc:
        attach_errors(form, exc)
        return _render_contact(request, page, form, status=400)
    return sent


@public
@require_GET
def contact_sent(request: HttpRequest, slug: str) -> HttpResponse:
    page = locator.access_listed(slug)
    context = {"card": page.card, "hours": services.CONFIRM_HOURS, "program_name": _program_name()}
    return render(request, "partners/locator/contact_sent.html", context)


@public
@require_http_methods(["GET", "POST"])
def contact_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what is about to be sent (a mail scanner opening the link changes nothing); POST confirms."""
    failed = ""
    if request.method == "POST":
        try:
            outcome, contact_request = services.contact_request_confirm(token=token)
        except ValidationError as exc:  # the leads app refused the request: say why, keep it pending
            outcome, contact_request = services.contact_request_read(token=token)
            failed = " ".join(exc.messages)
        else:
            if outcome == ConfirmOutcome.CONFIRMED:
                return redirect("locator_confirmed", token=token)
    else:
        outcome, contact_request = services.contact_request_read(token=token)
    status = 400 if failed else {ConfirmOutcome.INVALID: 404, ConfirmOutcome.EXPIRED: 410}.get(outcome, 200)
    retry_url = ""
    if outcome == ConfirmOutcome.EXPIRED and contact_request is not None:
        listed = locator.listed_partners().filter(pk=contact_request.partner_id).values_list("public_profile__slug")
        slug = next(iter(listed), (None,))[0]
        retry_url = reverse("locator_contact", args=[slug]) if slug else ""
    context = {
        "token": token,
        "failed": failed,
        "retry_url": retry_url,
        "outcome": outcome.value,
        "contact": contact_request,
        "partner": contact_request.partner if contact_request else None,
        "hours": services.CONFIRM_HOURS,
        "program_name": _program_name(),
    }
    return render(request, "partners/locator/confirm.html", context, status=status)


@public
@require_GET
def contact_confirmed(request: HttpRequest, token: str) -> HttpResponse:
    outcome, contact_request = services.contact_request_read(token=token)
    if outcome != ConfirmOutcome.ALREADY:  # not confirmed (yet): the confirmation page says what to do
        return redirect("locator_confirm", token=token)
    context = {
        "outcome": "confirmed",
        "contact": contact_request,
        "partner": contact_request.partner,
        "offered_to_partner": locator.lead_offered_to_chosen_partner(contact_request),
        "program_name": _program_name(),
    }
    return render(request, "partners/locator/confirm.html", context)
