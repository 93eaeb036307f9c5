"""Generated deal-registration data for the benchmark (`python manage.py bench_dealreg`).

Realistic companies built from vocabularies, deterministic for a seed:
- brand words made of syllables ("Norvex", "Kalbrio"), never one of the matcher's common words, as shared as the
  distinctive words of real company names are: a quarter come from 2,000 popular words, Zipf-like (the most
  popular in about 1 company in 700, as "Phoenix" is in the UK register; the 100th in 1 in 2,000; the last in 1 in
  30,000), a third from 50,000 less common ones (a few companies each in 400,000), the rest are the company's own
  ("Initech", "Zendesk"). A company named by its brand alone never takes a popular word for it: a registry refuses
  a name already taken, so "Phoenix Ltd" is a handful of companies worldwide, not a hundred in 400,000.
  (Until November 2026 every brand came from 2,000 words: each was shared by some 270 companies and made hundreds
  of registrations of unrelated companies "possibly the same" as any new one, which real data does not do.)
- common business words ("Systems", "Logistics", "Health", "Group", "United"...), which unrelated companies share;
- a country per company, with its legal suffixes (GmbH, Ltd, SAS, B.V., K.K., Pvt Ltd...) and web endings
  (.de, .co.uk, .fr, .io...); the domain is derived from the brand.

The stored match keys (`name_key`, `domain`) are computed with prm.names exactly as the models' save() does,
once per distinct string. On PostgreSQL rows go in with COPY (psycopg 3), with the secondary indexes of the big
tables dropped during the load and rebuilt after it (then VACUUM and ANALYZE); the statement triggers of
dealreg migration 0004 add the new names and words to candidate search's name tables as for any insert.
Elsewhere (SQLite, tiny test runs) with bulk_create.

Company `i` of the universe is the same company whatever the sizes asked for, so a small load is a prefix of a big
one: the benchmark loads the 10,000-registration scenario first, measures, then grows the same database.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import accumulate
from multiprocessing import Pool

from django.db import connection, transaction
from django.utils import timezone

from dealreg.matching import GENERIC_WORDS
from prm.names import normalize_company_name, registrable_domain

ONSETS = "b c d f g h j k l m n p r s t v w z br cr dr fr gr kr pr tr st sk sp bl cl fl gl pl sl vr zh th ch sh qu"
VOWELS = "a e i o u a e i o ai ea io ou y"
CODAS = " n r s x l m t k nd rt rk lt st nt ks"
ENDINGS = "a o ex ix on en ar or is us ia io um ra ro ta to va vo ly ity"

GENERIC = [
    "Systems",
    "Logistics",
    "Health",
    "Group",
    "Solutions",
    "Technologies",
    "Foods",
    "Energy",
    "Analytics",
    "Robotics",
    "Pharma",
    "Labs",
    "Media",
    "Capital",
    "Partners",
    "Industries",
    "Networks",
    "Software",
    "Consulting",
    "Retail",
    "Motors",
    "Bank",
    "Insurance",
    "Engineering",
    "Design",
    "Construction",
    "Digital",
    "Data",
    "Cloud",
    "Security",
    "Medical",
    "Trading",
    "Manufacturing",
    "Ventures",
    "Services",
    "Holdings",
]
PREFIXES = [
    "United",
    "General",
    "Global",
    "International",
    "First",
    "National",
    "Premier",
    "Royal",
    "Advanced",
    "Pacific",
    "Northern",
    "Metro",
]

COUNTRIES = {
    # code: (weight, legal suffixes, web endings)
    "US": (30, ["Inc", "Inc.", "LLC", "Corp", "Corporation", "Co."], ["com", "com", "io", "us", "net"]),
    "GB": (12, ["Ltd", "Limited", "PLC", "LLP"], ["co.uk", "co.uk", "com", "io"]),
    "DE": (12, ["GmbH", "AG", "GmbH & Co. KG", "SE"], ["de", "de", "com"]),
    "FR": (8, ["SA", "SAS", "SARL"], ["fr", "fr", "com"]),
    "NL": (5, ["B.V.", "N.V."], ["nl", "com"]),
    "ES": (5, ["S.L.", "S.A."], ["es", "com"]),
    "IT": (5, ["S.p.A.", "S.r.l."], ["it", "com"]),
    "SE": (3, ["AB"], ["se", "com"]),
    "JP": (5, ["K.K.", "Co., Ltd."], ["co.jp", "jp", "com"]),
    "IN": (7, ["Pvt Ltd", "Private Limited", "Ltd"], ["in", "co.in", "com"]),
    "AU": (4, ["Pty Ltd", "Ltd"], ["com.au", "com"]),
    "CA": (4, ["Inc.", "Ltd", "Corp"], ["ca", "com"]),
}
COUNTRY_CODES = list(COUNTRIES)
COUNTRY_WEIGHTS = [COUNTRIES[c][0] for c in COUNTRY_CODES]
INDUSTRIES = [
    "Manufacturing",
    "Retail",
    "Healthcare",
    "Finance",
    "Logistics",
    "Energy",
    "Software",
    "Education",
    "Government",
    "Media",
]
PRODUCTS = ["Platform", "Analytics", "Security", "Platform, Analytics", "Support", "Platform, Support"]
FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Eva",
    "Farid",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kim",
    "Lena",
    "Marco",
    "Nina",
    "Omar",
    "Paula",
    "Rui",
    "Sara",
    "Tom",
    "Yuki",
]
LAST = [
    "Schmidt",
    "Martin",
    "Rossi",
    "Garcia",
    "Smith",
    "Tanaka",
    "Kumar",
    "Novak",
    "Jensen",
    "Dubois",
    "Silva",
    "Brown",
    "Weber",
    "Costa",
    "Lee",
    "Müller",
]

# Registration statuses, mostly active so candidate search sees them.
STATUS_WEIGHTS = {
    "submitted": 35,
    "approved": 40,
    "needs_info": 5,
    "draft": 5,
    "rejected": 5,
    "won": 4,
    "lost": 3,
    "expired": 3,
}


def _syllable(rng: random.Random) -> str:
    return rng.choice(ONSETS.split()) + rng.choice(VOWELS.split()) + rng.choice(CODAS.split(" "))


def invented_word(rng: random.Random) -> str:
    """A pronounceable brand word, never a common business word (so it is distinctive)."""
    while True:
        word = "".join(_syllable(rng) for _ in range(rng.choice((1, 2, 2, 2, 3)))) + rng.choice(ENDINGS.split())
        if 4 <= len(word) <= 12 and word not in GENERIC_WORDS:
            return word.capitalize()


def brand_words(count: int, seed: int, *, besides: frozenset[str] = frozenset()) -> list[str]:
    """`count` distinct brand words, none of them in `besides`."""
    rng = random.Random(seed)
    words: dict[str, None] = {}
    while len(words) < count:
        word = invented_word(rng)
        if word not in besides:
            words[word] = None
    return list(words)


POPULAR_SHARE = 0.25  # of brand words taken from the popular words
LESS_COMMON_SHARE = 0.35  # from the less common ones; the rest are invented for the company


@dataclass(frozen=True)
class Company:
    core: str  # the name without its legal form: "Norvex Logistics"
    name: str  # as written on its website: "Norvex Logistics GmbH"
    website: str
    country: str
    brand: str


class Universe:
    """Company `i`, the same for a seed whatever else is asked for."""

    def __init__(self, seed: int = 42, popular: int = 2000, less_common: int = 50_000) -> None:
        self.seed = seed
        self.popular = brand_words(popular, seed)
        self.popular_weights = list(accumulate(1 / (rank + 50) for rank in range(popular)))  # cumulative, Zipf-like
        self.popular_set = frozenset(self.popular)
        self.less_common = brand_words(less_common, seed + 1, besides=frozenset(self.popular))

    def brand(self, rng: random.Random, *, popular: bool = True) -> str:
        draw = rng.random()
        if popular and draw < POPULAR_SHARE:
            return rng.choices(self.popular, cum_weights=self.popular_weights)[0]
        if draw < POPULAR_SHARE + LESS_COMMON_SHARE:
            return rng.choice(self.less_common)
        return invented_word(rng)

    def company(self, i: int) -> Company:
        rng = random.Random(self.seed * 1_000_003 + i)
        brand = self.brand(rng)
        shape = rng.random()
        if shape < 0.35:
            core = f"{brand} {rng.choice(GENERIC)}"
        elif shape < 0.55:
            core = f"{brand} {self.brand(rng)} {rng.choice(GENERIC)}"
        elif shape < 0.70:
            core = f"{rng.choice(PREFIXES)} {brand} {rng.choice(GENERIC)}"
        elif shape < 0.85:
            core = f"{brand} {self.brand(rng)}"
        else:  # the brand alone: registries refuse a name already taken, so not a popular word ("Phoenix")
            core = brand if brand not in self.popular_set else self.brand(rng, popular=False)
        country = rng.choices(COUNTRY_CODES, COUNTRY_WEIGHTS)[0]
        _, suffixes, endings = COUNTRIES[country]
        name = f"{core} {rng.choice(suffixes)}" if rng.random() < 0.75 else core
        slug = "".join(core.lower().split()) if rng.random() < 0.5 else "-".join(core.lower().split())
        website = f"https://www.{slug}.{rng.choice(endings)}" if rng.random() < 0.85 else ""
        return Company(core=core, name=name, website=website, country=country, brand=brand)


def _keys(pair: tuple[str, str]) -> tuple[str, str]:
    name, website = pair
    return normalize_company_name(name)[:200], registrable_domain(website)


class KeyCache:
    """name → name_key and website → domain, as the models compute them, once per distinct string; big batches
    are computed on every core."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.domains: dict[str, str] = {}

    def fill(self, pairs: list[tuple[str, str]]) -> None:
        todo = list(dict.fromkeys((n, w) for n, w in pairs if n not in self.names or (w and w not in self.domains)))
        if len(todo) > 20_000:
            with Pool() as pool:
                results = pool.map(_keys, todo, chunksize=2000)
        else:
            results = [_keys(p) for p in todo]
        for (name, website), (key, domain) in zip(todo, results, strict=True):
            self.names[name] = key
            self.domains[website] = domain

    def name_key(self, name: str) -> str:
        if name not in self.names:
            self.names[name] = normalize_company_name(name)[:200]
        return self.names[name]

    def domain(self, website: str) -> str:
        if website not in self.domains:
            self.domains[website] = registrable_domain(website)
        return self.domains[website]


def registration_company_index(universe: Universe, j: int, accounts: int, registrations: int) -> tuple[int, bool]:
    """The universe index of the customer of registration `j`, and whether the partner typed its name in full.
    Six in ten registrations are of known accounts (account `i` is company `i`), the others of companies the
    startup does not know (about two registrations each)."""
    rng = random.Random(universe.seed * 7_919 + j)
    # Registration j only names accounts and companies that exist by then (accounts grow with registrations), so
    # the first n registrations of a plan are a plan of their own.
    if rng.random() < 0.6 and accounts:
        index = rng.randrange(max(1, accounts * (j + 1) // registrations))
    else:
        index = 10_000_000 + rng.randrange(max(1, (j + 1) // 5))
    return index, rng.random() < 0.8


def registration_company(universe: Universe, j: int, accounts: int, registrations: int) -> tuple[Company, str]:
    """The customer of registration `j` and the name the partner typed: a few leave out the legal form (or the
    website, see registration_rows)."""
    index, in_full = registration_company_index(universe, j, accounts, registrations)
    company = universe.company(index)
    return company, company.name if in_full else company.core


def _stamp(rng: random.Random, now, status: str) -> dict:
    created = now - timedelta(days=rng.randint(1, 400), seconds=rng.randint(0, 86_400))
    row = {
        "created_at": created,
        "updated_at": created,
        "submitted_at": None,
        "decision_due_at": None,
        "decided_at": None,
        "protected_until": None,
        "closed_at": None,
        "won_amount": None,
        "has_priority": False,
    }
    if status != "draft":
        row["submitted_at"] = created + timedelta(hours=1)
        row["decision_due_at"] = created + timedelta(days=2)
        row["has_priority"] = rng.random() < 0.7
    if status in ("approved", "rejected", "won", "lost", "expired"):
        row["decided_at"] = created + timedelta(days=1)
    if status == "approved":
        row["protected_until"] = now + timedelta(days=rng.randint(1, 90))
    if status == "expired":
        row["protected_until"] = now - timedelta(days=rng.randint(1, 90))
    if status in ("won", "lost"):
        row["closed_at"] = created + timedelta(days=60)
    if status == "won":
        row["won_amount"] = Decimal(rng.randrange(5_000, 500_000))
    return row


def account_rows(universe: Universe, keys: KeyCache, start: int, stop: int) -> Iterator[dict]:
    now = timezone.now()
    for i in range(start, stop):
        c = universe.company(i)
        rng = random.Random(i)
        yield {
            "name": c.name,
            "website": c.website,
            "country": c.country,
            "name_key": keys.name_key(c.name),
            "domain": keys.domain(c.website),
            "industry": rng.choice(INDUSTRIES),
            "size": rng.choice(("smb", "midmarket", "enterprise")),
            "is_named_account": rng.random() < 0.05,
            "is_customer": rng.random() < 0.10,
            "account_owner": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "created_by_id": None,
            "created_at": now,
            "updated_at": now,
        }


def registration_rows(
    universe: Universe, keys: KeyCache, start: int, stop: int, *, accounts: int, registrations: int, partners: list
) -> Iterator[dict]:
    now = timezone.now()
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    for j in range(start, stop):
        company, typed = registration_company(universe, j, accounts, registrations)
        rng = random.Random(j)
        status = rng.choices(statuses, weights)[0]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        stage = rng.choice(("discovery", "poc", "proposal", "negotiation"))
        row = {
            "name": typed,
            "website": company.website if rng.random() < 0.9 else "",
            "country": company.country,
            "partner_id": rng.choice(partners),
            "created_by_id": None,
            "account_id": None,
            "contact_name": f"{first} {last}",
            "contact_email": f"{first.lower()}.{last.lower()}@example.com",
            "contact_title": "Head of IT",
            "products": rng.choice(PRODUCTS),
            "value": Decimal(rng.randrange(5_000, 500_000)),
            "currency": "USD",
            "expected_close": (now + timedelta(days=rng.randint(10, 200))).date(),
            "stage": "won" if status == "won" else "lost" if status == "lost" else stage,
            "passed_poc": stage == "poc",
            "involvement": rng.choice(("sourced", "influenced", "fulfilled", "cosell")),
            "notes": "",
            "status": status,
            "has_conflict": rng.random() < 0.1,
            "decided_by_id": None,
            "decision_reason": "",
            "extensions_used": 0,
            **_stamp(rng, now, status),
        }
        row["name_key"] = keys.name_key(row["name"])
        row["domain"] = keys.domain(row["website"])
        yield row


def prefetch_keys(
    universe: Universe,
    keys: KeyCache,
    *,
    accounts: tuple[int, int],
    registrations: tuple[int, int],
    total_accounts: int,
    total_registrations: int,
) -> None:
    """Compute the match keys of everything about to be loaded, on all cores."""
    pairs = [(c.name, c.website) for c in (universe.company(i) for i in range(*accounts))]
    for j in range(*registrations):
        company, typed = registration_company(universe, j, total_accounts, total_registrations)
        pairs.append((typed, company.website))
    keys.fill(pairs)


# --- loading -------------------------------------------------------------------------------------------------------


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, definition) of the table's indexes that back no constraint (the primary key stays)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.schemaname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [table],
        )
        return cursor.fetchall()


def copy_rows(model, rows: Iterator[dict]) -> int:
    """COPY the rows into the model's table with its secondary indexes dropped, then rebuild them."""
    table = model._meta.db_table
    columns = _columns(model)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    attnames = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}  # fields the generator does not know of
    indexes = _secondary_indexes(table)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[a] if a in row else defaults[a] for a in attnames])
                count += 1
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in indexes:
            cursor.execute(definition)
    return count


def insert_rows(model, rows: Iterator[dict]) -> int:
    objs = [model(**row) for row in rows]
    model.objects.bulk_create(objs, batch_size=1000)
    return len(objs)


def load(model, rows: Iterator[dict]) -> int:
    if connection.vendor == "postgresql":
        return copy_rows(model, rows)
    return insert_rows(model, rows)


def analyze() -> None:
    """Statistics for the planner, and the state a database is in after a while in production: VACUUM sets the
    hint bits and the visibility map. Without it the first queries to touch freshly copied rows write them all
    back (seconds per check at a million rows), which measures the bulk load rather than the check. The partners
    and the name tables of candidate search (filled by trigger) too: autovacuum would have, and it may be off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM (FREEZE, ANALYZE) dealreg_account, dealreg_registration, dealreg_directopportunity, "
                "dealreg_namekey, dealreg_nameword, partners_partner"
            )


# --- probes --------------------------------------------------------------------------------------------------------


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:  # swap two letters
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:  # drop one
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]  # double one


def cyrillic(word: str) -> str:
    """A Latin word in Cyrillic letters, as a Russian speaker might write a foreign brand: 'Norvex' → 'Норвекс'."""
    text = word.lower()
    for latin, letters in (("shch", "щ"), ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("kh", "х"), ("th", "т")):
        text = text.replace(latin, letters)
    text = text.replace("qu", "кв").replace("x", "кс")
    table = str.maketrans(dict(zip("abvgdezijklmnoprstufhcyw", "абвгдезийклмнопрстуфхкйв", strict=True)))
    return text.translate(table).capitalize()


def probes(universe: Universe, count: int, *, loaded: int, accounts: int, registrations: int, seed: int) -> list[dict]:
    """New registrations to check: half of companies already stored (one of the `loaded` first registrations of
    the plan, written as is, with another legal form, without one, with a typo in the brand, in lower case, with
    another web ending or no website; "company" is its universe index), half new companies (drawn as the stored
    ones are: they share popular words with stored companies, and now and then are one of them)."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        if n % 2 == 0:
            index, _ = registration_company_index(universe, rng.randrange(loaded), accounts, registrations)
            company = universe.company(index)
            _, suffixes, endings = COUNTRIES[company.country]
            variant = rng.random()
            website = company.website
            if website and rng.random() < 0.3:
                website = website.rsplit(".", 1)[0] + "." + rng.choice(endings).rsplit(".", 1)[-1]
            elif rng.random() < 0.2:
                website = ""
            kind = "spelling"
            words = company.core.split()
            if variant < 0.15:
                name = company.name
            elif variant < 0.3:
                name = f"{company.core} {rng.choice(suffixes)}"
            elif variant < 0.42:
                name = company.core
            elif variant < 0.65 or (variant < 0.88 and len(words) < 3):
                name = company.name.replace(company.brand, _typo(rng, company.brand), 1)
            elif variant < 0.75:
                name = company.name.lower()
            elif variant < 0.88:  # its acronym, no website: "NTS" for "Norvex Talpo Systems GmbH"
                name, website, kind = "".join(w[0] for w in words).upper(), "", "acronym"
            else:  # its brand in Cyrillic letters, no website: "Норвекс Logistics GmbH"
                name, website, kind = company.name.replace(company.brand, cyrillic(company.brand), 1), "", "script"
            out.append(
                {
                    "name": name,
                    "website": website,
                    "country": company.country,
                    "known": True,
                    "company": index,
                    "kind": kind,
                }
            )
        else:
            company = universe.company(20_000_000 + n + seed * 10_000)
            out.append({"name": company.name, "website": company.website, "country": company.country, "known": False})
    return out
