"""Questions on an earning line: the partner asks from the line's page, the channel team is told and answers, the
partner is told, and the thread stays with the line on both sides. One thread per line; a follow-up opens it again.
Scoped like the earnings (404 for another partner's line or question, and for a colleague's deal as a sales user);
bad input is a message next to the field and saves nothing; every message is in the audit trail."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from incentives.models import EarningLine, LineQuestion, QuestionMessage
from incentives.services import accrue_for_won
from incentives.services.questions import question_ask, question_reply
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory
from tests.incentives.helpers import pct, published_version, with_rules, won_deal

pytestmark = pytest.mark.django_db

QUESTION = "Why 10% and not the 12% we agreed for EMEA?"
ANSWER = "The 12% applies from plan v2; this deal was approved under v1, so it earns 10%."


@pytest.fixture
def lines(db, partner_a, partner_b, partner_a_admin, partner_a_seller):
    version = published_version(1, date(2026, 1, 1))
    with_rules(version, payouts=[{"involvement": "sourced", **pct("10")}])

    def line(partner, name, author, amount="48000"):
        deal = won_deal(
            partner, amount=amount, approved=date(2026, 3, 1), won=date(2026, 3, 12), name=name, created_by=author
        )
        return accrue_for_won(registration=deal)[0]

    return {
        "sam": line(partner_a, "Sam's deal", partner_a_seller),
        "anna": line(partner_a, "Anna's deal", partner_a_admin, amount="20000"),
        "contoso": line(partner_b, "Contoso deal", None, amount="30000"),
    }


@pytest.fixture
def owner(partner_a):
    """Partner A's channel manager (its owner): the one told of its questions."""
    user = ChannelManagerFactory(email="lee@startup.example.com", first_name="Lee", last_name="Park")
    partner_a.owner = user
    partner_a.save(update_fields=["owner"])
    return user


def _line_url(line) -> str:
    return f"/portal/earnings/lines/{line.pk}/"


def _question_url(question) -> str:
    return f"/manage/incentives/questions/{question.pk}/"


def _notified(user, template) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, template=template).order_by("pk"))


def test_urls_are_the_ones_asked_for(lines):
    assert reverse("portal:earnings_line", args=[lines["sam"].pk]) == _line_url(lines["sam"])
    assert reverse("manage:incentives_questions") == "/manage/incentives/questions/"
    assert reverse("manage:incentives_question", args=[7]) == "/manage/incentives/questions/7/"


def test_ask_notify_answer_notify_and_the_answer_stays_with_the_line(
    lines, owner, channel_manager, partner_a_seller, partner_a_admin, seller_client_a, manager_client
):
    sam_line = lines["sam"]
    page = seller_client_a.get(_line_url(sam_line)).content.decode()
    assert "10% of $48,000.00 sourced deal “Sam&#x27;s deal” under plan v1" in page
    assert "$4,800.00" in page
    assert "Ask the channel team" in page

    response = seller_client_a.post(_line_url(sam_line), {"body": f"  {QUESTION}  "})
    assert response.status_code == 302
    assert response["Location"] == _line_url(sam_line)
    question = LineQuestion.objects.get()
    assert (question.line, question.partner, question.asked_by, question.status) == (
        sam_line,
        sam_line.partner,
        partner_a_seller,
        LineQuestion.Status.OPEN,
    )
    assert list(question.messages.values_list("body", "from_channel_team", "author")) == [
        (QUESTION, False, partner_a_seller.pk)
    ]

    # The partner's channel manager (its owner) is told, not every channel manager.
    [told] = _notified(owner, "incentives_question_asked")
    assert told.url == _question_url(question)
    assert told.subject == "Northwind Solutions questions an earning: Deal payout of $4,800.00"
    assert QUESTION in told.body_text
    assert _notified(channel_manager, "incentives_question_asked") == []

    listing = manager_client.get("/manage/incentives/questions/?status=open").content.decode()
    assert "Northwind Solutions" in listing
    assert "Awaiting an answer" in listing
    assert _question_url(question) in listing

    thread = manager_client.get(_question_url(question)).content.decode()
    assert "10% of $48,000.00 sourced deal" in thread
    assert QUESTION in thread
    # Any channel manager may answer (not only the partner's owner).
    response = manager_client.post(_question_url(question), {"body": ANSWER})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == LineQuestion.Status.ANSWERED
    assert list(question.messages.values_list("from_channel_team", flat=True)) == [False, True]

    # The asker and the partner's admins are told, with a link to the line.
    template = "incentives_question_answered"
    for user in (partner_a_seller, partner_a_admin):
        [answered] = _notified(user, "incentives_question_answered")
        assert answered.url == _line_url(sam_line)
        assert answered.subject == "Question answered: Deal payout of $4,800.00"
        assert ANSWER in answered.body_text
        assert "The channel team (Maya Chen) answered the question" in answered.body_text
    assert "the question you asked about this earning line" in _notified(partner_a_seller, template)[0].body_text
    asker = partner_a_seller.display_name
    assert f"the question {asker} asked about this earning line" in _notified(partner_a_admin, template)[0].body_text

    # The answer stays with the line: on the partner's line page, the earnings list and the manager's thread.
    page = seller_client_a.get(_line_url(sam_line)).content.decode()
    assert QUESTION in page
    assert ANSWER in page
    assert "Channel team (Maya Chen)" in page
    earnings = seller_client_a.get("/portal/earnings/").content.decode()
    assert "1 question, answered" in earnings
    assert manager_client.get(_question_url(question)).content.decode().count(ANSWER) == 1
    answered_list = manager_client.get("/manage/incentives/questions/?status=answered").content.decode()
    assert _question_url(question) in answered_list
    assert (
        _question_url(question) not in manager_client.get("/manage/incentives/questions/?status=open").content.decode()
    )


def test_a_reply_reopens_the_thread_and_asking_again_adds_to_it(lines, owner, partner_a_seller, partner_a_admin):
    line = lines["sam"]
    question = question_ask(actor=partner_a_seller, line=line, body=QUESTION)
    question_reply(actor=owner, question=question, body=ANSWER)
    question.refresh_from_db()
    assert question.status == LineQuestion.Status.ANSWERED

    question = question_reply(actor=partner_a_seller, question=question, body="Thanks, but v2 was announced first.")
    assert question.status == LineQuestion.Status.OPEN
    assert len(_notified(owner, "incentives_question_asked")) == 2
    assert "wrote again about" in _notified(owner, "incentives_question_asked")[1].body_text

    question_reply(actor=owner, question=question, body="Announced, not in force: v1 applies.")
    # Asking again on the line (the admin sees every line) adds to the same thread and reopens it.
    again = question_ask(actor=partner_a_admin, line=line, body="One more thing.")
    assert again.pk == question.pk
    assert again.status == LineQuestion.Status.OPEN
    assert LineQuestion.objects.count() == 1
    assert list(QuestionMessage.objects.values_list("from_channel_team", flat=True)) == [
        False,
        True,
        False,
        True,
        False,
    ]


def test_without_an_owner_every_channel_manager_is_told(lines, channel_manager, partner_a_seller):
    other = ChannelManagerFactory(email="noor@startup.example.com")
    question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    assert len(_notified(channel_manager, "incentives_question_asked")) == 1
    assert len(_notified(other, "incentives_question_asked")) == 1


def test_every_message_is_in_the_audit_trail(lines, owner, partner_a_seller):
    question = question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    question_reply(actor=owner, question=question, body=ANSWER)
    question_reply(actor=partner_a_seller, question=question, body="Still unclear.")
    events = list(AuditEvent.objects.filter(verb__startswith="earnings.question").order_by("pk"))
    assert [(e.verb, e.actor, e.before, e.after["status"], e.reason) for e in events] == [
        ("earnings.question_asked", partner_a_seller, {}, "open", QUESTION),
        ("earnings.question_answered", owner, {"status": "open"}, "answered", ANSWER),
        ("earnings.question_replied", partner_a_seller, {"status": "answered"}, "open", "Still unclear."),
    ]
    assert {e.partner_id for e in events} == {lines["sam"].partner_id}
    assert {e.target_id for e in events} == {str(question.pk)}
    assert events[0].after["line"] == lines["sam"].pk


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write your question first: the message is empty."),
        ("   \n ", "Write your question first: the message is empty."),
        ("x" * 4001, "Keep the message under 4,000 characters (it has 4,001): shorten it."),
    ],
)
def test_empty_or_too_long_question_is_a_message_and_saves_nothing(lines, owner, seller_client_a, body, message):
    response = seller_client_a.post(_line_url(lines["sam"]), {"body": body})
    assert response.status_code == 400
    text = response.content.decode()
    assert message in text
    assert 'aria-invalid="true"' in text
    if body.strip():
        assert body in text  # what was typed is kept
    assert not LineQuestion.objects.exists()
    assert not QuestionMessage.objects.exists()
    assert not Notification.objects.filter(template__startswith="incentives_question").exists()
    assert not AuditEvent.objects.filter(verb__startswith="earnings.question").exists()


def test_a_4000_character_question_is_accepted(lines, owner, seller_client_a):
    assert seller_client_a.post(_line_url(lines["sam"]), {"body": "y" * 4000}).status_code == 302
    assert len(QuestionMessage.objects.get().body) == 4000


def test_empty_or_too_long_answer_is_a_message_and_changes_nothing(lines, owner, partner_a_seller, manager_client):
    question = question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    for body, message in (
        ("", "Write your answer first: the message is empty."),
        ("z" * 5000, "Keep the message under 4,000 characters (it has 5,000): shorten it."),
    ):
        response = manager_client.post(_question_url(question), {"body": body})
        assert response.status_code == 400
        assert message in response.content.decode()
    question.refresh_from_db()
    assert question.status == LineQuestion.Status.OPEN
    assert question.messages.count() == 1
    assert not Notification.objects.filter(template="incentives_question_answered").exists()
    with pytest.raises(ValidationError):
        question_reply(actor=owner, question=question, body=None)


def test_another_partners_line_and_question_are_404(lines, partner_b_user, outsider_client, admin_client_a):
    contoso = question_ask(actor=partner_b_user, line=lines["contoso"], body="Why?")
    for client, line in ((outsider_client, lines["sam"]), (admin_client_a, lines["contoso"])):
        assert client.get(_line_url(line)).status_code == 404
        assert client.post(_line_url(line), {"body": "Let me in"}).status_code == 404
    assert admin_client_a.get(_question_url(contoso)).status_code == 404  # the manager app does not exist for them
    assert admin_client_a.post(_question_url(contoso), {"body": "An answer"}).status_code == 404
    assert LineQuestion.objects.get().messages.count() == 1
    with pytest.raises(ValidationError, match="Only the partner's own people"):
        question_reply(actor=partner_b_user, question=question_ask_for_a(lines), body="Sneaky")


def question_ask_for_a(lines) -> LineQuestion:
    return LineQuestion.objects.create(line=lines["anna"], partner=lines["anna"].partner)


def test_a_colleagues_line_is_404_for_a_sales_user(lines, partner_a_admin, partner_a_seller, seller_client_a):
    anna_line = lines["anna"]
    assert seller_client_a.get(_line_url(anna_line)).status_code == 404
    assert seller_client_a.post(_line_url(anna_line), {"body": "What is this?"}).status_code == 404
    assert not LineQuestion.objects.exists()
    # Through the services too: a sales user can neither ask about nor follow up on a colleague's line.
    with pytest.raises(ValidationError, match="deals you registered"):
        question_ask(actor=partner_a_seller, line=anna_line, body="What is this?")
    question = question_ask(actor=partner_a_admin, line=anna_line, body="Checking the EUR conversion.")
    with pytest.raises(ValidationError, match="deals you registered"):
        question_reply(actor=partner_a_seller, question=question, body="Me too")
    assert question.messages.count() == 1


def test_earnings_page_shows_question_this_line_or_its_state(lines, partner_a_seller, admin_client_a):
    text = admin_client_a.get("/portal/earnings/").content.decode()
    assert text.count("Question this line</a>") == 2
    question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    text = admin_client_a.get("/portal/earnings/").content.decode()
    assert text.count("Question this line</a>") == 1
    assert "1 question, awaiting an answer" in text
    assert f'href="{_line_url(lines["sam"])}#thread"' in text


def test_manager_list_filters_and_puts_open_questions_first(
    lines, owner, partner_a_seller, partner_a_admin, manager_client
):
    first = question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    question_reply(actor=owner, question=first, body=ANSWER)  # answered, and the most recent activity
    second = question_ask(actor=partner_a_admin, line=lines["anna"], body="And this one?")
    question_reply(actor=owner, question=first, body="A second answer.")
    text = manager_client.get("/manage/incentives/questions/").content.decode()
    assert text.index(_question_url(second)) < text.index(_question_url(first))  # open first
    assert "Awaiting an answer (1)" in text
    assert "Answered (1)" in text
    assert "All (2)" in text
    open_only = manager_client.get("/manage/incentives/questions/?status=open").content.decode()
    assert _question_url(second) in open_only
    assert _question_url(first) not in open_only
    other_partner = manager_client.get(f"/manage/incentives/questions/?partner={lines['contoso'].partner_id}")
    assert "No partner has questioned an earning line yet." in other_partner.content.decode()
    assert manager_client.get("/manage/incentives/questions/?status=%00&partner=1e9").status_code == 200


def test_line_page_and_manager_thread_query_counts(
    lines, owner, partner_a_seller, seller_client_a, manager_client, django_assert_max_num_queries
):
    question = question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    for n in range(5):
        question_reply(actor=owner if n % 2 == 0 else partner_a_seller, question=question, body=f"Message {n}")
    with django_assert_max_num_queries(12):
        assert seller_client_a.get(_line_url(lines["sam"])).status_code == 200
    with django_assert_max_num_queries(14):
        assert manager_client.get(_question_url(question)).status_code == 200
    with django_assert_max_num_queries(14):
        assert manager_client.get("/manage/incentives/questions/").status_code == 200


def test_paid_line_keeps_its_question(lines, owner, partner_a_seller, seller_client_a):
    question = question_ask(actor=partner_a_seller, line=lines["sam"], body=QUESTION)
    EarningLine.objects.filter(pk=lines["sam"].pk).update(state=EarningLine.State.PAID)
    question_reply(actor=owner, question=question, body=ANSWER)
    page = seller_client_a.get(_line_url(lines["sam"])).content.decode()
    assert ANSWER in page
    assert "Paid" in page
    assert Decimal(lines["sam"].amount) == Decimal("4800.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a real race needs PostgreSQL")
def test_people_asking_at_the_same_moment_share_one_thread(lines, owner, partner_a_seller, partner_a_admin):
    """The line is locked while its thread starts: concurrent askers never open two threads on one line."""
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def ask(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            actor = partner_a_seller if n % 2 else partner_a_admin
            question_ask(actor=actor, line=lines["sam"], body=f"Question {n}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=ask, args=(n,)) for n in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not any(w.is_alive() for w in workers), "an ask hung"
    assert errors == []
    question = LineQuestion.objects.get()
    assert question.messages.count() == threads_count
    verbs = sorted(AuditEvent.objects.filter(verb__startswith="earnings.question").values_list("verb", flat=True))
    assert verbs == ["earnings.question_asked"] + ["earnings.question_replied"] * (threads_count - 1)
    assert len(_notified(owner, "incentives_question_asked")) == threads_count
