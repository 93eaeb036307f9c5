"""Sections that later issues build. Until then they say honestly what will be there."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

SECTIONS = {
    "enablement": {
        "title": "Enablement",
        "manage": "Courses, content and certifications for your partners' sales, technical and marketing people.",
        "portal": "Trainings and certifications for your team will appear here.",
    },
    "mdf": {
        "title": "MDF",
        "manage": "Market development fund budgets, requests, claims and payments per partner.",
        "portal": "Request market development funds for events and campaigns, then claim them with proof.",
    },
    "insights": {
        "title": "Insights",
        "manage": "Partner-sourced and influenced pipeline, activation rate, time to activate and scorecards.",
        "portal": "",
    },
}


def coming_soon(request: HttpRequest, section: str, audience: str) -> HttpResponse:
    info = SECTIONS[section]
    base = "manage/base.html" if audience == "manage" else "portal/base.html"
    context = {
        "section": section,
        "title": info["title"],
        "description": info[audience],
        "base_template": base,
    }
    return render(request, "prm/coming_soon.html", context)
