"""Candidate search: the few known accounts and active registrations that might be the company a partner names.

Never scans a table, and on PostgreSQL the work does not grow with the tables: it grows with what is found.
Four steps, one query each (PostgreSQL; the name tables are kept by the triggers of migration 0004):
1. Words. The words of the name are looked up in `dealreg_nameword`, the vocabulary of stored names, with the
   stored words one typo away (a letter more, less, changed, or two swapped: they share a deletion) and close
   enough (rapidfuzz ratio ≥ TYPO_AT, or two letters swapped): "logistcs" finds "logistics"; and the stored words
   of the same skeleton, another spelling transliteration gives (migration 0010): "yandex" finds "yandeks"
   (Яндекс). Exact lookups, whatever its size.
2. Names. In `dealreg_namekey` (each distinct stored name once: a few hundred thousand for a million
   registrations), the NAMES most similar names (pg_trgm similarity to the name) that hold a word of each group of
   searched words, or equal the name without spaces ("Micro Soft" = "Microsoft"), or its distinctive part.
   The searched words are its distinctive words (not the matcher's common words) and, when it has any others, not
   the words many company names share: COMMON_WORDS ("Robotics", "Retail", "London") and, from the data, the
   words held by more than POPULAR_NAMES names ("Phoenix"). So "Norvex Robotics" reads the Norvex names, not every
   robotics company. A name with only such words needs a name to hold a word like each of them ("Apex Robotics":
   apex and robotics); so does one made only of common words ("Global Services").
3. Rows, per model: exact lookups only, by name key (the name itself as stored and as the matcher reads it, the
   names of step 2, and the shorter names made of some of its words, which the matcher may find inside it:
   "Siemens" for "Siemens Energy") on covering indexes, and by registrable `domain` (free-mail and hosting
   domains are no evidence and are not searched). Exact hits (same name, same domain) first, then the most
   similar; at most CANDIDATES_PER_MODEL rows of only what the matcher reads (name, domain, country).
4. match() judges them (each distinct company once), and only the rows it finds the same or possibly the same,
   the best `limit`, are loaded in full.
Acronyms: a name's initials ("International Business Machines" → "ibm", "i b m") are looked up as name keys; an
acronym name ("IBM") reads the names of those initials (and a few common words more: ANZ, Australia and New
Zealand Banking Group), the INITIALS_NAMES first, from an index of the stored names' initials (migration 0010).
On SQLite (no name tables): exact keys (also the initials, and the name respelled as transliteration could), and
a prefix range on the first distinctive word of the name.
"""

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from typing import Literal

from django.db import connection
from django.db.models import BooleanField, Case, F, Q, Value, When
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from dealreg.matching import (
    IGNORED_DOMAINS,
    Company,
    MatchResult,
    acronym_forms,
    distinctive_words,
    is_generic,
    match,
    normalize_name,
    short_form,
    skeleton,
    spelling_variants,
)
from dealreg.models import Account, Registration
from prm.names import han_initials, has_han, normalize_company_name, registrable_domain

CANDIDATES_PER_MODEL = 50
# Stored names read by fuzzy search, the most similar to the name first, besides those always read (the name itself,
# also without spaces, the shorter names it contains, the same domain). A word is held by up to POPULAR_NAMES names,
# and each name read is a company or more for the matcher to judge: the same company written differently (typos,
# spacing, words added or dropped) is the most similar; the namesakes after it ("Norvex Foods" for "Norvex
# Robotics") are what reading more would add.
NAMES = 10
# Names of an acronym's initials read ("IBM": many names have them; the rows of the probe's country rank first).
INITIALS_NAMES = 100
POPULAR_NAMES = 100  # a word held by more stored names does not tell companies apart: see word_groups()
# Stored words one typo away from a searched word (two for long ones) are searched too when this close (rapidfuzz
# ratio): the matcher finds two names "similar" from 85 on their distinctive parts, which one word of them reaches
# then too (unless each of three or more words has its own typo).
TYPO_AT = 85
SPELLINGS = 8  # other spellings of a rare word looked up (SQLite, whole names): 'yandex' / 'yandeks'
MAX_WORDS = 6  # searched words per name; longer names keep their first six
MAX_SUBSET_WORDS = 6  # names of up to this many words also look up the shorter names made of their words

# Words many company names share that the matcher still counts as distinctive (its common words, GENERIC_WORDS,
# are not searched at all): industries, trades, places. Only the search skips them, and only when the name has
# other distinctive words: "Norvex Robotics" searches norvex; "Robotics Inc" still searches robotics.
_COMMON_TEXT = """
    analytics robotics retail motors motor foods food automotive auto autos cars chemicals chemical electric
    electrical electronics steel metals metal mining minerals oil gas petroleum power solar water environmental
    farms farm agri agro textiles fashion apparel beauty cosmetics furniture homes builders building plumbing
    roofing cleaning printing packaging plastics paper glass timber tools machinery equipment supplies supply
    distribution distributors wholesale imports exports brands store stores shop market markets express direct
    online web net mobile telecom wireless hotels hotel hospitality travel tours airlines airways aviation aerospace
    transport transportation shipping marine freight cargo dental clinic clinics pharmacy hospital veterinary bakery
    restaurant restaurants cafe coffee kitchen catering studio studios films productions entertainment games gaming
    music education academy school training learning institute foundation society association club sports fitness
    rentals leasing garage repairs maintenance facilities automation controls instruments devices components parts
    precision biotech bio therapeutics biosciences sciences diagnostics wellness nutrition organic natural fresh
    beverages brewing wines agency publishing press advertising legal law accountants accounting advisors advisory
    wealth asset funds equity credit lending mortgage payments exchange securities brokers estates estate land
    housing developers events america usa uk india china japan germany france canada australia africa london texas
    california
"""
COMMON_WORDS = frozenset(_COMMON_TEXT.split())
_COMMON_LIST = sorted(COMMON_WORDS)


@dataclass
class Candidate:
    kind: Literal["registration", "account"]
    obj: Account | Registration
    result: MatchResult


@lru_cache(maxsize=4096)
def is_common(word: str) -> bool:
    """A word many company names share: the matcher's common words, COMMON_WORDS, or a typo of a long one."""
    if is_generic(word) or word in COMMON_WORDS:
        return True
    if len(word) < 7 or not word.isascii():
        return False
    return process.extractOne(word, _COMMON_LIST, scorer=fuzz.ratio, score_cutoff=88) is not None


@dataclass
class SearchKeys:
    """What is looked up for the company searched for."""

    domain: str = ""
    exact: set[str] = field(default_factory=set)  # name keys
    compact: set[str] = field(default_factory=set)  # the same without spaces
    core: str = ""  # the distinctive part without spaces
    shorter: set[str] = field(default_factory=set)  # names made of some of its words
    distinctive: list[str] = field(default_factory=list)  # its words that are not common words (the matcher's)
    tokens: list[str] = field(default_factory=list)  # the words of its name key
    order_key: str = ""  # similarity to this orders the rows found
    also: set[str] = field(default_factory=set)  # name keys it may be written as: its acronyms, other spellings
    initials: str = ""  # an acronym name ('IBM'): the names of those initials are searched (PostgreSQL)
    country: str = ""  # rows of this country rank a little higher


def _shorter_names(tokens: list[str]) -> set[str]:
    """The names made of some of the words, in their order, that the matcher could find inside this one: with a
    distinctive part of 4 letters or more ('norvex robotics' → 'norvex', 'robotics')."""
    if not 1 < len(tokens) <= MAX_SUBSET_WORDS:
        return set()
    found = set()
    for size in range(1, len(tokens)):
        for words in combinations(tokens, size):
            if sum(len(w) for w in words if not is_generic(w)) >= 4:
                found.add(" ".join(words))
    return found


def _groups(distinctive: list[str], tokens: list[str], common=is_common) -> tuple[list[list[str]], bool]:
    """The groups of words of fuzzy search (a name must hold a word like one of each group), and whether they are
    rare words (whose common neighbours are then not searched); see the module docstring."""
    rare = [w for w in distinctive if not common(w)]
    if len(rare) > 1:
        rare = [w for w in rare if len(w) > 2] or rare  # "A1 Norvex": norvex
    if rare:  # "Norvex Robotics": norvex
        return [rare[:MAX_WORDS]], True
    if len(distinctive) > 1:  # "London Dental Care": london and dental
        return [[w] for w in distinctive[:MAX_WORDS]], False
    others = [t for t in tokens if t not in distinctive][:MAX_WORDS]
    if distinctive and others:  # "Apex Robotics Group": robotics, and apex or group
        return [distinctive, others], False
    if distinctive or len(tokens) > 1:  # "Robotics Inc": robotics; "Global Services": global and services
        return [[t] for t in (distinctive or tokens)[:MAX_WORDS]], False
    return [], False  # one common word: the matcher finds only the same name again, which the exact keys do


def search_keys(name: str, website: str = "") -> SearchKeys:
    """The keys find_candidates() looks up for a company (name and website as typed)."""
    try:
        domain = registrable_domain(website or "")
    except (ValueError, UnicodeError):
        domain = ""
    if domain in IGNORED_DOMAINS:
        domain = ""
    stored_key = normalize_company_name(name or "")[:200]
    exact = {k for k in (stored_key, normalize_name(name or "")[:200]) if k}
    distinctive = list(dict.fromkeys(distinctive_words(name or "")))
    tokens = list(dict.fromkeys(stored_key.split()))
    core = "".join(distinctive)
    # "International Business Machines" may be stored as "IBM", "比亚迪" as "BYD", "Яндекс" as "Yandex".
    also = acronym_forms(name or "") | ({han} if len(han := han_initials(name or "")) >= 2 else set())
    if has_han(name or ""):  # kanji read either way: '任天堂' may be stored as 'Nintendo' or as 'Rentiantang'
        also |= {normalize_company_name(name, japanese=True)[:200], normalize_company_name(name)[:200]} - {""}
    if len(tokens) <= 2 and connection.vendor != "postgresql":  # PostgreSQL finds other spellings word by word
        also |= {" ".join(words) for words in _respelled(tokens)}
    initials = short_form(name or "")
    return SearchKeys(
        domain=domain,
        exact=exact,
        compact={k.replace(" ", "") for k in exact},
        core=core if len(core) >= 4 else "",
        shorter=_shorter_names(tokens) - exact,
        distinctive=distinctive[:MAX_WORDS],
        tokens=tokens[:MAX_WORDS],
        order_key=stored_key,
        also=also - exact,
        initials=initials if len(initials) >= 3 else "",
    )


def _respelled(tokens: list[str]) -> list[list[str]]:
    """The name with one of its words written another way transliteration could ('yandex' → 'yandeks')."""
    return [
        [*tokens[:i], variant, *tokens[i + 1 :]]
        for i, w in enumerate(tokens)
        if not is_common(w)
        for variant in spelling_variants(w, limit=SPELLINGS)
    ]


def deletions(word: str) -> set[str]:
    """The word less one letter, each way, as `dealreg_word_variants()` of migration 0004 computes them."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))} if len(word) > 2 else set()


def word_groups(keys: SearchKeys) -> list[list[str]]:
    """The groups of words of fuzzy search, each word with the stored words one typo away (a letter more, less,
    changed, or two swapped) and close enough (rapidfuzz ratio ≥ TYPO_AT); for a rare word of 10 letters or more,
    also those a typo on each side apart ("blorvantics" / "blorvantix"). One query on the vocabulary (PostgreSQL;
    elsewhere the words alone): exact lookups of variants, the word and its deletions (a stored word one typo away
    is a deletion of the word, or the word is one of its deletions, or they share one). Then how many stored names
    hold the rare words and those found like them, up to POPULAR_NAMES + 1 (a second query).

    A word held by more than POPULAR_NAMES names (or one typo away from one) is searched as a common word is: it
    does not tell one company from hundreds ("Phoenix"), so "Phoenix Moltexa" reads the Moltexa names, and
    "Phoenix Technologies" the names holding both words. Common words close to a rare word are not searched:
    "Roboticz" must not read every robotics company."""
    words = sorted(set(keys.distinctive) | set(keys.tokens))
    if not words or connection.vendor != "postgresql":
        return _groups(keys.distinctive, keys.tokens)[0]
    counted = [w for w in keys.distinctive if not is_common(w)]  # the others are common words already

    def variants(of: list[str], *, twice: bool = False) -> list[str]:
        found = set(of).union(*(deletions(w) for w in of))
        if twice:  # less two letters too: a stored word less one that is one of these is two typos away (long
            # words only: in shorter ones two typos leave too little for the matcher to find the names similar);
            # and the words of the same skeleton, written another way by transliteration ('yandex' finds
            # 'yandeks', Яндекс; 'quarix' finds 'kvariks'), marked '~' among the stored words' variants
            found = found.union(*(deletions(d) for w in of if len(w) >= 10 for d in deletions(w)))
            found |= {f"~{skeleton(w)}" for w in of}
        return sorted(found)

    with connection.cursor() as cursor:
        others = sorted(set(words) - set(counted))
        cursor.execute(
            "SELECT dealreg_words_near(%s::text[])", [sorted({*variants(counted, twice=True), *variants(others)})]
        )
        stored = [row[0] for row in cursor.fetchall()]
        typos: dict[str, set[str]] = {w: {w} for w in words}
        for word in words:
            typos[word].update(
                other
                for other in stored
                if fuzz.ratio(word, other) >= TYPO_AT
                or skeleton(word) == skeleton(other)  # 'yandeks' / 'yandex'
                or (min(len(word), len(other)) >= 5 and OSA.distance(word, other) <= 1)  # 'brluy' / 'bruly'
            )
        # How many names hold the rare words and the words like them (up to POPULAR_NAMES + 1).
        popular: set[str] = set()
        if near := sorted(set().union(*(typos[w] for w in counted))):
            cursor.execute(
                "SELECT w.word FROM unnest(%s::text[]) AS w(word) WHERE (SELECT count(*) FROM (SELECT FROM "
                "dealreg_namekey n WHERE string_to_array(n.name_key, ' ') @> ARRAY[w.word] LIMIT %s) AS held) > %s",
                [near, POPULAR_NAMES + 1, POPULAR_NAMES],
            )
            popular = {row[0] for row in cursor.fetchall()}
    groups, rare = _groups(keys.distinctive, keys.tokens, common=lambda w: is_common(w) or bool(typos[w] & popular))
    if rare:
        for word in words:
            typos[word] = {w for w in typos[word] if w == word or not (is_common(w) or w in popular)}
    return [sorted(set().union(*(typos[w] for w in group))) for group in groups]


def _names(keys: SearchKeys, groups: list[list[str]]) -> dict[str, bool]:
    """The stored names (`dealreg_namekey`, migration 0004) equal to the name or its distinctive part without
    spaces, or holding a word of each group: the NAMES most similar, each with whether it is the name itself
    without spaces (an exact hit)."""
    conditions, params = [], []
    if compact := keys.compact | ({keys.core} if keys.core else set()):
        conditions.append("replace(name_key, ' ', '') = ANY(%s)")
        params.append(sorted(compact))
    if groups:
        conditions.append(" AND ".join(["string_to_array(name_key, ' ') && %s::text[]"] * len(groups)))
        params += groups
    parts, part_params = [], []
    if conditions:
        where = " OR ".join(f"({c})" for c in conditions)  # fixed fragments: the values go as parameters
        parts.append(
            "(SELECT name_key, replace(name_key, ' ', '') = ANY(%s) AS compact, 0 AS via FROM dealreg_namekey "  # noqa: S608
            f"WHERE {where} ORDER BY compact DESC, similarity(name_key, %s) DESC, name_key LIMIT %s)"
        )
        part_params += [sorted(keys.compact), *params, keys.order_key, NAMES]
    if keys.initials:  # "IBM": names of those initials, and of a few common words more (ANZ … Banking Group)
        parts.append(
            "(SELECT name_key, false, 1 FROM dealreg_namekey WHERE name_key LIKE '%% %%' "
            'AND dealreg_initials(name_key) COLLATE "C" LIKE %s AND length(dealreg_initials(name_key)) <= %s '
            'ORDER BY dealreg_initials(name_key) COLLATE "C", name_key LIMIT %s)'
        )
        part_params += [keys.initials + "%", len(keys.initials) + 3, INITIALS_NAMES]
    if not parts:
        return {}
    found: dict[str, bool] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), part_params)
        for name_key, compact, _ in sorted(cursor.fetchall(), key=lambda row: row[2]):
            found.setdefault(name_key, compact)
    return found


def _prefix(name: str, stored_key: str) -> str:
    """The first distinctive word of the stored key ('Apex Clearing Corp' → 'clearing'), else its first word."""
    words = stored_key.split()
    distinctive = set(distinctive_words(name))
    for word in words:
        if word in distinctive or not is_generic(word):
            return word
    return words[0] if words else ""


MATCHED_FIELDS = ("pk", "name", "domain", "country")  # what the matcher reads (the registrable domain suffices)


def _filters(model, exclude_partner_id: int | None, exclude_registration_id: int | None) -> tuple[str, list]:
    """SQL conditions for the rows candidate search may return: other partners' active registrations."""
    if model is not Registration:
        return "", []
    statuses = ", ".join(f"'{status}'" for status in Registration.ACTIVE)  # constants: the partial indexes' predicate
    sql, params = f" AND status IN ({statuses})", []
    if exclude_partner_id is not None:
        sql, params = sql + " AND partner_id <> %s", [*params, exclude_partner_id]
    if exclude_registration_id is not None:
        sql, params = sql + " AND id <> %s", [*params, exclude_registration_id]
    return sql, params


def _search(
    model,
    *,
    name: str,
    keys: SearchKeys,
    names: dict[str, bool],
    exclude_partner_id: int | None = None,
    exclude_registration_id: int | None = None,
) -> list[dict]:
    """The name, domain and country of at most CANDIDATES_PER_MODEL rows, exact hits (same name, same domain)
    first, then the most similar: only what the matcher reads, so that the rows it turns down cost little.
    On PostgreSQL, one query of exact lookups: by name key on the covering indexes of migration 0004 (the rows of a
    popular name are ranked on the index alone, without reading the table), and by domain."""
    exact = keys.exact | {key for key, compact in names.items() if compact}
    if connection.vendor != "postgresql":
        queryset = model.objects.all()
        if model is Registration:
            queryset = queryset.filter(status__in=Registration.ACTIVE)
            if exclude_partner_id is not None:
                queryset = queryset.exclude(partner_id=exclude_partner_id)
            if exclude_registration_id is not None:
                queryset = queryset.exclude(pk=exclude_registration_id)
        hit = Q(name_key__in=exact) if exact else Q(pk__in=[])
        if keys.domain:
            hit |= Q(domain=keys.domain)
        condition = hit | Q(name_key__in=keys.also) if keys.also else hit
        if prefix := _prefix(name, keys.order_key) if keys.order_key else "":
            condition |= Q(name_key__gte=prefix, name_key__lt=prefix + "\uffff")
        exactness = Case(When(hit, then=Value(True)), default=Value(False), output_field=BooleanField())
        queryset = queryset.filter(condition).annotate(exact=exactness)
        queryset = queryset.order_by(F("exact").desc(), F("name_key").asc(), F("pk").asc())
        return list(queryset.values(*MATCHED_FIELDS)[:CANDIDATES_PER_MODEL])

    table = model._meta.db_table
    where, params = _filters(model, exclude_partner_id, exclude_registration_id)
    exactness, ranked_params = "name_key = ANY(%s)", [sorted(exact)]
    if keys.domain:
        exactness, ranked_params = "(name_key = ANY(%s) OR domain = %s)", [sorted(exact), keys.domain]
    # Table names and fixed fragments only: the values go as parameters.
    # Same country: a little more alike (among the many names of an acronym's initials, first).
    ranked = f"SELECT id, name, domain, country, {exactness} AS exact, "
    ranked += f"similarity(name_key, %s) + CASE WHEN country = %s THEN 0.2 ELSE 0 END AS similarity FROM {table}"
    ranked_params += [keys.order_key, keys.country]
    limit = " ORDER BY exact DESC, similarity DESC, id LIMIT %s"
    parts = [f"({ranked} WHERE name_key = ANY(%s){where}{limit})"]
    part_params = [*ranked_params, sorted(exact | keys.shorter | keys.also | set(names)), *params, CANDIDATES_PER_MODEL]
    if keys.domain:
        parts.append(f"({ranked} WHERE domain = %s{where}{limit})")
        part_params += [*ranked_params, keys.domain, *params, CANDIDATES_PER_MODEL]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, name, domain, country FROM ({' UNION '.join(parts)}) AS found{limit}",  # noqa: S608
            [*part_params, CANDIDATES_PER_MODEL],
        )
        return [dict(zip(MATCHED_FIELDS, row, strict=True)) for row in cursor.fetchall()]


def _company(row: dict) -> Company:
    return Company(name=row["name"], domain=row["domain"], country=str(row["country"] or ""))


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
    matcher finds the same as, or possibly the same as, this company: best first, at most `limit`. At most seven
    bounded queries: the words and how many names hold them, the names, per model the rows to judge, and the full
    rows of those kept."""
    keys = search_keys(name, website)
    keys.country = (country or "").strip().upper()
    if not keys.domain and not keys.exact:
        return []
    names = _names(keys, word_groups(keys)) if connection.vendor == "postgresql" else {}
    probe = Company(name=name or "", domain=website or "", country=country or "")
    results: dict[Company, MatchResult] = {}
    kept: list[tuple[MatchResult, str, int]] = []
    excluded = {"exclude_partner_id": exclude_partner_id, "exclude_registration_id": exclude_registration_id}
    for kind, model in (("registration", Registration), ("account", Account)):
        for row in _search(model, name=name, keys=keys, names=names, **excluded):
            company = _company(row)
            if company not in results:  # the same customer registered by several partners is judged once
                results[company] = match(probe, company)
            if results[company].verdict != "different":
                kept.append((results[company], kind, row["pk"]))
    kept.sort(key=lambda k: (k[0].rank, -k[0].score, k[1], k[2]))
    kept = kept[: max(limit, 0)]
    full = {  # without related rows: partner_id is what callers read
        "registration": Registration.objects.in_bulk([pk for _, kind, pk in kept if kind == "registration"]),
        "account": Account.objects.in_bulk([pk for _, kind, pk in kept if kind == "account"]),
    }
    return [Candidate(kind=kind, obj=full[kind][pk], result=result) for result, kind, pk in kept if pk in full[kind]]
