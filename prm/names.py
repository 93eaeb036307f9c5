"""Company names and web domains, normalised the same way everywhere (duplicate detection, account matching).

tldextract runs with its bundled public-suffix snapshot (`suffix_list_urls=()`), so it never goes to the network.
"""

import re
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract
from cleanco import basename
from rapidfuzz import fuzz

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LATIN_FOLD = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"})
_NON_WORD = re.compile(r"[\W_]+")  # any script's letters and digits are kept


def registrable_domain(value: str) -> str:
    """'https://www.shop.Northwind.co.uk/about' → 'northwind.co.uk'; an email address gives its domain."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "/" not in value:
        value = value.rsplit("@", 1)[1]
    host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
    parts = _extract(host)
    if not parts.suffix or not parts.domain:
        return ""
    return f"{parts.domain}.{parts.suffix}"


@lru_cache(maxsize=4096)
def normalize_company_name(name: str) -> str:
    """Case, accents, punctuation, '&'/'and', a leading 'the' and legal suffixes (Inc, Ltd, GmbH, Pvt Ltd…) go."""
    # Accents go (Café → cafe), but letters of other scripts stay: "株式会社トヨタ" must not become "".
    decomposed = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text).casefold().translate(_LATIN_FOLD)
    text = text.replace("&", " and ")
    text = basename(basename(text))  # twice: "Pvt Ltd", "Co. Ltd"
    text = _NON_WORD.sub(" ", text).strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"\band\b", " ", text)
    return " ".join(text.split())


def name_similarity(a: str, b: str) -> float:
    """0–100: how alike two company names are after normalisation."""
    na, nb = normalize_company_name(a), normalize_company_name(b)
    if not na or not nb:
        return 0.0
    return fuzz.token_sort_ratio(na, nb)


# Free-mail domains say nothing about the company.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.de",
        "web.de",
        "yandex.ru",
        "mail.com",
        "zoho.com",
        "qq.com",
        "163.com",
    }
)
