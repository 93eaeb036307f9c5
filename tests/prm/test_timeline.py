"""Timeline sentences (prm.timeline): possessives of names ending in s, both audiences, every timeline page."""

import re

import pytest
from django.urls import reverse

from dealreg.models import Registration
from partners import services as partner_services
from partners.models import PartnerMembership
from prm.audit import audit_record, audit_timeline
from prm.phrases import fill, possessive
from prm.templatetags.words import possessive as possessive_filter
from prm.timeline import (
    CHANNEL_TEAM,
    Actor,
    actor_for,
    manager_sentence,
    partner_sentence,
)
from tests.dealreg.factories_views import submitted
from tests.factories import MembershipFactory


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anna", "Anna's"),
        ("Nikos", "Nikos'"),
        ("James", "James'"),
        ("Quartz Systems", "Quartz Systems'"),
        ("ATLAS", "ATLAS'"),
        ("Atlas Distribution", "Atlas Distribution's"),
        ("  Inès Laurent ", "Inès Laurent's"),
        ("", ""),
    ],
)
def test_possessive_one_rule(name, expected):
    assert possessive(name) == expected
    assert possessive_filter(name) == expected


def test_fill_possessive_missing_values_and_strictness():
    assert fill("changed {user!p} role to {role}", {"user": "Nikos Papadopoulos", "role": "sales"}) == (
        "changed Nikos Papadopoulos' role to sales"
    )
    assert fill("invited {email} as {role}", {"email": "x@example.com"}) == "invited x@example.com as "
    assert fill("changed the tier to {tier}", {}, strict=True) == "changed the tier to"
    assert fill("odd {brace", {}) == "odd"  # a broken template never raises


def test_partner_audience_names_colleagues_and_calls_the_startup_our_channel_team():
    names = {7: "James Wood"}
    colleague = actor_for(actor_id=7, audience="partner", names=names)
    team = actor_for(actor_id=99, audience="partner", names=names)
    system = actor_for(actor_id=None, audience="partner", names=names)
    assert partner_sentence("Conflict resolved", team) == f"Conflict resolved by {CHANNEL_TEAM}"
    assert partner_sentence("Submitted for approval", colleague) == "Submitted for approval by James Wood"
    assert partner_sentence("Protection expired", system) == "Protection expired automatically"
    assert partner_sentence("Approved automatically", system) == "Approved automatically"  # not said twice
    assert partner_sentence("Approved{by}: {money} reserved", team, {"money": "$2,000.00"}) == (
        "Approved by our channel team: $2,000.00 reserved"
    )


def test_manager_audience_puts_the_name_first_and_a_worker_has_no_subject():
    manager = actor_for(actor_id=3, audience="manager", names={3: "Maya Chen"})
    deleted = actor_for(actor_id=None, audience="manager", names={}, label="gone@example.com")
    system = actor_for(actor_id=None, audience="manager", names={}, label="system")
    assert manager_sentence("approved the application", manager) == ("Maya Chen", "approved the application")
    assert manager_sentence("removed x", deleted) == ("gone@example.com", "removed x")
    assert manager_sentence("marked the partner dormant", system) == ("", "Marked the partner dormant")
    assert system == Actor("", is_system=True)


def test_a_verb_without_a_sentence_still_reads_as_one(partner_a, channel_manager):
    audit_record(actor=channel_manager, verb="deal.approved", target=partner_a, partner=partner_a)
    audit_record(actor=channel_manager, verb="deal.won", target=partner_a, partner=partner_a)
    audit_record(actor=channel_manager, verb="deal.info_requested", target=partner_a, partner=partner_a)
    assert [line.sentence for line in audit_timeline(partner=partner_a)] == [
        "Maya Chen deal info requested",
        "Maya Chen won the deal",
        "Maya Chen approved the deal",
    ]


def test_partner_activity_reads_as_sentences_with_possessives(manager_client, channel_manager, partner_a):
    nikos = MembershipFactory(
        partner=partner_a, role=PartnerMembership.Role.SALES, user__first_name="Nikos", user__last_name="Pappas"
    ).user
    MembershipFactory(partner=partner_a, role=PartnerMembership.Role.ADMIN)  # so Nikos is not the last admin
    partner_services.membership_change_role(
        actor=channel_manager, membership=nikos.membership, role=PartnerMembership.Role.TECHNICAL, reason=""
    )
    audit_record(actor=None, verb="partner.dormant", target=partner_a, partner=partner_a, after={"idle_days": 95})

    lines = audit_timeline(partner=partner_a)
    assert [line.sentence for line in lines] == [
        "Marked the partner dormant after 95 days without activity",
        "Maya Chen changed Nikos Pappas' role to technical",
    ]
    body = manager_client.get(reverse("manage:partner_detail", args=[partner_a.pk])).content.decode()
    assert "<strong>Maya Chen</strong> changed Nikos Pappas&#x27; role to technical" in body
    assert re.search(r"Marked the partner dormant after 95 days without activity\s*<small", body)
    assert channel_manager.email not in body.split('id="activity"')[1]  # names, not email addresses


def test_deal_timeline_as_the_partner_reads_it(admin_client_a, partner_a, partner_a_admin, channel_manager):
    registration = submitted(partner_a)
    for actor, verb, reason in [
        (partner_a_admin, "deal.submitted", ""),
        (channel_manager, "deal.conflict_resolved", "You registered first."),
        (None, "deal.expired", ""),
    ]:
        audit_record(actor=actor, verb=verb, target=registration, partner=partner_a, reason=reason)
    body = admin_client_a.get(reverse("portal:deal_detail", args=[registration.pk])).content.decode()
    assert f"Submitted for approval by {partner_a_admin.display_name}" in body
    assert "Conflict resolved by our channel team" in body
    assert "You registered first." in body
    assert "Protection expired automatically" in body
    assert channel_manager.display_name not in body
    assert Registration.objects.filter(pk=registration.pk).exists()
