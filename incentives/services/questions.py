"""Questions on an earning line: a partner asks about a line, the channel team answers, and the thread stays with
the line (DOMAIN.md "Incentives and earnings": "A partner can question a line; the answer is kept with it").

- A line has at most one thread. `question_ask` starts it, or adds to it (and opens it again) when there is one.
- `question_reply` adds a message: from the partner it opens the thread again (the channel team owes an answer);
  from a channel manager it answers it (any channel manager may answer).
- Each message is audit-recorded and told: the partner's channel manager (its owner, else every channel manager)
  hears of a question or a follow-up; the person who asked and the partner's admins hear of an answer.

The line is locked while a thread is started, so two clicks (or two colleagues) never open two threads on a line.
Only people who can see the line (`incentives.selectors.earning_lines`) can ask about it or reply.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from incentives.models import EarningLine, LineQuestion, QuestionMessage
from incentives.selectors import earning_lines
from partners.models import PartnerMembership
from partners.selectors import owner_or_managers, partner_people
from prm.access import is_channel_manager, scoped_get, user_membership
from prm.audit import audit_record
from prm.models import User
from prm.notifications import notify_each

BODY_MAX = QuestionMessage._meta.get_field("body").max_length or 4000


def clean_body(body: object, *, from_channel_team: bool = False) -> str:
    """The message as written (trimmed), or a ValidationError on the `body` field that says what to do."""
    text = str(body or "").strip()
    if not text:
        what = "your answer" if from_channel_team else "your question"
        raise ValidationError({"body": [f"Write {what} first: the message is empty."]})
    if len(text) > BODY_MAX:
        raise ValidationError(
            {"body": [f"Keep the message under {BODY_MAX:,} characters (it has {len(text):,}): shorten it."]}
        )
    return text


# --- Reads --------------------------------------------------------------------------------------------------------


def access_line(*, membership: PartnerMembership, pk: int) -> EarningLine:
    """One line the member may see, or 404 (another partner's line, or a colleague's deal for a sales user)."""
    return scoped_get(earning_lines(membership=membership), partner=membership.partner, pk=pk)


def line_question(line: EarningLine) -> LineQuestion | None:
    """The line's thread with its messages (oldest first), or None."""
    question = (
        LineQuestion.objects.filter(line=line).select_related("asked_by").order_by("pk").first()  # one per line
    )
    if question is not None:
        question.thread = list(question.messages.select_related("author"))  # type: ignore[attr-defined]
    return question


def questions_by_line(line_ids) -> dict[int, LineQuestion]:
    """The threads of these lines, by line id, each with `message_count` (one query: for the ledger lists)."""
    rows = LineQuestion.objects.filter(line_id__in=list(line_ids)).annotate(message_count=Count("messages"))
    return {q.line_id: q for q in rows.order_by("pk")}


def question_list(*, status: str = "") -> QuerySet[LineQuestion]:
    """Every thread for the channel team: open ones first, then the most recently active."""
    questions = LineQuestion.objects.select_related("partner", "line", "asked_by").annotate(
        message_count=Count("messages")
    )
    if status in LineQuestion.Status.values:
        questions = questions.filter(status=status)
    # "answered" sorts before "open": descending puts the open threads first.
    return questions.order_by("-status", "-updated_at", "-pk")


def question_counts() -> dict[str, int]:
    counts = dict(LineQuestion.objects.values_list("status").annotate(n=Count("pk")).order_by())
    return {status: counts.get(status, 0) for status in LineQuestion.Status.values} | {"all": sum(counts.values())}


# --- Writes -------------------------------------------------------------------------------------------------------


def _partner_side(actor: User, line: EarningLine) -> PartnerMembership:
    """The actor's membership when it may see the line; a ValidationError otherwise."""
    membership = user_membership(actor)
    if membership is None or membership.partner_id != line.partner_id:
        raise ValidationError("Only the partner's own people can ask about its earnings.")
    try:
        access_line(membership=membership, pk=line.pk)
    except Http404:
        raise ValidationError(
            "You can ask only about the earnings of deals you registered: ask your company's admin."
        ) from None
    return membership


def question_ask(*, actor: User, line: EarningLine, body: str) -> LineQuestion:
    """A partner user asks about a line. The line's thread is started, or (when it has one) the question is added
    to it and the thread is open again. The channel team is told."""
    _partner_side(actor, line)
    text = clean_body(body)
    with transaction.atomic():
        # Lock the line: a second click or a colleague asking at the same moment finds the thread started here.
        line = EarningLine.objects.select_for_update(of=("self",)).select_related("partner").get(pk=line.pk)
        question = LineQuestion.objects.select_for_update().filter(line=line).order_by("pk").first()
        if question is None:
            question = LineQuestion.objects.create(line=line, partner=line.partner, asked_by=actor)
            return _add(question, actor=actor, text=text, verb="earnings.question_asked", before=None)
        return _add(question, actor=actor, text=text, verb="earnings.question_replied", before=question.status)


def question_reply(*, actor: User, question: LineQuestion, body: str) -> LineQuestion:
    """Add a message to a thread. A channel manager's message answers it (the partner is told); a partner user's
    message opens it again (the channel team is told)."""
    team = is_channel_manager(actor)
    if not team:
        _partner_side(actor, question.line)
    text = clean_body(body, from_channel_team=team)
    with transaction.atomic():
        question = (
            LineQuestion.objects.select_for_update(of=("self",))
            .select_related("line", "partner", "asked_by")
            .get(pk=question.pk)
        )
        verb = "earnings.question_answered" if team else "earnings.question_replied"
        return _add(question, actor=actor, text=text, verb=verb, before=question.status, team=team)


def _add(
    question: LineQuestion, *, actor: User, text: str, verb: str, before: str | None, team: bool = False
) -> LineQuestion:
    """Add the message, move the status, record and tell (inside the caller's transaction, the thread locked)."""
    status = LineQuestion.Status.ANSWERED if team else LineQuestion.Status.OPEN
    message = QuestionMessage.objects.create(question=question, author=actor, from_channel_team=team, body=text)
    LineQuestion.objects.filter(pk=question.pk).update(status=status, updated_at=timezone.now())
    question.refresh_from_db()
    line = question.line
    event = audit_record(
        actor=actor,
        verb=verb,
        target=question,
        partner=question.partner,
        before={"status": before} if before else {},
        after={"status": status, "line": line.pk, "message": message.pk},
        reason=text[:500],
    )
    context = {
        "line": line,
        "kind": line.get_rule_kind_display(),
        "question": question,
        "message": text,
        "author": actor.display_name,
        "asker": question.asked_by.display_name if question.asked_by else "",
        "follow_up": before is not None,
    }
    if team:
        notify_each(
            key=f"audit:{event.pk}:incentives_question_answered",
            template="incentives_question_answered",
            users=partner_people(question.partner, question.asked_by),
            partner=question.partner,
            url=reverse("portal:earnings_line", args=[line.pk]),
            label="Read the answer",
            context=context,
        )
    else:
        notify_each(
            key=f"audit:{event.pk}:incentives_question_asked",
            template="incentives_question_asked",
            users=owner_or_managers(question.partner),
            partner=question.partner,
            url=reverse("manage:incentives_question", args=[question.pk]),
            label="Answer it",
            context=context,
        )
    return question
