"""Writing the plan: drafts, rules and their validation, immutability once published, publishing with the
plain-words diff sent to partners, the plan in plain words."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incentives import services
from incentives.models import DealPayoutRule, PlanVersion
from incentives.wording import plan_diff
from partners.models import Tier
from prm.models import AuditEvent, Notification
from tests.incentives.helpers import pct, published_version, with_rules

pytestmark = pytest.mark.django_db


def _payout(**overrides):
    return {"involvement": "sourced", "kind": "percent", "percent": "10", "currency": "", **overrides}


def _boost(**overrides):
    today = timezone.localdate()
    return {
        "name": "Spring push",
        "kind": "extra_percent",
        "value": "2",
        "starts_on": today,
        "ends_on": today + timedelta(days=30),
        **overrides,
    }


def test_plain_manager_cannot_change_the_plan(channel_manager):
    with pytest.raises(PermissionDenied):
        services.version_create_draft(actor=channel_manager)


def test_negative_and_silly_percents_are_refused(program_admin):
    draft = services.version_create_draft(actor=program_admin)
    with pytest.raises(ValidationError) as exc:
        services.payout_rule_save(actor=program_admin, version=draft, data=_payout(percent="-5"))
    assert exc.value.message_dict == {"percent": ["The percent cannot be negative."]}
    with pytest.raises(ValidationError) as exc:
        services.payout_rule_save(actor=program_admin, version=draft, data=_payout(percent="ten"))
    assert exc.value.message_dict["percent"] == ["Give the percent as a number, like 10 or 2.5."]
    with pytest.raises(ValidationError) as exc:
        services.payout_rule_save(actor=program_admin, version=draft, data=_payout(cap_amount="5000"))
    assert exc.value.message_dict["currency"] == ["Give the currency of the fee, minimum or cap, like USD."]
    with pytest.raises(ValidationError) as exc:
        services.version_update(actor=program_admin, version=draft, data={"renewal_rebate_percent": "-1"})
    assert exc.value.message_dict["renewal_rebate_percent"] == ["The renewal rebate percent cannot be negative."]
    assert not DealPayoutRule.objects.exists()


def test_one_payout_per_involvement_and_currency(program_admin):
    draft = services.version_create_draft(actor=program_admin)
    services.payout_rule_save(actor=program_admin, version=draft, data=_payout())
    with pytest.raises(ValidationError) as exc:
        services.payout_rule_save(actor=program_admin, version=draft, data=_payout(percent="12"))
    assert "already a payout for this involvement" in str(exc.value)


def test_overlapping_boosts_are_refused_with_a_clear_message(program_admin):
    draft = services.version_create_draft(actor=program_admin)
    today = timezone.localdate()
    services.boost_save(actor=program_admin, version=draft, data=_boost(region="emea"))
    with pytest.raises(ValidationError) as exc:
        services.boost_save(
            actor=program_admin,
            version=draft,
            data=_boost(name="Late push", starts_on=today + timedelta(days=30), ends_on=today + timedelta(days=40)),
        )
    [message] = exc.value.message_dict["starts_on"]
    assert message.startswith("This boost overlaps “Spring push” (")
    assert "A deal gets at most one boost: change the dates or narrow the scope." in message
    # Another region, or after the first ends: fine.
    services.boost_save(actor=program_admin, version=draft, data=_boost(name="APAC push", region="apac"))
    services.boost_save(
        actor=program_admin,
        version=draft,
        data=_boost(name="Summer", starts_on=today + timedelta(days=31), ends_on=today + timedelta(days=60)),
    )
    assert draft.boosts.count() == 3
    with pytest.raises(ValidationError) as exc:
        services.boost_save(
            actor=program_admin,
            version=draft,
            data=_boost(name="Backwards", starts_on=today + timedelta(days=90), ends_on=today + timedelta(days=80)),
        )
    assert exc.value.message_dict["ends_on"] == ["The boost cannot end before it starts."]


def test_published_rules_never_change(program_admin):
    version = with_rules(published_version(1, date(2026, 1, 1)), payouts=[{"involvement": "sourced", **pct("10")}])
    with pytest.raises(ValidationError):
        services.payout_rule_save(actor=program_admin, version=version, data=_payout(involvement="cosell"))
    with pytest.raises(ValidationError):
        services.version_update(actor=program_admin, version=version, data={"first_win_bonus": "5"})
    rule = version.payout_rules.get()
    rule.percent = Decimal("50")
    with pytest.raises(ValidationError):
        rule.save()
    with pytest.raises(ValidationError):
        rule.delete()
    version.first_win_bonus = Decimal("1")
    with pytest.raises(ValidationError):
        version.save()
    assert version.payout_rules.get().percent == Decimal("10.00")


def test_a_new_draft_copies_the_current_version(program_admin):
    with_rules(
        published_version(1, date(2026, 1, 1), first_win_bonus=Decimal("500"), first_win_currency="USD"),
        payouts=[{"involvement": "sourced", **pct("10")}],
        boosts=[
            {
                "name": "Old push",
                "kind": "extra_percent",
                "value": Decimal("1"),
                "starts_on": date(2026, 1, 1),
                "ends_on": date(2026, 2, 1),
            }
        ],
    )
    draft = services.version_create_draft(actor=program_admin)
    assert (draft.number, draft.status, draft.first_win_bonus) == (2, "draft", Decimal("500.00"))
    assert list(draft.payout_rules.values_list("involvement", "percent")) == [("sourced", Decimal("10.00"))]
    assert list(draft.boosts.values_list("name", flat=True)) == ["Old push"]
    with pytest.raises(ValidationError) as exc:
        services.version_create_draft(actor=program_admin)
    assert "Version 2 is a draft already" in str(exc.value)


def test_publish_refuses_past_dates_and_empty_versions(program_admin):
    draft = services.version_create_draft(actor=program_admin)
    with pytest.raises(ValidationError) as exc:
        services.version_publish(actor=program_admin, version=draft, effective_from=timezone.localdate())
    assert "no rule yet" in str(exc.value)
    services.payout_rule_save(actor=program_admin, version=draft, data=_payout())
    with pytest.raises(ValidationError) as exc:
        services.version_publish(
            actor=program_admin, version=draft, effective_from=timezone.localdate() - timedelta(days=1)
        )
    assert exc.value.message_dict["effective_from"] == [
        "The effective date cannot be in the past: terms never change retroactively."
    ]
    draft.refresh_from_db()
    assert draft.status == PlanVersion.Status.DRAFT


def test_publishing_tells_partner_admins_the_difference_before_it_takes_effect(
    program_admin, partner_a_admin, partner_a_seller, partner_b_user
):
    v1 = with_rules(
        published_version(1, date(2026, 1, 1)),
        payouts=[{"involvement": "sourced", **pct("8")}, {"involvement": "influenced", **pct("3")}],
    )
    draft = services.version_create_draft(actor=program_admin)
    draft.payout_rules.filter(involvement="influenced").delete()
    rule = draft.payout_rules.get(involvement="sourced")
    services.payout_rule_save(
        actor=program_admin, version=draft, rule=rule, data=_payout(percent="10", currency="USD", cap_amount="5000")
    )
    services.version_update(
        actor=program_admin,
        version=draft,
        data={"first_win_bonus": "1,000", "first_win_currency": "usd", "notes": "More for sourcing"},
    )
    start = timezone.localdate() + timedelta(days=14)
    version, told = services.version_publish(actor=program_admin, version=draft, effective_from=start)
    assert (version.status, version.effective_from, version.published_by) == ("published", start, program_admin)
    assert told == 2
    assert services.plan_version_in_force() == v1  # not yet
    assert services.plan_version_in_force(start) == version
    recipients = set(Notification.objects.filter(template="incentives_plan_published").values_list("email", flat=True))
    assert recipients == {partner_a_admin.email, partner_b_user.email}  # admins, not the seller
    message = next(m for m in mail.outbox if partner_a_admin.email in m.to) if mail.outbox else None
    notification = Notification.objects.filter(email=partner_a_admin.email).first()
    text = message.body if message else notification.body_text
    assert "Changed: On a deal you source: 10% of the won amount, up to $5,000.00 (deals in USD)." in text
    assert "(was: On a deal you source: 8% of the won amount.)" in text
    assert "Removed: On a deal you influence: 3% of the won amount." in text
    assert "New: Your first won deal: a bonus of $1,000.00." in text
    assert f"{start:%B %-d, %Y}" in text
    event = AuditEvent.objects.get(verb="incentives.version_published")
    assert event.after["effective_from"] == start.isoformat()
    with pytest.raises(ValidationError):
        services.version_publish(actor=program_admin, version=version, effective_from=start)


def test_later_version_must_take_effect_after_the_last(program_admin):
    published_version(1, timezone.localdate() + timedelta(days=10))
    draft = services.version_create_draft(actor=program_admin)
    services.payout_rule_save(actor=program_admin, version=draft, data=_payout(involvement="cosell"))
    with pytest.raises(ValidationError) as exc:
        services.version_publish(
            actor=program_admin, version=draft, effective_from=timezone.localdate() + timedelta(days=5)
        )
    assert "this one must take effect after it" in str(exc.value)


def test_the_plan_in_plain_words(db):
    Tier.objects.create(name="Gold", rank=3, discount_percent=Decimal("20"))
    Tier.objects.create(name="Registered", rank=1)
    version = with_rules(
        published_version(
            3,
            date(2026, 1, 1),
            first_win_bonus=Decimal("1000"),
            first_win_currency="EUR",
            renewal_rebate_percent=Decimal("2.5"),
        ),
        payouts=[
            {"involvement": "sourced", **pct("10"), "currency": "USD", "cap_amount": Decimal("5000")},
            {
                "involvement": "influenced",
                "kind": "fixed",
                "fixed_amount": Decimal("500"),
                "currency": "USD",
                "min_deal_amount": Decimal("10000"),
            },
        ],
        boosts=[
            {
                "name": "EMEA push",
                "kind": "extra_percent",
                "value": Decimal("2"),
                "starts_on": date(2026, 3, 1),
                "ends_on": date(2026, 3, 31),
                "region": "emea",
                "product": "Analytics",
            }
        ],
    )
    texts = [s.text for s in services.version_sentences(version)]
    assert texts == [
        "As a Gold partner you buy at a 20% discount.",
        "On a deal you source: 10% of the won amount, up to $5,000.00 (deals in USD).",
        "On a deal you influence: a fee of $500.00, on deals of $10,000.00 or more.",
        "Your first won deal: a bonus of €1,000.00.",
        "When a customer you brought renews: 2.5% of the renewed amount.",
        "EMEA push: +2% of the won amount on deals won from Mar 1, 2026 to Mar 31, 2026, for partners in "
        "Europe, Middle East & Africa, deals including “Analytics”.",
        "Earnings are approved for payment 30 days after they accrue, then paid in the next payout run.",
    ]
    # The margin is read from the tier, not copied: changing the tier changes the plan's words.
    Tier.objects.filter(name="Gold").update(discount_percent=Decimal("22"))
    assert services.version_sentences(version)[0].text == "As a Gold partner you buy at a 22% discount."


def test_first_version_diff_lists_everything_new(db):
    version = with_rules(published_version(1, date(2026, 1, 1)), payouts=[{"involvement": "sourced", **pct("10")}])
    sentences = services.version_sentences(version)
    assert plan_diff(None, sentences)[0] == "New: On a deal you source: 10% of the won amount."
    assert plan_diff(sentences, sentences) == []
