"""Reads for recruitment: the duplicate check, the review queue, and the two-tier scoping of distributors.

Two-tier rule, expressed once here: a member sees its own partner; a distributor's admin also sees the partners
directly under it (its resellers). Nobody else's partner exists for them (404): not the distributor for a reseller,
not a sibling reseller, not another distributor's resellers.
"""

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse

from partners.models import Application, Partner, PartnerMembership
from prm.names import FREEMAIL_DOMAINS, name_similarity, normalize_company_name, registrable_domain

SIMILAR_NAME_THRESHOLD = 90
# The name pre-filter is a LIKE on a word of the name; a very common word could match thousands of companies.
MAX_NAME_CANDIDATES = 500


# --- Duplicate check -------------------------------------------------------------------------------------------


def company_domains(*, website: str, email: str) -> tuple[str, str]:
    """The registrable domains of a website and of an email address; free-mail domains say nothing, so ''."""
    web = registrable_domain(website)
    mail = registrable_domain(email) if "@" in (email or "") else ""
    return ("" if web in FREEMAIL_DOMAINS else web), ("" if mail in FREEMAIL_DOMAINS else mail)


def _email_at(field: str, domains: set[str]) -> Q:
    """`field` is an address at one of `domains` or at a subdomain of one (mail.northwind.com)."""
    q = Q()
    for domain in domains:
        q |= Q(**{f"{field}__iendswith": f"@{domain}"}) | Q(**{f"{field}__iendswith": f".{domain}"})
    return q


# Words too common in company names to narrow the candidates by.
COMMON_NAME_WORDS = frozenset(
    (  # noqa: SIM905
        "solutions consulting consultants group services systems technologies technology tech partners partner "
        "global digital international software distribution networks network data cloud company holdings labs media"
    ).split()
)


def _distinctive_words(normalized: str) -> list[str]:
    """The words to narrow by: the first one (a name prefix) and up to three distinctive others, so a typo in one
    word still finds the company through another."""
    words = normalized.split()
    others = [w for w in dict.fromkeys(words[1:]) if len(w) >= 4 and w not in COMMON_NAME_WORDS and w != words[0]]
    return [words[0], *sorted(others, key=len, reverse=True)[:3]]


def application_duplicates(
    *, name: str, website: str, email: str, exclude_partner_id: int | None = None
) -> list[dict[str, Any]]:
    """Existing partners (any status, so earlier applications too) that look like the same company.

    Returns [{"partner_id", "name", "status", "reason"}], one entry per partner, strongest match first. Candidates
    are narrowed in SQL (domain equality, a LIKE on the name's first and most distinctive words) before fuzzy
    scoring in Python."""
    found: dict[int, dict[str, Any]] = {}
    rank: dict[int, int] = {}

    def add(row: dict[str, Any], reason: str, strength: int) -> None:
        entry = found.setdefault(
            row["id"], {"partner_id": row["id"], "name": row["name"], "status": row["status"], "reasons": []}
        )
        if reason not in entry["reasons"]:
            entry["reasons"].append(reason)
        rank[row["id"]] = max(rank.get(row["id"], 0), strength)

    partners = Partner.objects.all()
    if exclude_partner_id is not None:
        partners = partners.exclude(pk=exclude_partner_id)

    web, mail = company_domains(website=website, email=email)
    domains = {d for d in (web, mail) if d}
    if domains:
        for row in partners.filter(domain__in=domains).values("id", "name", "status", "domain"):
            if row["domain"] == web:
                add(row, f"same website domain {web}", 100)
            else:
                add(row, f"contact email domain {mail} is their website's domain", 95)
        for row in partners.filter(_email_at("application__contact_email", domains)).values(
            "id", "name", "status", "application__contact_email"
        ):
            add(row, f"same email domain {registrable_domain(row['application__contact_email'])}", 90)
        members = _email_at("memberships__user__email", domains) & Q(memberships__is_active=True)
        for row in partners.filter(members).values("id", "name", "status", "memberships__user__email"):
            add(row, f"people at {registrable_domain(row['memberships__user__email'])} already work for them", 90)

    normalized = normalize_company_name(name)
    if normalized:
        name_q = Q()
        for word in _distinctive_words(normalized):
            name_q |= Q(name__icontains=word)
        candidates = partners.filter(name_q)
        for row in candidates.values("id", "name", "status")[:MAX_NAME_CANDIDATES]:
            if normalize_company_name(row["name"]) == normalized:
                same = " ".join(row["name"].lower().split()) == " ".join(name.lower().split())
                add(row, "same company name" if same else "same company name apart from legal form or punctuation", 99)
                continue
            score = name_similarity(name, row["name"])
            if score >= SIMILAR_NAME_THRESHOLD:
                add(row, f"company name almost identical ({round(score)}%)", int(score))

    ordered = sorted(found.values(), key=lambda e: (-rank[e["partner_id"]], e["name"].lower()))
    return [{**{k: v for k, v in e.items() if k != "reasons"}, "reason": "; ".join(e["reasons"])} for e in ordered]


def duplicate_rows(*, application: Application) -> list[dict[str, Any]]:
    """The stored findings with each partner's current status and a link for the reviewer (a partner that was
    deleted since is left out)."""
    ids = [d["partner_id"] for d in application.duplicates]
    current = {p["id"]: p for p in Partner.objects.filter(pk__in=ids).values("id", "name", "status")}
    rows = []
    for finding in application.duplicates:
        partner = current.get(finding["partner_id"])
        if partner is None:
            continue
        status = partner["status"]
        waiting = status in (Partner.Status.APPLIED, Partner.Status.DECLINED)
        rows.append(
            {
                **finding,
                "name": partner["name"],
                "status": status,
                "status_label": Partner.Status(status).label,
                "is_application": waiting,
                "url": reverse(
                    "manage:application_detail" if waiting else "manage:partner_detail", args=[partner["id"]]
                ),
            }
        )
    return rows


# --- Review queue ----------------------------------------------------------------------------------------------


def application_queue(*, status: str = Partner.Status.APPLIED) -> QuerySet[Application]:
    """Applications in one state: waiting (oldest first, so nobody waits forever) or decided (newest first)."""
    qs = Application.objects.filter(partner__status=status).select_related("partner", "invited_by_partner")
    if status == Partner.Status.APPLIED:
        return qs.order_by("partner__applied_at", "submitted_at", "pk")
    return qs.select_related("decided_by").order_by("-decided_at", "-pk")


# --- Two-tier distribution -------------------------------------------------------------------------------------


def is_distributor_admin(viewer: PartnerMembership) -> bool:
    return viewer.is_admin and viewer.partner.is_distributor


def require_distributor_admin(viewer: PartnerMembership) -> None:
    """The reseller pages exist only for a distributor's admins; for anyone else they are a 404."""
    if not is_distributor_admin(viewer):
        raise Http404("Not found")


def access_partner_for(*, viewer: PartnerMembership, pk: int) -> Partner:
    """The viewer's own partner, or a partner directly under it when the viewer is an admin of a distributor.
    Anything else is a 404, so a partner's existence never leaks."""
    if int(pk) == viewer.partner_id:
        return viewer.partner
    if not is_distributor_admin(viewer):
        raise Http404("Not found")
    try:
        return Partner.objects.select_related("parent").get(pk=pk, parent_id=viewer.partner_id)
    except Partner.DoesNotExist:
        raise Http404("Not found") from None


def reseller_list_for(*, viewer: PartnerMembership) -> QuerySet[Partner]:
    """The partners under the viewer's distributor, with onboarding progress and member counts in one query."""
    require_distributor_admin(viewer)
    return (
        Partner.objects.filter(parent_id=viewer.partner_id)
        .select_related("application")
        .annotate(
            steps_total=Count("onboarding_steps", distinct=True),
            steps_done=Count("onboarding_steps", filter=Q(onboarding_steps__completed_at__isnull=False), distinct=True),
            member_count=Count("memberships", filter=Q(memberships__is_active=True), distinct=True),
        )
        .order_by("name")
    )
