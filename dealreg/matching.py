"""The account matcher: are two companies (name, domain, country) the same customer?

Pure functions, no ORM and no network. `match(a, b)` returns a verdict, a score and reasons in plain words.

How a company is read
- Name: case, accents, punctuation, apostrophes, "&"/"and", a leading "the" and legal suffixes from many countries
  (cleanco, plus the spelled-out forms it misses: Aktiengesellschaft, Kabushiki Kaisha, Limited Liability
  Company...) go. Non-Latin letters are kept. The *distinctive part* is the name without common business words
  (United, General, Global, Apex, International, Systems, Solutions, Group, Holdings, Services, Bank, Health...; a
  typo of a long common word counts as that word). Two names are compared on their distinctive parts, so a shared
  common word never makes two companies one.
- Domain: a URL, an email address or a bare domain, reduced to its registrable domain (shop.acme.co.uk →
  acme.co.uk). Free-mail and hosting/platform domains (gmail.com, github.io, herokuapp.com...) are no evidence.
- Country: an ISO 3166 code as stored by the app ("UK" is read as GB); other text is compared case-insensitively.

Verdict rules, in order (score: same 85–100, possible 50–84, different 0–49)
1. Same registrable domain → same (whatever the countries: one company, offices in many); but if both names are
   given and clearly differ → possible.
2. Names equal after normalisation (also ignoring spacing: "Micro Soft" = "Microsoft"):
   - with a distinctive part: same, or possible when the countries are both known and differ;
   - made only of common words ("Global Services"): possible, or different when the countries differ.
3. Same distinctive part with other words differing ("Acme Systems" / "Acme Solutions"), a high fuzzy score on the
   distinctive parts (≥ 85: typos), or all the words of one name inside the other ("Siemens" / "Siemens
   Healthineers": a subsidiary?) → possible; same country raises the score, different countries lower it.
4. Same domain name under different endings (acme.com / acme.de) with a name missing on one side → possible.
5. Anything else → different. Nothing to compare (no name and no usable domain on a side) → different, score 0.

The verdict is symmetric: match(a, b) == match(b, a), reasons included.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from cleanco import basename
from rapidfuzz import fuzz, process

from prm.names import FREEMAIL_DOMAINS, registrable_domain

Verdict = Literal["same", "possible", "different"]

# Platforms whose customers live on subdomains (and social profiles given as a website): two sites there share
# the registrable domain and nothing else.
_HOSTING_TEXT = """
    github.io gitlab.io herokuapp.com wixsite.com blogspot.com wordpress.com netlify.app vercel.app
    azurewebsites.net cloudfront.net amazonaws.com appspot.com web.app firebaseapp.com myshopify.com sharepoint.com
    squarespace.com weebly.com webflow.io pages.dev workers.dev godaddysites.com carrd.co notion.site substack.com
    medium.com linkedin.com facebook.com google.com sites.google.com
"""
HOSTING_DOMAINS = frozenset(_HOSTING_TEXT.split())
IGNORED_DOMAINS = FREEMAIL_DOMAINS | HOSTING_DOMAINS

# Words many unrelated companies share. A name made only of these has no distinctive part.
_GENERIC_TEXT = """
    united general global apex international intl systems system solutions solution group groups technologies
    technology tech holdings holding services service bank banks banking bancorp health healthcare first national
    american new world worldwide universal consulting consultants consultancy partners associates
    industries industrial enterprises enterprise capital financial finance management software digital data
    networks network communications media energy medical pharma pharmaceuticals logistics trading manufacturing
    products resources development ventures labs laboratories of for at in on de la le les des du del da di do dos
    das van von der den north south east west northern southern eastern western central pacific atlantic asia
    asian europe european euro continental premier prime royal standard advanced integrated innovative innovations
    creative smart alpha summit pinnacle star best great metro city state federal mutual trust insurance
    investments investment realty properties property construction engineering design marketing research cloud
    security secure business commercial corporate home care life one
"""
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split())
_GENERIC_LIST = sorted(GENERIC_WORDS)

# Legal forms cleanco does not strip, as token sequences (after punctuation is gone), removed from the end.
_LEGAL_SUFFIX_TEXT = """
aktiengesellschaft, kommanditgesellschaft, gesellschaft mit beschrankter haftung, kabushiki kaisha, kabushiki gaisha,
godo kaisha, yugen kaisha, limited liability company, limited liability partnership, limited partnership,
limited liability, public limited company, private limited, pvt ltd, pvt, pty ltd, pty, pte ltd, pte, sdn bhd, bhd,
societe anonyme, sociedad anonima, sociedad limitada, societa per azioni, societa a responsabilita limitata,
naamloze vennootschap, besloten vennootschap, osakeyhtio, aktiebolag, aksjeselskap, aktieselskab, incorporated,
corporation, company, limited, corp, inc, ltd, llc, llp, plc, gmbh, ag, kg, co, kk, s a, s p a, b v, n v, k k, a s,
oy, oyj, ab, sa, spa, srl, sarl, sas, bv, nv, se, as, asa, ltda, sl, lp, tbk, persero, ооо, оао, зао, пао, ао,
"""
_LEGAL_SUFFIXES = tuple(tuple(s.split()) for s in _LEGAL_SUFFIX_TEXT.split(",") if s.strip())
# Legal forms written before the name (PT Telkom, OOO Yandex, Kabushiki Kaisha Toyota).
_LEGAL_PREFIX_TEXT = "kabushiki kaisha, pt, cv, ooo, oao, zao, pao, ao, tov, ооо, оао, зао, пао, ао, тов"
_LEGAL_PREFIXES = tuple(tuple(s.split()) for s in _LEGAL_PREFIX_TEXT.split(","))

_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d"}
    | {"Đ": "D", "þ": "th", "Þ": "TH", "ı": "i"}
)
_APOSTROPHES = re.compile(r"['’`´]")
_WORDS = re.compile(r"[^\W_]+")
_MAX_LEN = 300  # longer than any stored name or website; keeps hostile input cheap

SIMILAR_AT = 85  # fuzzy score on the distinctive parts from which two names are "possibly" one company
_SCORE_BANDS = {"same": (85, 100), "possible": (50, 84), "different": (0, 49)}
_VERDICT_RANK = {"same": 0, "possible": 1, "different": 2}


@dataclass(frozen=True)
class Company:
    """A company as the matcher sees it. `domain` may be a URL, an email address or a bare domain."""

    name: str = ""
    domain: str = ""
    country: str = ""


@dataclass(frozen=True)
class MatchResult:
    verdict: Verdict
    score: int
    reasons: tuple[str, ...]

    @property
    def rank(self) -> int:
        """0 for same, 1 for possible, 2 for different: sort by (rank, -score)."""
        return _VERDICT_RANK[self.verdict]


@dataclass(frozen=True)
class _Name:
    shown: str
    tokens: tuple[str, ...]
    distinctive: tuple[str, ...]
    suffix_removed: bool

    @property
    def compact(self) -> str:
        return "".join(self.tokens)

    @property
    def core(self) -> str:
        return " ".join(self.distinctive)


def _text(value: object) -> str:
    if value is None:
        return ""
    return (value if isinstance(value, str) else str(value))[:_MAX_LEN].strip()


def _strip_sequence(tokens: list[str], sequences: tuple[tuple[str, ...], ...], *, at_end: bool) -> bool:
    """Remove one legal form from the end (or start) of tokens, never the whole name. True when one went."""
    for seq in sequences:
        n = len(seq)
        if len(tokens) > n and tuple(tokens[-n:] if at_end else tokens[:n]) == seq:
            del tokens[(-n if at_end else 0) : (None if at_end else n)]
            return True
    return False


@lru_cache(maxsize=4096)
def is_generic(token: str) -> bool:
    """A common business word, or a typo (one letter more or less) of a long one: 'logistcs' → 'logistics'."""
    if token in GENERIC_WORDS:
        return True
    if len(token) < 7 or not token.isascii():
        return False
    return process.extractOne(token, _GENERIC_LIST, scorer=fuzz.ratio, score_cutoff=88) is not None


@lru_cache(maxsize=8192)
def _read_name(shown: str) -> _Name:
    text = unicodedata.normalize("NFKD", shown.translate(_SPECIAL_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _APOSTROPHES.sub("", text).replace("&", " and ").replace("+", " and ")
    raw_tokens = [t for t in _WORDS.findall(text) if t != "and"]
    stripped = basename(basename(text))  # twice: "Pvt Ltd", "Co. Ltd"
    tokens = [t for t in _WORDS.findall(stripped) if t != "and"] or raw_tokens
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    while _strip_sequence(tokens, _LEGAL_SUFFIXES, at_end=True):
        pass
    _strip_sequence(tokens, _LEGAL_PREFIXES, at_end=False)
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    plain = [t for t in raw_tokens if t != "the"]
    return _Name(
        shown=shown,
        tokens=tuple(tokens),
        distinctive=tuple(t for t in tokens if not is_generic(t)),
        suffix_removed=len(tokens) < len(plain),
    )


def normalize_name(name: str) -> str:
    """The name as the matcher compares it: 'The Siemens Aktiengesellschaft' → 'siemens'."""
    return " ".join(_read_name(_text(name)).tokens)


def distinctive_words(name: str) -> tuple[str, ...]:
    """The words of the normalised name that are not common business words ('Apex Clearing' → ('clearing',))."""
    return _read_name(_text(name)).distinctive


def _domain(value: str) -> str:
    try:
        return registrable_domain(value)
    except (ValueError, UnicodeError):  # "//[" and friends: not a domain at all
        return ""


def _country(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip()
    if len(text) == 2 and text.isascii() and text.isalpha():
        code = text.upper()
        return "GB" if code == "UK" else code
    return text.casefold()


def _pair(x: str, y: str) -> str:
    return " / ".join(sorted((x, y))) if x != y else x


def _similarity(x: str, y: str) -> int:
    """Symmetric 0–100: word order ignored (token sort) or spacing ignored (compact), whichever is higher."""
    if not x or not y:
        return 0
    return round(max(fuzz.token_sort_ratio(x, y), fuzz.ratio(x.replace(" ", ""), y.replace(" ", ""))))


def _compare_names(a: _Name, b: _Name) -> tuple[str, int, str]:
    """(kind, score, reason). kind: missing, equal, equal_generic, core_equal, similar, contains, different."""
    if not a.tokens or not b.tokens:
        return "missing", 0, ""
    shown = _pair(a.shown, b.shown)
    if a.compact == b.compact:
        if a.shown.casefold() == b.shown.casefold():
            reason = f"same name ({shown})"
        elif a.suffix_removed or b.suffix_removed:
            reason = f"names match after removing legal suffixes ({shown})"
        else:
            reason = f"names match after normalising case, accents, spacing and punctuation ({shown})"
        if a.distinctive or b.distinctive:
            return "equal", 100, reason
        return "equal_generic", 100, f"{reason}, but they are made only of common words"
    full = _similarity(" ".join(a.tokens), " ".join(b.tokens))
    if not a.distinctive and not b.distinctive:
        if full >= 95:
            return "equal_generic", full, f"similar names made only of common words ({full}%): {shown}"
        return "different", full, f"different names ({shown})"
    if not a.distinctive or not b.distinctive:
        return "different", min(full, 40), f"different names ({shown})"
    core = _similarity(a.core, b.core)
    if a.core.replace(" ", "") == b.core.replace(" ", ""):
        if full >= SIMILAR_AT:
            return "similar", full, f"similar names ({full}%): {shown}"
        return "core_equal", 80, f"same distinctive name '{a.core}', other words differ ({shown})"
    if core >= SIMILAR_AT:
        return "similar", core, f"similar names ({core}%): {shown}"
    # "Siemens" inside "Siemens Healthineers", but not "Tata Consultancy Services" against "Tata Motors".
    words_a, words_b = set(a.tokens), set(b.tokens)
    smaller = a if len(words_a) <= len(words_b) else b
    if (words_a < words_b or words_b < words_a) and len(smaller.core.replace(" ", "")) >= 4:
        return "contains", 65, f"one name contains the other ({shown}): a parent and a subsidiary?"
    return "different", min(core, full), f"different names ({shown})"


def _in_band(verdict: Verdict, score: float) -> int:
    low, high = _SCORE_BANDS[verdict]
    return int(min(high, max(low, round(score))))


def match(a: Company, b: Company) -> MatchResult:
    """Are `a` and `b` the same company? Symmetric and total: any strings in, a MatchResult out (rules above)."""
    fields_a = tuple(_text(getattr(a, f, "")) for f in ("name", "domain", "country"))
    fields_b = tuple(_text(getattr(b, f, "")) for f in ("name", "domain", "country"))
    fields_a, fields_b = sorted((fields_a, fields_b))  # one canonical order: symmetric by construction
    name_a, name_b = _read_name(fields_a[0]), _read_name(fields_b[0])
    domain_a, domain_b = _domain(fields_a[1]), _domain(fields_b[1])
    country_a, country_b = _country(fields_a[2]), _country(fields_b[2])

    reasons: list[str] = []
    for ignored in sorted({d for d in (domain_a, domain_b) if d in IGNORED_DOMAINS}):
        reasons.append(f"{ignored} is a free-mail or hosting domain: it says nothing about the company")
    domain_a = "" if domain_a in IGNORED_DOMAINS else domain_a
    domain_b = "" if domain_b in IGNORED_DOMAINS else domain_b

    name_kind, name_score, name_reason = _compare_names(name_a, name_b)
    if domain_a and domain_b:
        if domain_a == domain_b:
            domains = "same"
        elif domain_a.split(".", 1)[0] == domain_b.split(".", 1)[0]:
            domains = "same_label"
        else:
            domains = "different"
    else:
        domains = "missing"
    countries = ("same" if country_a == country_b else "different") if country_a and country_b else "missing"
    country_reason = {
        "same": f"same country ({country_a.upper()})",
        "different": f"different countries ({', '.join(sorted((country_a.upper(), country_b.upper())))})",
        "missing": "",
    }[countries]
    domain_reason = {
        "same": f"same registrable domain {domain_a}",
        "same_label": f"same domain name under different endings ({_pair(domain_a, domain_b).replace(' /', ',')})",
        "different": f"different domains ({_pair(domain_a, domain_b).replace(' /', ',')})",
        "missing": "",
    }[domains]
    country_shift = {"same": 3, "different": -10, "missing": 0}[countries]

    verdict: Verdict
    if domains == "same":
        if name_kind == "different":
            verdict, score = "possible", 60
        else:
            verdict, score = "same", {"equal": 100, "missing": 90}.get(name_kind, 95)
            if countries == "different":
                score -= 5
        ordered = [domain_reason, name_reason, country_reason]
    elif name_kind == "equal":
        if countries == "different":
            verdict, score = "possible", 70
        else:
            verdict, score = "same", 92 + country_shift + {"same_label": 4, "different": -6}.get(domains, 0)
        ordered = [name_reason, country_reason, domain_reason]
    elif name_kind == "equal_generic":
        if countries == "different":
            verdict, score = "different", 45
        else:
            verdict, score = "possible", 65 + country_shift + {"same_label": 8, "different": -10}.get(domains, 0)
        ordered = [name_reason, country_reason, domain_reason]
    elif name_kind in ("similar", "core_equal", "contains"):
        base = {"similar": 70 + (name_score - SIMILAR_AT), "core_equal": 72, "contains": 62}[name_kind]
        verdict = "possible"
        score = base + country_shift + {"same_label": 8, "different": -5}.get(domains, 0)
        ordered = [name_reason, country_reason, domain_reason]
    elif domains == "same_label" and name_kind == "missing":
        verdict, score = "possible", 55 + country_shift
        ordered = [domain_reason, country_reason]
    else:
        verdict = "different"
        comparable = name_kind != "missing" or domains != "missing"
        score = name_score // 2 if comparable else 0
        ordered = [name_reason, domain_reason, country_reason]
        if not comparable:
            ordered.insert(0, "not enough to compare: a name or a usable domain is missing on one side")
    reasons.extend(r for r in ordered if r)
    return MatchResult(verdict=verdict, score=_in_band(verdict, score), reasons=tuple(reasons))
