"""Global search for channel managers: one box, every app's objects.

`prm` knows none of the feature apps, so each registers a provider when it loads, typically in its
`AppConfig.ready()`:

    from prm.search import register_search_provider

    register_search_provider("partners", "Partners", search_partners, order=10)

A provider takes the cleaned query and a limit and returns at most `limit` `SearchResult`s, best first, with one or
two queries whatever the size of its tables (select what the titles and subtitles need). `visible_to(user)` says
whether the user may see that kind at all (by default: channel managers). `text_match` below is the shared way to
match words: PostgreSQL full-text search (websearch syntax, plus word prefixes, so "north" finds "Northwind"),
ranked; on SQLite, every word must appear in one of the fields (icontains).
"""

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from prm.access import is_channel_manager

# What the search box keeps of a query: longer input is cut, never an error.
MAX_QUERY_LENGTH = 100
# At most this many words count; a pasted paragraph searches its first words.
MAX_TERMS = 8
# A query needs this many letters or digits: one letter would match most of the database.
MIN_QUERY_CHARS = 2
# Results per kind on the search page; a provider is asked for one more to know there are more.
PER_KIND = 10
# The text-search configuration: 'simple' neither stems nor drops stop words, which suits company and people names
# in any language. Migrations that index a search vector must use the same one.
TS_CONFIG = "simple"
# On PostgreSQL, at most this many matching rows per kind are ranked (see text_match).
RANK_CANDIDATES = 500

_WORD = re.compile(r"[^\W_]+")
# A "quoted phrase", an -excluded word or an `or`: the user asked for websearch's own meaning.
_WEBSEARCH_SYNTAX = re.compile(r'"|(?:^|\s)-\w|\sor\s', re.IGNORECASE)


@dataclass(frozen=True)
class SearchResult:
    title: str
    url: str
    kind: str
    subtitle: str = ""


SearchFunc = Callable[[str, int], list[SearchResult]]


@dataclass(frozen=True)
class SearchProvider:
    kind: str
    label: str
    search: SearchFunc
    visible_to: Callable[[Any], bool] = is_channel_manager
    order: int = 50
    # Where the full list of this kind filtered by the query lives, if the app has one: query -> URL.
    more_url: Callable[[str], str] | None = None


@dataclass
class SearchGroup:
    provider: SearchProvider
    results: list[SearchResult] = field(default_factory=list)
    has_more: bool = False
    more_url: str = ""  # the app's own list filtered by the query, when the group has more than it shows

    @property
    def label(self) -> str:
        return self.provider.label

    @property
    def kind(self) -> str:
        return self.provider.kind

    @property
    def count_label(self) -> str:
        """ "3", or "10+" when the provider had more than it showed."""
        return f"{len(self.results)}+" if self.has_more else str(len(self.results))


_PROVIDERS: dict[str, SearchProvider] = {}


def register_search_provider(
    kind: str,
    label: str,
    search: SearchFunc,
    *,
    visible_to: Callable[[Any], bool] = is_channel_manager,
    order: int = 50,
    more_url: Callable[[str], str] | None = None,
) -> SearchProvider:
    """Make `search` the provider of `kind` (replacing any earlier one); groups are shown by `order`."""
    provider = SearchProvider(
        kind=kind, label=label, search=search, visible_to=visible_to, order=order, more_url=more_url
    )
    _PROVIDERS[kind] = provider
    return provider


def unregister_search_provider(kind: str) -> None:
    """Forget the provider of `kind` (tests use it to clean up after a fake provider)."""
    _PROVIDERS.pop(kind, None)


def search_providers(user: Any) -> list[SearchProvider]:
    """The providers whose kind `user` may see, in display order."""
    return sorted((p for p in _PROVIDERS.values() if p.visible_to(user)), key=lambda p: (p.order, p.kind))


def clean_query(raw: str | None) -> str:
    """The query as searched and shown back: printable characters only (a NUL byte is an error on PostgreSQL),
    whitespace collapsed, at most MAX_QUERY_LENGTH characters."""
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in (raw or "")[: MAX_QUERY_LENGTH * 4])
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def query_terms(query: str) -> list[str]:
    """The words of a query (letters and digits; punctuation separates them), lower-cased, at most MAX_TERMS."""
    return [word.lower() for word in _WORD.findall(query)][:MAX_TERMS]


def is_searchable(query: str) -> bool:
    return sum(len(word) for word in query_terms(query)) >= MIN_QUERY_CHARS


def run_search(*, user: Any, query: str, per_kind: int = PER_KIND) -> list[SearchGroup]:
    """Every visible provider's results for `query` (cleaned first), one group per kind, empty groups included."""
    query = clean_query(query)
    groups = []
    for provider in search_providers(user):
        group = SearchGroup(provider)
        if is_searchable(query):
            found = provider.search(query, per_kind + 1)
            group.results, group.has_more = found[:per_kind], len(found) > per_kind
            if group.has_more and provider.more_url:
                group.more_url = provider.more_url(query)
        groups.append(group)
    return groups


def text_match(queryset: QuerySet, query: str, *, fields: Sequence[Any], limit: int, order_by: Sequence[str] = ()):
    """The rows of `queryset` matching `query` on `fields`, best first, at most `limit` of them.

    On PostgreSQL `fields` form a search vector (the same expression as a GIN index of the app, when it has one),
    matched by the query in websearch syntax ("quoted phrases", -excluded, or) or by every word as a prefix, and
    ordered by rank (whole words first), then `order_by`. When more than RANK_CANDIDATES rows match, the best of
    the first RANK_CANDIDATES found are returned (the page says there are more). Elsewhere every word must appear
    in one of the fields, ordered by `order_by`."""
    terms = query_terms(query)
    if not terms:
        return []
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector(*fields, config=TS_CONFIG)
        whole_words = SearchQuery(query, search_type="websearch", config=TS_CONFIG)
        ts_query = whole_words
        if not _WEBSEARCH_SYNTAX.search(query):
            # Plain words also match as the start of words. Words are letters and digits only, so this raw query
            # cannot be malformed. Not with websearch syntax: "-northwind" must not come back as a prefix.
            prefixes = " & ".join(f"{term}:*" for term in terms)
            ts_query |= SearchQuery(prefixes, search_type="raw", config=TS_CONFIG)
        # Ranking computes every candidate's vector, so only the first RANK_CANDIDATES matches the index finds are
        # ranked: a word in half the table ("company") would otherwise rank half the table.
        candidates = queryset.annotate(search_vector=vector).filter(search_vector=ts_query).order_by().values("pk")
        rows = (
            queryset.filter(pk__in=candidates[:RANK_CANDIDATES])
            # Whole words rank above the start of words: "north" puts North before Northern Logistics.
            .annotate(search_exact=SearchRank(vector, whole_words), search_rank=SearchRank(vector, ts_query))
            .order_by("-search_exact", "-search_rank", *order_by)
        )
    else:
        condition = Q()
        for term in terms:
            condition &= _any_field_contains(fields, term)
        rows = queryset.filter(condition).order_by(*order_by)
    return list(rows[:limit])


def _any_field_contains(fields: Sequence[Any], term: str) -> Q:
    match = Q()
    for name in fields:
        if not isinstance(name, str):  # an expression only PostgreSQL needs (e.g. an email split at "@")
            continue
        match |= Q(**{f"{name}__icontains": term})
    return match
