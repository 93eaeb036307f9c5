"""Program and tiers: where a partner stands, the nightly proposals, the channel manager's decisions, qualitative
requirements, and the pages of both audiences."""

from datetime import timedelta
from decimal import Decimal

import factory
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners import metrics, services
from partners.models import Partner, Program, RequirementTick, Tier, TierProposal, TierRequirement
from prm.models import AuditEvent, Notification
from tests.factories import PartnerFactory

Kind = TierRequirement.Kind
Status = TierProposal.Status


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier

    name = factory.Sequence(lambda n: f"Tier {n}")
    rank = factory.Sequence(lambda n: n + 1)


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TierRequirement

    tier = factory.SubFactory(TierFactory)
    kind = Kind.CERTIFIED_PEOPLE
    threshold = Decimal(1)


@pytest.fixture
def tiers(db):
    """Registered (no requirements), Silver (3 certified people + a joint marketing plan), Gold (5 certified
    people + $100,000 won revenue)."""
    registered = TierFactory(name="Registered", rank=1, other_benefits="Partner portal access")
    silver = TierFactory(name="Silver", rank=2, discount_percent=Decimal("10.00"), deal_protection_days=90)
    gold = TierFactory(
        name="Gold", rank=3, discount_percent=Decimal("20"), mdf_eligible=True, other_benefits="Early product access"
    )
    RequirementFactory(tier=silver, kind=Kind.CERTIFIED_PEOPLE, threshold=3, order=1)
    plan = RequirementFactory(tier=silver, kind=Kind.QUALITATIVE, threshold=None, label="Joint marketing plan", order=2)
    RequirementFactory(tier=gold, kind=Kind.CERTIFIED_PEOPLE, threshold=5, order=1)
    RequirementFactory(tier=gold, kind=Kind.WON_REVENUE, threshold=100000, order=2)
    return {"registered": registered, "silver": silver, "gold": gold, "plan": plan}


@pytest.fixture
def fake_metrics(db):
    """A provider for every quantitative kind, answering with one query (like a real one). Tests set the values:
    fake_metrics[kind][partner_id] = Decimal(...)."""
    values: dict[str, dict[int, Decimal]] = {kind: {} for kind in metrics.QUANTITATIVE_KINDS}

    def provider_for(kind):
        def provider(partner_ids, since):
            existing = Partner.objects.filter(pk__in=partner_ids).values_list("pk", flat=True)
            return {pk: values[kind][pk] for pk in existing if pk in values[kind]}

        return provider

    saved = dict(metrics._PROVIDERS)  # the real providers other apps registered; put them back afterwards
    for kind in metrics.QUANTITATIVE_KINDS:
        metrics.register_metric(kind, provider_for(kind))
    yield values
    metrics._PROVIDERS.clear()
    metrics._PROVIDERS.update(saved)


@pytest.fixture
def certified_untracked():
    """As before Enablement registered its provider: certified people are not tracked (the registry's fallback)."""
    saved = dict(metrics._PROVIDERS)
    metrics.unregister_metric(Kind.CERTIFIED_PEOPLE)
    yield
    metrics._PROVIDERS.clear()
    metrics._PROVIDERS.update(saved)


@pytest.fixture
def no_agreement_gate(db):
    """Portal pages without the onboarding agreement gate in the way."""
    Program.objects.update_or_create(pk=1, defaults={"require_agreement_first": False})


def set_metrics(values, partner, **by_kind):
    for kind, value in by_kind.items():
        values[kind][partner.pk] = Decimal(value)


def pending_for(partner):
    return TierProposal.objects.filter(partner=partner, status=Status.PENDING).first()


def messages_on(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Metrics registry ------------------------------------------------------------------------------------------


def test_untracked_metrics_count_as_zero_and_say_so(partner_a, tiers, certified_untracked):
    values, tracked = metrics.metric_values(Kind.CERTIFIED_PEOPLE, [partner_a.pk], timezone.now())
    assert values == {partner_a.pk: Decimal(0)}
    assert tracked is False

    partner_a.tier = tiers["silver"]
    partner_a.save()
    progress = services.tier_progress_for(partner=partner_a)
    certified = progress.next_requirements[0]
    assert (certified.current, certified.target, certified.met, certified.tracked) == (0, 5, False, False)
    assert certified.sentence == "0 of 5 certified people"
    assert certified.note == "not tracked yet: counts once Enablement is live"
    # Deal registration is live and provides its metrics; only Enablement's are still missing.
    assert all("Enablement" in note for note in progress.untracked_notes)


def test_register_metric_refuses_unknown_kinds():
    with pytest.raises(ValueError, match="Unknown quantitative requirement kind"):
        metrics.register_metric(Kind.QUALITATIVE, lambda ids, since: {})


def test_providers_get_the_partner_ids_and_a_12_month_window(partner_a, partner_b, tiers):
    seen = []
    saved = metrics._PROVIDERS.get(Kind.WON_REVENUE)
    metrics.register_metric(Kind.WON_REVENUE, lambda ids, since: seen.append((sorted(ids), since)) or {})
    try:
        now = timezone.now()
        services.tiers_evaluate_all(now=now)
    finally:
        metrics.register_metric(Kind.WON_REVENUE, saved)
    assert seen == [(sorted([partner_a.pk, partner_b.pk]), now - timedelta(days=365))]  # one call for everyone


# --- Where a partner stands ------------------------------------------------------------------------------------


def test_progress_in_words(partner_a, tiers, fake_metrics):
    partner_a.tier = tiers["registered"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=2, won_revenue=40000)
    progress = services.tier_progress_for(partner=partner_a)
    assert progress.current_tier == tiers["registered"]
    assert progress.benefits == ["Partner portal access"]
    assert progress.next_tier == tiers["silver"]
    assert [r.sentence for r in progress.next_requirements] == [
        "2 of 3 certified people",
        "Joint marketing plan: not yet confirmed by your channel manager",
    ]
    assert [r.percent for r in progress.next_requirements] == [66, 0]
    assert not progress.qualifies_for_next
    assert progress.keeps_current  # Registered asks for nothing

    partner_a.tier = tiers["silver"]
    partner_a.save()
    progress = services.tier_progress_for(partner=partner_a)
    assert progress.benefits == ["10% discount", "Registered deals protected for 90 days"]
    assert [r.sentence for r in progress.next_requirements] == [
        "2 of 5 certified people",
        "$40,000 of $100,000 won revenue (12 months)",
    ]
    assert all(r.tracked and not r.note for r in progress.next_requirements)
    assert [r.sentence for r in progress.no_longer_met] == [
        "2 of 3 certified people",
        "Joint marketing plan: not yet confirmed by your channel manager",
    ]


def test_next_tier_is_the_first_for_a_partner_without_one_and_none_at_the_top(partner_a, tiers):
    assert services.tier_progress_for(partner=partner_a).next_tier == tiers["registered"]
    partner_a.tier = tiers["gold"]
    progress = services.tier_progress_for(partner=partner_a)
    assert progress.next_tier is None
    assert progress.benefits == ["20% discount", "Eligible for market development funds (MDF)", "Early product access"]


def test_no_tiers_configured(partner_a):
    progress = services.tier_progress_for(partner=partner_a)
    assert not progress.has_tiers
    assert progress.next_tier is None
    assert progress.current_tier is None
    assert services.tiers_evaluate_all(now=timezone.now())["proposed"] == 0


# --- The nightly evaluation ------------------------------------------------------------------------------------


def test_evaluation_proposes_a_promotion_and_never_applies_it(partner_a, tiers, fake_metrics):
    partner_a.tier = tiers["registered"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=6, won_revenue="150000", approved_registrations=4)
    counts = services.tiers_evaluate_all(now=timezone.now())
    assert counts["proposed"] == 1
    proposal = pending_for(partner_a)
    assert (proposal.current_tier, proposal.proposed_tier, proposal.is_promotion) == (
        tiers["registered"],
        tiers["gold"],  # the highest tier whose requirements are all met, skipping Silver
        True,
    )
    assert proposal.evidence["values"] == {
        "certified_people": "6",
        "approved_registrations": "4",
        "won_revenue": "150000",
    }
    assert [line["text"] for line in proposal.evidence["lines"]] == [
        "6 of 5 certified people",
        "$150,000 of $100,000 won revenue (12 months)",
    ]
    partner_a.refresh_from_db()
    assert partner_a.tier == tiers["registered"]


def test_evaluation_proposes_a_demotion(partner_a, tiers, fake_metrics):
    partner_a.tier = tiers["gold"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=1, won_revenue=200000)
    services.tiers_evaluate_all(now=timezone.now())
    proposal = pending_for(partner_a)
    assert (proposal.proposed_tier, proposal.is_promotion) == (tiers["registered"], False)
    lines = proposal.evidence["lines"]
    assert {"text": "1 of 5 certified people", "met": False, "note": ""} in lines
    assert {"text": "$200,000 of $100,000 won revenue (12 months)", "met": True, "note": ""} in lines


def test_no_change_no_proposal(partner_a, partner_b, tiers, fake_metrics):
    partner_a.tier = tiers["registered"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=4)  # Silver also needs the marketing plan
    partner_b.tier = tiers["registered"]
    partner_b.save()
    counts = services.tiers_evaluate_all(now=timezone.now())
    assert counts["unchanged"] == 2
    assert not TierProposal.objects.exists()


def test_rerun_makes_no_duplicate_and_tells_managers_once(channel_manager, partner_a, tiers, fake_metrics):
    set_metrics(fake_metrics, partner_a, certified_people=6, won_revenue=100000)
    services.tiers_evaluate_all(now=timezone.now())
    counts = services.tiers_evaluate_all(now=timezone.now())
    assert counts["proposed"] == 0
    assert counts["kept"] == 1
    assert TierProposal.objects.count() == 1
    notification = Notification.objects.get(template="tier_proposals_waiting")
    assert notification.recipient == channel_manager
    assert notification.subject == "1 tier proposal waits for your decision"
    assert "Northwind Solutions: no tier → Gold (promotion)" in notification.body_text


def test_a_proposal_that_no_longer_matches_is_superseded(partner_a, tiers, fake_metrics):
    set_metrics(fake_metrics, partner_a, certified_people=6, won_revenue=100000)
    services.tiers_evaluate_all(now=timezone.now())
    first = pending_for(partner_a)
    assert first.proposed_tier == tiers["gold"]

    set_metrics(fake_metrics, partner_a, won_revenue=0)  # Gold out of reach; Registered (no requirements) remains
    counts = services.tiers_evaluate_all(now=timezone.now())
    first.refresh_from_db()
    assert first.status == Status.SUPERSEDED
    assert counts == counts | {"superseded": 1, "proposed": 1}
    assert pending_for(partner_a).proposed_tier == tiers["registered"]

    partner_a.tier = tiers["registered"]  # e.g. set by hand meanwhile: nothing left to propose
    partner_a.save()
    services.tiers_evaluate_all(now=timezone.now())
    assert pending_for(partner_a) is None


def test_untracked_requirements_never_cause_a_demotion(partner_a, tiers, certified_untracked):
    RequirementTick.objects.create(partner=partner_a, requirement=tiers["plan"])
    partner_a.tier = tiers["silver"]  # certified people are not tracked yet: we cannot say it falls short
    partner_a.save()
    services.tiers_evaluate_all(now=timezone.now())
    assert pending_for(partner_a) is None

    RequirementTick.objects.all().delete()  # what we can measure is no longer met
    services.tiers_evaluate_all(now=timezone.now())
    assert pending_for(partner_a).proposed_tier == tiers["registered"]


def test_a_rejected_move_is_not_proposed_again_for_30_days(channel_manager, partner_a, tiers, fake_metrics):
    set_metrics(fake_metrics, partner_a, certified_people=6, won_revenue=100000)
    now = timezone.now()
    services.tiers_evaluate_all(now=now)
    services.tier_proposal_reject(actor=channel_manager, proposal=pending_for(partner_a), reason="Wait for Q3")
    assert services.tiers_evaluate_all(now=now + timedelta(days=1))["held_back"] == 1
    assert pending_for(partner_a) is None
    services.tiers_evaluate_all(now=now + timedelta(days=31))
    assert pending_for(partner_a).proposed_tier == tiers["gold"]


def test_partners_outside_the_program_are_not_evaluated(partner_a, tiers, fake_metrics):
    services.tiers_evaluate_all(now=timezone.now())
    assert pending_for(partner_a).proposed_tier == tiers["registered"]
    Partner.objects.filter(pk=partner_a.pk).update(status=Partner.Status.OFFBOARDED)
    counts = services.tiers_evaluate_all(now=timezone.now())
    assert counts["superseded"] == 1
    assert not TierProposal.objects.filter(status=Status.PENDING).exists()
    PartnerFactory(status=Partner.Status.APPLIED)
    assert services.tiers_evaluate_all(now=timezone.now())["evaluated"] == 0


def test_evaluation_queries_do_not_grow_with_partners(
    channel_manager, tiers, fake_metrics, django_assert_max_num_queries
):
    for partner in PartnerFactory.create_batch(5):
        set_metrics(fake_metrics, partner, certified_people=6, won_revenue=100000)
    RequirementTick.objects.create(partner=Partner.objects.first(), requirement=tiers["plan"])
    with CaptureQueriesContext(connection) as five:
        assert services.tiers_evaluate_all(now=timezone.now())["proposed"] == 5
    for partner in PartnerFactory.create_batch(45):
        set_metrics(fake_metrics, partner, certified_people=6, won_revenue=100000)
    with django_assert_max_num_queries(len(five.captured_queries)):
        counts = services.tiers_evaluate_all(now=timezone.now())
    assert counts["evaluated"] == 50
    assert counts["proposed"] == 45
    assert counts["notified"] == 1


# --- Decisions -------------------------------------------------------------------------------------------------


@pytest.fixture
def gold_proposal(partner_a, tiers, fake_metrics):
    partner_a.tier = tiers["silver"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=6, won_revenue=100000)
    services.tiers_evaluate_all(now=timezone.now())
    return pending_for(partner_a)


def test_accept_changes_the_tier_audits_and_congratulates(
    channel_manager,
    partner_a,
    partner_a_admin,
    partner_a_seller,
    tiers,
    gold_proposal,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.tier_proposal_accept(actor=channel_manager, proposal=gold_proposal, reason="Great year")
    partner_a.refresh_from_db()
    gold_proposal.refresh_from_db()
    assert partner_a.tier == tiers["gold"]
    assert (gold_proposal.status, gold_proposal.decided_by) == (Status.ACCEPTED, channel_manager)
    event = AuditEvent.objects.get(verb="tier.changed")
    assert (event.actor, event.partner) == (channel_manager, partner_a)
    assert event.before["tier"] == "Silver"
    assert event.after["tier"] == "Gold"
    assert event.after["evidence"]["values"]["certified_people"] == "6"
    assert event.reason == "Great year"
    assert sorted(m.to[0] for m in mail.outbox) == [partner_a_admin.email, partner_a_seller.email]
    assert mail.outbox[0].subject.endswith("Congratulations: Northwind Solutions is now a Gold partner")
    assert "Early product access" in mail.outbox[0].body
    assert "Great year" in mail.outbox[0].body


def test_a_second_decision_is_refused(channel_manager, partner_a, tiers, gold_proposal):
    services.tier_proposal_accept(actor=channel_manager, proposal=gold_proposal)
    with pytest.raises(ValidationError, match="already accepted by Maya Chen"):
        services.tier_proposal_accept(actor=channel_manager, proposal=gold_proposal)
    with pytest.raises(ValidationError, match="already accepted"):
        services.tier_proposal_reject(actor=channel_manager, proposal=gold_proposal, reason="Oops")
    assert AuditEvent.objects.filter(verb="tier.changed").count() == 1


def test_reject_needs_a_reason_keeps_the_tier_and_tells_nobody(
    channel_manager, partner_a, partner_a_admin, tiers, gold_proposal, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="Say why"):
        services.tier_proposal_reject(actor=channel_manager, proposal=gold_proposal, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.tier_proposal_reject(actor=channel_manager, proposal=gold_proposal, reason="Revenue is one deal")
    partner_a.refresh_from_db()
    gold_proposal.refresh_from_db()
    assert partner_a.tier == tiers["silver"]
    assert gold_proposal.status == Status.REJECTED
    event = AuditEvent.objects.get(verb="tier.proposal_rejected")
    assert (event.reason, event.after["proposed_tier"]) == ("Revenue is one deal", "Gold")
    assert not mail.outbox
    assert not Notification.objects.filter(partner=partner_a).exists()


def test_accepting_an_out_of_date_proposal_is_refused(channel_manager, partner_a, tiers, gold_proposal):
    Partner.objects.filter(pk=partner_a.pk).update(tier=tiers["registered"])
    with pytest.raises(ValidationError, match="out of date"):
        services.tier_proposal_accept(actor=channel_manager, proposal=gold_proposal)
    gold_proposal.refresh_from_db()
    assert gold_proposal.status == Status.SUPERSEDED
    partner_a.refresh_from_db()
    assert partner_a.tier == tiers["registered"]


def test_an_accepted_demotion_explains_what_is_needed(
    channel_manager, partner_a, partner_a_admin, tiers, fake_metrics, django_capture_on_commit_callbacks
):
    partner_a.tier = tiers["gold"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=2, won_revenue=100000)
    services.tiers_evaluate_all(now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        services.tier_proposal_accept(actor=channel_manager, proposal=pending_for(partner_a))
    partner_a.refresh_from_db()
    assert partner_a.tier == tiers["registered"]
    [message] = mail.outbox
    assert "Congratulations" not in message.subject
    assert "partner tier is now Registered" in message.subject
    assert "- 2 of 5 certified people" in message.body
    assert "won revenue" not in message.body  # that one is still met
    assert "we are glad to help" in message.body


def test_manual_tier_change(channel_manager, partner_a, partner_a_admin, tiers, gold_proposal):
    with pytest.raises(ValidationError, match="Say why"):
        services.partner_set_tier(actor=channel_manager, partner=partner_a, tier=tiers["registered"], reason="")
    with pytest.raises(ValidationError, match="already in Silver"):
        services.partner_set_tier(actor=channel_manager, partner=partner_a, tier=tiers["silver"], reason="x")
    services.partner_set_tier(actor=channel_manager, partner=partner_a, tier=tiers["registered"], reason="Contract")
    partner_a.refresh_from_db()
    gold_proposal.refresh_from_db()
    assert partner_a.tier == tiers["registered"]
    assert gold_proposal.status == Status.SUPERSEDED
    event = AuditEvent.objects.get(verb="tier.changed")
    assert (event.after["manual"], event.reason) == (True, "Contract")
    assert Notification.objects.get(template="tier_changed").recipient == partner_a_admin


# --- Qualitative requirements ----------------------------------------------------------------------------------


def test_ticking_a_qualitative_requirement(channel_manager, partner_a, tiers, fake_metrics):
    partner_a.tier = tiers["registered"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=3)
    tick = services.requirement_tick(
        actor=channel_manager, partner=partner_a, requirement=tiers["plan"], ticked=True, note="Signed in March"
    )
    assert (tick.ticked_by, tick.note) == (channel_manager, "Signed in March")
    event = AuditEvent.objects.get(verb="tier.requirement_ticked")
    assert (event.after["requirement"], event.partner) == ("Joint marketing plan", partner_a)
    # Silver is now met: the proposal is made at once, not tonight.
    assert pending_for(partner_a).proposed_tier == tiers["silver"]
    progress = services.tier_progress_for(partner=partner_a, audience="manage")
    assert progress.next_requirements[1].sentence == "Joint marketing plan: confirmed"

    # Ticking twice changes nothing; unticking removes it (and the proposal no longer matches).
    services.requirement_tick(actor=channel_manager, partner=partner_a, requirement=tiers["plan"], ticked=True)
    assert AuditEvent.objects.filter(verb="tier.requirement_ticked").count() == 1
    assert (
        services.requirement_tick(actor=channel_manager, partner=partner_a, requirement=tiers["plan"], ticked=False)
        is None
    )
    assert not RequirementTick.objects.exists()
    assert AuditEvent.objects.filter(verb="tier.requirement_unticked").count() == 1
    assert pending_for(partner_a) is None


def test_quantitative_requirements_cannot_be_ticked(channel_manager, partner_a, tiers):
    certified = tiers["silver"].requirements.get(kind=Kind.CERTIFIED_PEOPLE)
    with pytest.raises(ValidationError, match="measured"):
        services.requirement_tick(actor=channel_manager, partner=partner_a, requirement=certified, ticked=True)


# --- Channel managers' pages -----------------------------------------------------------------------------------


def test_proposal_page_lists_pending_with_evidence(manager_client, partner_a, gold_proposal):
    response = manager_client.get("/manage/tiers/proposals/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Northwind Solutions" in body
    assert "Silver → <strong>Gold</strong>" in body
    assert "Promotion" in body
    assert "6 of 5 certified people" in body
    assert f'action="/manage/tiers/proposals/{gold_proposal.pk}/decide/"' in body
    assert 'aria-current="page">Tier proposals' in body


def test_proposal_page_empty_states(manager_client, db):
    body = manager_client.get("/manage/tiers/proposals/").content.decode()
    assert "No tiers configured yet" in body
    assert 'href="/admin/' in body
    TierFactory(name="Registered", rank=1)
    body = manager_client.get("/manage/tiers/proposals/").content.decode()
    assert "No proposals waiting" in body
    assert "nightly evaluation" in body


def test_manager_accepts_and_a_second_click_is_explained(manager_client, partner_a, tiers, gold_proposal):
    url = f"/manage/tiers/proposals/{gold_proposal.pk}/decide/"
    response = manager_client.post(url, {"decision": "accept", "reason": ""}, follow=True)
    assert response.redirect_chain == [("/manage/tiers/proposals/", 302)]
    assert "Northwind Solutions is now in Gold. Its people have been told." in messages_on(response)
    partner_a.refresh_from_db()
    assert partner_a.tier == tiers["gold"]
    # The history lists the decision.
    assert "Accepted" in response.content.decode()

    response = manager_client.post(url, {"decision": "reject", "reason": "no"}, follow=True)
    assert any("already accepted by Maya Chen" in m for m in messages_on(response))
    partner_a.refresh_from_db()
    assert partner_a.tier == tiers["gold"]


def test_rejecting_without_a_reason_keeps_the_page(manager_client, gold_proposal):
    url = f"/manage/tiers/proposals/{gold_proposal.pk}/decide/"
    response = manager_client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert "Say why you reject this proposal" in response.content.decode()
    response = manager_client.post(url, {"decision": "maybe", "reason": "typed text"})
    assert response.status_code == 400
    assert "Choose Accept or Reject." in response.content.decode()
    assert "typed text" in response.content.decode()  # nothing typed is lost
    gold_proposal.refresh_from_db()
    assert gold_proposal.status == Status.PENDING

    response = manager_client.post(url, {"decision": "reject", "reason": "Not yet"}, follow=True)
    assert response.status_code == 200
    gold_proposal.refresh_from_db()
    assert gold_proposal.status == Status.REJECTED


def test_requirement_tick_view(manager_client, partner_a, tiers):
    url = f"/manage/partners/{partner_a.pk}/requirements/{tiers['plan'].pk}/tick/"
    response = manager_client.post(url, {"ticked": "1"})
    assert response.status_code == 302
    assert response.url == f"/manage/partners/{partner_a.pk}/"
    assert RequirementTick.objects.filter(partner=partner_a).exists()
    manager_client.post(url, {})  # no explicit state: toggles
    assert not RequirementTick.objects.exists()

    certified = tiers["silver"].requirements.get(kind=Kind.CERTIFIED_PEOPLE)
    response = manager_client.post(
        f"/manage/partners/{partner_a.pk}/requirements/{certified.pk}/tick/", {"ticked": "1"}
    )
    assert response.status_code == 302
    assert not RequirementTick.objects.exists()
    assert manager_client.post(f"/manage/partners/987654/requirements/{tiers['plan'].pk}/tick/").status_code == 404


def test_manage_tag_shows_tick_buttons_and_the_pending_proposal(channel_manager, partner_a, tiers, gold_proposal):
    request = RequestFactory().get("/")
    request.user = channel_manager
    template = Template('{% load program_tags %}{% tier_progress partner "manage" %}')
    html = template.render(Context({"partner": partner_a, "request": request, "csrf_token": "t"}))
    assert "Tier: Silver" in html
    assert f"/manage/partners/{partner_a.pk}/requirements/{tiers['plan'].pk}/tick/" in html
    assert "Proposal waiting: Silver → Gold" in html
    assert "<progress" in html

    html = Template('{% load program_tags %}{% tier_progress partner "portal" %}').render(
        Context({"partner": partner_a})
    )
    assert "/tick/" not in html
    assert "Proposal waiting" not in html  # partners hear about tier changes, not proposals


def test_tag_without_tiers(partner_a):
    html = Template('{% load program_tags %}{% tier_progress partner "manage" %}').render(
        Context({"partner": partner_a})
    )
    assert "No tiers configured" in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/manage/tiers/proposals/"),
        ("post", "/manage/tiers/proposals/{proposal}/decide/"),
        ("post", "/manage/partners/{partner}/requirements/{requirement}/tick/"),
    ],
)
def test_partner_users_get_404_on_manager_views(admin_client_a, partner_a, tiers, gold_proposal, method, path):
    url = path.format(proposal=gold_proposal.pk, partner=partner_a.pk, requirement=tiers["plan"].pk)
    response = getattr(admin_client_a, method)(url, {"decision": "accept"})
    assert response.status_code == 404
    gold_proposal.refresh_from_db()
    assert gold_proposal.status == Status.PENDING
    assert not RequirementTick.objects.exists()


# --- The partner's program page --------------------------------------------------------------------------------


def test_portal_program_page(admin_client_a, partner_a, tiers, fake_metrics, no_agreement_gate):
    Program.objects.filter(pk=1).update(name="Acme partner program", description="Sell Acme, grow together.")
    partner_a.tier = tiers["registered"]
    partner_a.save()
    set_metrics(fake_metrics, partner_a, certified_people=2)
    response = admin_client_a.get("/portal/program/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme partner program" in body
    assert "Sell Acme, grow together." in body
    assert "is a <strong>Registered</strong> partner" in body
    assert "Partner portal access" in body  # its benefits
    assert "Next: Silver" in body
    assert "2 of 3 certified people" in body
    assert "Joint marketing plan: not yet confirmed by your channel manager" in body
    # Every tier side by side.
    assert '<th scope="row">What it takes</th>' in body
    assert "$100,000 won revenue (12 months)" in body
    assert "10%" in body
    assert "90 days" in body


def test_portal_program_says_what_is_not_tracked(
    admin_client_a, partner_a, tiers, no_agreement_gate, certified_untracked
):
    partner_a.tier = tiers["silver"]
    partner_a.save()
    body = admin_client_a.get("/portal/program/").content.decode()
    assert "0 of 5 certified people" in body
    assert "counts once Enablement is live" in body


def test_a_seller_sees_the_program_read_only(seller_client_a, partner_a, tiers, gold_proposal, no_agreement_gate):
    response = seller_client_a.get("/portal/program/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Silver" in body
    assert "<form" not in body.split('id="main"')[1].split("</main>")[0]
    assert "Proposal" not in body  # proposals are the channel manager's business


def test_portal_program_without_tiers(admin_client_a, no_agreement_gate):
    body = admin_client_a.get("/portal/program/").content.decode()
    assert "The program is simple: one level" in body


def test_portal_program_is_for_partner_members(client, manager_client, db):
    assert client.get("/portal/program/").status_code == 302  # to sign in
    assert manager_client.get("/portal/program/").status_code == 404
