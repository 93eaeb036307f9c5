"""Candidate search: the few known accounts and active registrations that might be the company a partner names.

Never scans a table. One bounded query per model, on the stored, indexed match keys:
- exact registrable `domain` (b-tree index; free-mail and hosting domains are no evidence and are not searched);
- exact `name_key`, as stored (prm.names) and as the matcher reads it (legal forms cleanco misses removed);
- on PostgreSQL, fuzzy names through the pg_trgm GIN index on `name_key` (migration 0002), searched with the
  name's distinctive words only (generic words would match a large share of a big table): `name_key % key`
  (trigram similarity above pg_trgm's threshold, typos) or `name_key %> key` (the key appears inside a longer
  stored name: "siemens" in "siemens healthineers"), best similarity first;
- on SQLite, a prefix range on the first distinctive word of the name (b-tree index).
Exact hits sort first, each query stops at CANDIDATES_PER_MODEL rows, then match() re-ranks the few found.
"""

from dataclasses import dataclass
from typing import Literal

from django.db import connection
from django.db.models import BooleanField, Case, F, Q, QuerySet, Value, When

from dealreg.matching import IGNORED_DOMAINS, Company, MatchResult, distinctive_words, is_generic, match, normalize_name
from dealreg.models import Account, Registration
from prm.names import normalize_company_name, registrable_domain

CANDIDATES_PER_MODEL = 50


@dataclass
class Candidate:
    kind: Literal["registration", "account"]
    obj: Account | Registration
    result: MatchResult


def _keys(name: str, website: str) -> tuple[str, set[str], str]:
    """(domain, exact name keys, fuzzy key) of the company searched for."""
    try:
        domain = registrable_domain(website or "")
    except (ValueError, UnicodeError):
        domain = ""
    if domain in IGNORED_DOMAINS:
        domain = ""
    stored_key = normalize_company_name(name or "")[:200]
    exact = {k for k in (stored_key, normalize_name(name or "")[:200]) if k}
    # Fuzzy search on the distinctive words only: generic words ("logistics", "health") would match a large part
    # of a big table and make the search grow with it. Names made only of generic words use the whole key.
    fuzzy_key = " ".join(distinctive_words(name or ""))[:200] or stored_key
    return domain, exact, fuzzy_key


def _prefix(name: str, stored_key: str) -> str:
    """The first distinctive word of the stored key ('Apex Clearing Corp' → 'clearing'), else its first word."""
    words = stored_key.split()
    distinctive = set(distinctive_words(name))
    for word in words:
        if word in distinctive or not is_generic(word):
            return word
    return words[0] if words else ""


def _search(queryset: QuerySet, *, name: str, domain: str, exact: set[str], fuzzy_key: str) -> list:
    hit = Q(name_key__in=exact) if exact else Q(pk__in=[])
    if domain:
        hit |= Q(domain=domain)
    exactness = Case(When(hit, then=Value(True)), default=Value(False), output_field=BooleanField())
    condition = hit
    ordering: list = [F("exact").desc()]
    if fuzzy_key and connection.vendor == "postgresql":
        from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
        from django.contrib.postgres.search import TrigramSimilarity

        condition |= Q(TrigramSimilar(F("name_key"), fuzzy_key)) | Q(TrigramWordSimilar(F("name_key"), fuzzy_key))
        queryset = queryset.annotate(similarity=TrigramSimilarity("name_key", fuzzy_key))
        ordering.append(F("similarity").desc())
    elif fuzzy_key:
        prefix = _prefix(name, fuzzy_key)
        if prefix:
            condition |= Q(name_key__gte=prefix, name_key__lt=prefix + "\uffff")
        ordering.append(F("name_key").asc())
    ordering.append(F("pk").asc())
    queryset = queryset.filter(condition).annotate(exact=exactness).order_by(*ordering)
    return list(queryset[:CANDIDATES_PER_MODEL])


def _company(obj: Account | Registration) -> Company:
    country = getattr(obj.country, "code", obj.country) or ""
    return Company(name=obj.name, domain=obj.website or obj.domain, country=str(country))


def find_candidates(
    *,
    name: str,
    website: str = "",
    country: str = "",
    exclude_partner_id: int | None = None,
    exclude_registration_id: int | None = None,
    limit: int = 20,
) -> list[Candidate]:
    """Accounts and active registrations (other partners' only, when `exclude_partner_id` is given) that the
    matcher finds the same as, or possibly the same as, this company: best first, at most `limit`. Two queries."""
    domain, exact, fuzzy_key = _keys(name, website)
    if not domain and not exact:
        return []
    registrations = Registration.objects.filter(status__in=Registration.ACTIVE).select_related("partner")
    if exclude_partner_id is not None:
        registrations = registrations.exclude(partner_id=exclude_partner_id)
    if exclude_registration_id is not None:
        registrations = registrations.exclude(pk=exclude_registration_id)
    found: list[tuple[Literal["registration", "account"], Account | Registration]] = [
        ("registration", obj)
        for obj in _search(registrations, name=name, domain=domain, exact=exact, fuzzy_key=fuzzy_key)
    ]
    found += [
        ("account", obj)
        for obj in _search(Account.objects.all(), name=name, domain=domain, exact=exact, fuzzy_key=fuzzy_key)
    ]
    probe = Company(name=name or "", domain=website or "", country=country or "")
    candidates = [Candidate(kind=kind, obj=obj, result=match(probe, _company(obj))) for kind, obj in found]
    candidates = [c for c in candidates if c.result.verdict != "different"]
    candidates.sort(key=lambda c: (c.result.rank, -c.result.score, c.kind, c.obj.pk))
    return candidates[: max(limit, 0)]
