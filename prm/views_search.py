"""The channel managers' global search (/manage/search/?q=): every app's objects, grouped by kind."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prm.access import manager_required
from prm.search import MAX_QUERY_LENGTH, MIN_QUERY_CHARS, clean_query, is_searchable, run_search


@manager_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query = clean_query(raw)
    groups = run_search(user=request.user, query=query) if query else []
    found = [group for group in groups if group.results]
    context = {
        "query": query,
        "searched": bool(query),
        "too_short": bool(query) and not is_searchable(query),
        "cut": len(raw.strip()) > MAX_QUERY_LENGTH,
        "groups": groups,
        "found": found,
        "total": sum(len(group.results) for group in found),
        "min_chars": MIN_QUERY_CHARS,
        "max_length": MAX_QUERY_LENGTH,
    }
    return render(request, "prm/search.html", context)
