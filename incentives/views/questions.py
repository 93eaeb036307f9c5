"""Manager pages for the partners' questions on earning lines (/manage/incentives/questions/): the list (open ones
first) and one thread with the line's calculation and an answer form. Any channel manager may answer: the partner
is told, and the answer stays with the line."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path

from incentives.models import LineQuestion
from incentives.services import questions, statements
from prm.access import manager_required
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors

FILTERS = (("open", "Awaiting an answer"), ("answered", "Answered"), ("all", "All"))


class AnswerForm(forms.Form):
    # Length is checked by the service, which says how long the message is.
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 5}))


def _context(**extra) -> dict:
    # Any channel manager answers questions: the incentives pages' read-only note is not for these pages.
    return {"nav": "incentives", "can_edit": True} | extra


def _questions(request: HttpRequest):
    """The questions the list's filters (`?status=`, `?partner=`) keep, open ones first, and those filters."""
    status = request.GET.get("status", "all")
    if status not in dict(FILTERS):
        status = "all"
    found = questions.question_list(status=status)
    partner = request.GET.get("partner", "")
    if partner.isdigit() and len(partner) < 19:
        found = found.filter(partner_id=int(partner))
    return found, status, partner


@exports_csv("manage:incentives_questions_export")
@manager_required
def question_list(request: HttpRequest) -> HttpResponse:
    """Every partner question, open ones first; filter by open, answered or all."""
    found, status, partner = _questions(request)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    context = _context(
        page=page,
        questions=page.object_list,
        status=status,
        filters=FILTERS,
        counts=questions.question_counts(),
        partner=partner if partner.isdigit() and len(partner) < 19 else "",
    )
    return render(request, "incentives/manage/questions.html", context)


@manager_required
def question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One thread with the line's calculation; POST answers it (the partner is told)."""
    question = get_object_or_404(
        LineQuestion.objects.select_related(
            "partner",
            "asked_by",
            "line__plan_version",
            "line__registration",
            "line__renewal__contract",
            "line__payout_run",
        ),
        pk=pk,
    )
    form = AnswerForm()
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                questions.question_reply(actor=request.user, question=question, body=form.cleaned_data["body"])
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(
                    request, f"Your answer is sent: {question.partner.name} is told, and it stays with the line."
                )
                return redirect("manage:incentives_question", pk=question.pk)
    line = question.line
    context = _context(
        question=question,
        thread=list(question.messages.select_related("author")),
        line=line,
        subject=statements.line_subject(line),
        paid_on=statements.paid_on(line),
        form=form,
        body_max=f"{questions.BODY_MAX:,}",
    )
    return render(request, "incentives/manage/questions_detail.html", context, status=400 if form.errors else 200)


QUESTION_HEADER = [
    "question",
    "partner",
    "partner id",
    "asked by",
    "line",
    "line kind",
    "earned on",
    "amount",
    "currency",
    "status",
    "messages",
    "last activity",
]


@manager_required
def question_export(request: HttpRequest) -> HttpResponse:
    found, _, _ = _questions(request)
    rows = (
        [
            q.pk,
            q.partner.name,
            q.partner_id,
            q.asked_by.email if q.asked_by else "",
            q.line_id,
            q.line.get_rule_kind_display(),
            q.line.earned_on.isoformat(),
            q.line.amount,
            q.line.currency,
            q.get_status_display(),
            q.message_count,
            csv_time(q.updated_at),
        ]
        for q in found.iterator()
    )
    return csv_response(name="earning-questions", header=QUESTION_HEADER, rows=rows)


manage_urlpatterns = [
    path("incentives/questions/", question_list, name="incentives_questions"),
    path("incentives/questions/export.csv", question_export, name="incentives_questions_export"),
    path("incentives/questions/<id:pk>/", question_detail, name="incentives_question"),
]
portal_urlpatterns: list = []
