"""The audit trail: services append hash-chained events; `verify_audit` notices any altered or missing row."""

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from partners import services
from partners.models import PartnerMembership
from prm.audit import audit_record, audit_verify
from prm.models import AuditChainHead, AuditEvent

Role = PartnerMembership.Role


@pytest.fixture(autouse=True)
def _own_checkpoints(settings, tmp_path):
    """Checkpoints a developer's beat wrote for their own database must not be compared with the test database."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture
def history(channel_manager):
    """A partner's life so far, written by the services: created, two invitations, one accepted, a role
    change, a removal."""
    partner = services.partner_create(actor=channel_manager, name="Harbor Cloud", type="msp")
    services.invitation_create(actor=channel_manager, partner=partner, email="ivy@harbor.example.com", role="admin")
    invitation, _ = services.invitation_create(
        actor=channel_manager, partner=partner, email="jon@harbor.example.com", role="sales"
    )
    membership = services.invitation_accept_new_user(
        invitation=invitation, first_name="Jon", last_name="", password="plum-orchard-lantern-42"
    )
    services.membership_change_role(actor=channel_manager, membership=membership, role=Role.TECHNICAL, reason="Lead")
    services.invitation_create(actor=channel_manager, partner=partner, email="kai@harbor.example.com", role="sales")
    services.membership_remove(actor=channel_manager, membership=membership, reason="Left")
    return partner


def verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))


def test_services_write_the_events(history, channel_manager):
    assert verbs() == [
        "partner.created",
        "invitation.created",
        "invitation.created",
        "invitation.accepted",
        "membership.created",
        "membership.role_changed",
        "invitation.created",
        "membership.removed",
    ]
    assert set(AuditEvent.objects.values_list("partner", flat=True)) == {history.pk}
    accepted = AuditEvent.objects.get(verb="invitation.accepted")
    assert accepted.actor_label == "jon@harbor.example.com"
    changed = AuditEvent.objects.get(verb="membership.role_changed")
    assert (changed.before, changed.after["role"], changed.reason) == ({"role": "sales"}, "technical", "Lead")
    assert changed.actor == channel_manager
    removed = AuditEvent.objects.get(verb="membership.removed")
    assert removed.before == {"user": "jon@harbor.example.com", "role": "technical"}


def test_each_event_points_at_the_previous_one(history):
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == ""
    for previous, event in itertools.pairwise(events):
        assert event.prev_hash == previous.hash
        assert event.hash == event.compute_hash()
    assert AuditChainHead.objects.get(pk=1).last_hash == events[-1].hash


def test_verify_audit_passes_on_an_intact_chain(history, capsys):
    call_command("verify_audit")
    assert "Audit chain intact: 8 events verified." in capsys.readouterr().out
    assert audit_verify(batch_size=3) == (8, None)  # batching does not change the answer


def test_verify_audit_passes_on_an_empty_chain(db, capsys):
    call_command("verify_audit")
    assert "Audit chain intact: 0 events verified." in capsys.readouterr().out


def test_an_altered_row_is_detected(history):
    victim = AuditEvent.objects.get(verb="membership.role_changed")
    # A queryset update goes straight to the database, as someone editing the table would.
    AuditEvent.objects.filter(pk=victim.pk).update(reason="tampered")
    with pytest.raises(CommandError, match=rf"event #{victim.pk}: its content does not match its hash") as error:
        call_command("verify_audit")
    assert "5 events before it are intact" in str(error.value)


@pytest.mark.parametrize(
    "change",
    [
        {"after": {"role": "finance"}},
        {"actor_label": "someone-else@example.com"},
        {"verb": "membership.created"},
        {"partner": None},
    ],
)
def test_any_altered_field_is_detected(history, change):
    victim = AuditEvent.objects.get(verb="membership.role_changed")
    AuditEvent.objects.filter(pk=victim.pk).update(**change)
    _, broken = audit_verify()
    assert broken is not None
    assert broken.event_id == victim.pk


def test_a_deleted_middle_row_is_detected(history):
    events = list(AuditEvent.objects.order_by("id"))
    middle, following = events[3], events[4]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM prm_auditevent WHERE id = %s", [middle.pk])
    with pytest.raises(CommandError, match=rf"event #{following.pk}: it does not point at the previous event"):
        call_command("verify_audit")


def test_a_deleted_newest_row_is_detected(history):
    newest = AuditEvent.objects.order_by("-id").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM prm_auditevent WHERE id = %s", [newest.pk])
    with pytest.raises(CommandError, match="the chain head: the newest event is missing"):
        call_command("verify_audit")


def test_a_rehashed_forgery_still_breaks_the_next_link(history):
    """Someone who alters a row and recomputes its hash (even with the key) breaks the link from the row after it."""
    events = list(AuditEvent.objects.order_by("id"))
    victim = events[2]
    victim.snapshot["reason"] = "forged"
    forged_hash = victim.compute_hash()
    AuditEvent.objects.filter(pk=victim.pk).update(reason="forged", snapshot=victim.snapshot, hash=forged_hash)
    _, broken = audit_verify()
    assert broken is not None
    assert broken.event_id == events[3].pk


def test_events_cannot_be_changed_or_deleted_through_the_model(history):
    event = AuditEvent.objects.order_by("id").first()
    event.reason = "edited"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    event.refresh_from_db()
    assert event.reason == ""
    assert AuditEvent.objects.count() == 8
    call_command("verify_audit")


def test_system_events_have_no_actor(partner_a):
    event = audit_record(actor=None, verb="partner.checked", target=partner_a, partner=partner_a, reason="sweep")
    assert event.actor_label == "system"
    assert event.summary == "partner checked"
    assert audit_verify() == (1, None)


def test_event_summaries_read_as_sentences(history):
    summaries = [e.summary for e in AuditEvent.objects.order_by("id")]
    assert summaries[0] == "added the partner"
    assert summaries[1] == "invited ivy@harbor.example.com as admin"
    assert summaries[4] == "jon@harbor.example.com joined as sales"
    assert summaries[-1] == "removed jon@harbor.example.com"
