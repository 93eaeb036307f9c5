"""What dealreg tells other apps through their registries.

Recruitment (partners.fit): how many companies of a prospect's customer list are companies we know (our accounts,
existing customers among them), with the account matcher. Only the count leaves this module, never a name (the
prospect's list is not kept, and our accounts are not shown to anyone through it).
Personal enablement (enablement.recommendations): the products of a person's own open deal registrations.

A customer list can have 10,000 rows, so candidate search is batched: BATCH rows at a time, one query reads the
accounts whose stored name key is one of the rows' name keys (the name as stored and as the matcher reads it, its
acronyms and other spellings, the shorter names made of its words: candidate search's exact keys) or whose
registrable domain is one of the rows' domains. The matcher then judges each row against its few candidates, and
a row counts when it finds one the same company. The fuzzy name search of candidate search (typos) is left out:
a row whose name is misspelt and whose website is not given is not counted, so the overlap never overstates.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from dealreg.candidates import CANDIDATES_PER_MODEL, search_keys
from dealreg.matching import Company, match
from dealreg.models import Account

BATCH = 500


def customer_overlap(rows: Iterable[tuple[str, str]]) -> int:
    """How many of the (name, website) rows the matcher finds the same as one of our accounts."""
    rows = [((name or "").strip(), (website or "").strip()) for name, website in rows]
    rows = [row for row in rows if row[0] or row[1]]
    judged: dict[tuple[Company, Company], bool] = {}
    found = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        keyed = []
        names: set[str] = set()
        domains: set[str] = set()
        for name, website in batch:
            keys = search_keys(name, website)
            row_keys = keys.exact | keys.also | keys.shorter
            keyed.append((name, website, row_keys, keys.domain))
            names |= row_keys
            domains.add(keys.domain)
        domains.discard("")
        if not names and not domains:
            continue
        by_key: dict[str, list[Company]] = defaultdict(list)
        by_domain: dict[str, list[Company]] = defaultdict(list)
        accounts = Account.objects.filter(Q(name_key__in=sorted(names)) | Q(domain__in=sorted(domains)))
        for name_key, name, domain, country in accounts.values_list("name_key", "name", "domain", "country"):
            company = Company(name=name, domain=domain, country=str(country or ""))
            by_key[name_key].append(company)
            if domain:
                by_domain[domain].append(company)
        for name, website, row_keys, domain in keyed:
            candidates = list(dict.fromkeys([*by_domain.get(domain, []), *(c for k in row_keys for c in by_key[k])]))
            probe = Company(name=name, domain=website)
            for company in candidates[:CANDIDATES_PER_MODEL]:
                pair = (probe, company)
                if pair not in judged:
                    judged[pair] = match(probe, company).verdict == "same"
                if judged[pair]:
                    found += 1
                    break
    return found


def register() -> None:
    from enablement.recommendations import register_deal_products
    from partners.fit import register_customer_matcher

    register_customer_matcher(customer_overlap)
    # Personal enablement recommends courses about the products of the person's open deals (sibling apps: the
    # registry lives in enablement, which never imports dealreg).
    register_deal_products(open_deal_products)


def open_deal_products(*, partner_id: int, user_id: int) -> dict[str, int]:
    """{product: how many of the person's open registrations (submitted, needs info, approved) name it}, for the
    person's own registrations at their own company only (one query). Products are read from the registration's
    summary (`products`: the catalogue's picks and what was typed, or the text of older registrations)."""
    from dealreg.models import Registration

    summaries = Registration.objects.filter(
        partner_id=partner_id, created_by_id=user_id, status__in=Registration.ACTIVE
    ).values_list("products", flat=True)
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for summary in summaries:
        for name in {" ".join(part.split()) for part in (summary or "").split(",")} - {""}:
            key = names.setdefault(name.casefold(), name)
            counts[key] = counts.get(key, 0) + 1
    return counts
