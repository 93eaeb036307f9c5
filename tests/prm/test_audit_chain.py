"""The audit chain survives erasure and catches rewrites (issue 19, item 3): events hash an immutable snapshot with a
key kept outside the database; redaction events let personal data go without breaking the chain; signed
checkpoints outside the database catch a rewrite even by someone holding the key."""

import hashlib
import hmac
import io
import json
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from partners import services
from partners.models import Partner, PartnerMembership
from prm.audit import (
    AuditError,
    audit_check,
    audit_checkpoint_write,
    audit_record,
    audit_redact,
    audit_redact_user,
    audit_verify,
)
from prm.audit_tasks import audit_checkpoint
from prm.management.commands.verify_audit import Command as VerifyAudit
from prm.models import (
    REDACTED,
    AuditChainHead,
    AuditEvent,
    NotificationPreference,
    User,
    _canonical,
    audit_chain_hash,
    audit_hmac_key,
    audit_snapshot_digest,
)

Role = PartnerMembership.Role
JON = "jon@harbor.example.com"


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"
    settings.AUDIT_HMAC_KEY = ""  # derived from SECRET_KEY, as on a default install
    return settings.AUDIT_CHECKPOINT_DIR


@pytest.fixture
def history(channel_manager):
    """Harbor Cloud's life in 7 events: created, Jon invited, he accepts and joins, his role changed, Kai invited,
    Jon removed. Jon acts in one (the acceptance) and is named in four more."""
    partner = services.partner_create(actor=channel_manager, name="Harbor Cloud", type="msp")
    invitation, _ = services.invitation_create(actor=channel_manager, partner=partner, email=JON, role="sales")
    membership = services.invitation_accept_new_user(
        invitation=invitation, first_name="Jon", last_name="Berg", password="plum-orchard-lantern-42"
    )
    services.membership_change_role(actor=channel_manager, membership=membership, role=Role.TECHNICAL, reason="Lead")
    services.invitation_create(actor=channel_manager, partner=partner, email="kai@harbor.example.com", role="sales")
    services.membership_remove(actor=channel_manager, membership=membership, reason="Jon Berg left Harbor Cloud")
    return partner


def events() -> list[AuditEvent]:
    return list(AuditEvent.objects.order_by("id"))


def verify_exit_code() -> tuple[int, str]:
    """Run `manage.py verify_audit` as the shell does: (exit status, what it printed)."""
    output = io.StringIO()
    try:
        VerifyAudit(stdout=output, stderr=output).run_from_argv(["manage.py", "verify_audit"])
    except SystemExit as exit_:
        return int(exit_.code), output.getvalue()
    return 0, output.getvalue()


def forge(event: AuditEvent, **snapshot_changes) -> None:
    """Edit an event the way someone with write access to the table would: its snapshot and the matching columns."""
    snapshot = {**event.snapshot, **snapshot_changes}
    columns = {k: v for k, v in snapshot_changes.items() if k in ("actor_label", "verb", "reason", "before", "after")}
    AuditEvent.objects.filter(pk=event.pk).update(snapshot=snapshot, **columns)


def rehash_from(start: AuditEvent, hasher) -> None:
    """Recompute the hash of `start` and of every later event with `hasher(prev_hash, snapshot)`, and move the
    chain head, so the table is self-consistent under that rule."""
    prev = start.prev_hash
    for event in AuditEvent.objects.filter(id__gte=start.pk).order_by("id"):
        new_hash = hasher(prev, event.snapshot)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=prev, hash=new_hash)
        prev = new_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)


def plain_sha256(prev: str, snapshot: dict) -> str:
    return hashlib.sha256((prev + _canonical(snapshot)).encode()).hexdigest()


def wrong_key(prev: str, snapshot: dict) -> str:
    key = b"a-guessed-key"
    return audit_chain_hash(prev, audit_snapshot_digest(snapshot, key=key), key=key)


def right_key(prev: str, snapshot: dict) -> str:
    return audit_chain_hash(prev, audit_snapshot_digest(snapshot))


# --- The snapshot ----------------------------------------------------------------------------------------------------


def test_each_event_keeps_a_snapshot_of_what_happened(history, channel_manager):
    changed = AuditEvent.objects.get(verb="membership.role_changed")
    jon = User.objects.get(email=JON)
    assert changed.snapshot == {
        "time": changed.created_at.isoformat(),
        "actor_id": channel_manager.pk,
        "actor_label": "maya@startup.example.com",
        "actor_name": "Maya Chen",
        "partner_id": history.pk,
        "partner_name": "Harbor Cloud",
        "target_type": "partners.partnermembership",
        "target_id": str(changed.target_id),
        "target_label": "Jon Berg (Technical, Harbor Cloud)",
        "verb": "membership.role_changed",
        "before": {"role": "sales"},
        "after": {"role": "technical", "user": "Jon Berg"},
        "reason": "Lead",
    }
    assert AuditEvent.objects.get(verb="partner.created").snapshot["target_label"] == "Harbor Cloud"
    accepted = AuditEvent.objects.get(verb="invitation.accepted")
    assert (accepted.snapshot["actor_id"], accepted.snapshot["actor_name"]) == (jon.pk, "Jon Berg")


def test_the_hash_is_keyed_not_plain_sha256(history):
    first = events()[0]
    key = audit_hmac_key()
    digest = hmac.new(key, ("snapshot:" + _canonical(first.snapshot)).encode(), hashlib.sha256).hexdigest()
    assert first.hash == hmac.new(key, digest.encode(), hashlib.sha256).hexdigest()
    assert first.hash != plain_sha256("", first.snapshot)


def test_a_label_never_costs_a_query(partner_a_admin):
    """A target whose `str` reaches for an unloaded relation is labelled by model and id instead."""
    preference = NotificationPreference.objects.create(user=partner_a_admin, category="deals")
    preference = NotificationPreference.objects.get(pk=preference.pk)  # `user` not loaded
    sent: list[str] = []

    def record(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        sent.append(sql)  # only what reached the database
        return result

    with connection.execute_wrapper(record):
        event = audit_record(actor=None, verb="preference.checked", target=preference)
    assert event.snapshot["target_label"] == f"notification preference #{preference.pk}"
    assert sent
    assert not [sql for sql in sent if "prm_user" in sql]


# --- Erasure ---------------------------------------------------------------------------------------------------------


def test_deleting_a_user_and_a_partner_keeps_the_chain_intact(history, capsys):
    jon = User.objects.get(email=JON)
    jon_id, partner_id = jon.pk, history.pk
    jon.delete()
    Partner.objects.get(pk=partner_id).delete()

    rows = events()
    assert [e.partner_id for e in rows] == [None] * 7
    assert AuditEvent.objects.get(verb="invitation.accepted").actor_id is None
    # The snapshot still says who and which partner.
    accepted = AuditEvent.objects.get(verb="invitation.accepted")
    assert (accepted.snapshot["actor_id"], accepted.snapshot["partner_name"]) == (jon_id, "Harbor Cloud")
    assert audit_verify() == (7, None)
    call_command("verify_audit")
    assert "Audit chain intact: 7 events verified. 0 checkpoints match." in capsys.readouterr().out
    assert verify_exit_code()[0] == 0


def test_clearing_a_foreign_key_whose_row_still_exists_is_tampering(history):
    victim = AuditEvent.objects.get(verb="membership.role_changed")
    AuditEvent.objects.filter(pk=victim.pk).update(partner=None)
    _, broken = audit_verify()
    assert (broken.event_id, broken.verb) == (victim.pk, "membership.role_changed")
    assert f"“partner_id” was cleared, but #{history.pk} still exists" in broken.problem


# --- Edits -----------------------------------------------------------------------------------------------------------


def test_editing_one_event_is_found_with_its_id_time_and_verb(history):
    victim = AuditEvent.objects.get(verb="membership.role_changed")
    assert victim.pk == events()[4].pk
    forge(victim, reason="Promoted on his own request")
    with pytest.raises(CommandError) as error:
        call_command("verify_audit")
    message = str(error.value)
    assert message.startswith(f"Audit chain broken at event #{victim.pk}: its content does not match its hash")
    assert f"The event: membership.role_changed at {victim.created_at.isoformat()}." in message
    assert "4 events before it are intact." in message
    status, output = verify_exit_code()
    assert status == 1
    assert f"event #{victim.pk}" in output


def test_editing_only_a_column_is_found(history):
    victim = events()[1]
    AuditEvent.objects.filter(pk=victim.pk).update(after={"email": "someone@else.example.com", "role": "sales"})
    _, broken = audit_verify()
    assert broken.event_id == victim.pk
    assert "“after” differs from the snapshot" in broken.problem


@pytest.mark.parametrize("hasher", [plain_sha256, wrong_key], ids=["plain-sha256", "wrong-key"])
def test_editing_and_recomputing_every_later_hash_without_the_key_is_found(history, hasher):
    victim = AuditEvent.objects.get(verb="invitation.accepted")
    assert victim.pk == events()[2].pk
    forge(victim, actor_label="mallory@example.com")
    rehash_from(victim, hasher)
    checked, broken = audit_verify()
    assert (checked, broken.event_id, broken.verb) == (2, victim.pk, "invitation.accepted")
    assert "its content does not match its hash" in broken.problem
    assert verify_exit_code()[0] == 1


def test_a_different_key_fails_the_whole_chain(history, settings):
    settings.AUDIT_HMAC_KEY = "another-installation's-key"
    _, broken = audit_verify()
    assert broken.event_id == events()[0].pk


def test_an_explicit_key_replaces_the_derived_one(channel_manager, settings):
    settings.AUDIT_HMAC_KEY = "k" * 40
    event = services.partner_create(actor=channel_manager, name="Keyed", type="msp").audit_events.get()
    key = b"k" * 40
    assert event.hash == audit_chain_hash("", audit_snapshot_digest(event.snapshot, key=key), key=key)
    assert audit_verify() == (1, None)


# --- Redaction -------------------------------------------------------------------------------------------------------


def all_audit_text() -> str:
    return json.dumps(
        list(AuditEvent.objects.values("actor_label", "before", "after", "reason", "snapshot")), default=str
    ).lower()


def test_a_redaction_keeps_the_chain_intact_and_removes_the_data(history, channel_manager):
    accepted = AuditEvent.objects.get(verb="invitation.accepted")
    original_digest = accepted.snapshot_digest()
    redaction = audit_redact(
        actor=channel_manager, event=accepted, fields=["actor_label", "actor_name"], reason="Erasure request #12"
    )
    accepted.refresh_from_db()
    assert (accepted.snapshot["actor_label"], accepted.snapshot["actor_name"]) == (REDACTED, REDACTED)
    assert accepted.actor_label == REDACTED
    assert accepted.snapshot["redacted"] == ["actor_label", "actor_name"]
    assert accepted.snapshot["actor_id"] == User.objects.get(email=JON).pk  # ids stay
    assert redaction.verb == "audit.redacted"
    assert redaction.partner_id is None  # not in the partner's activity
    assert redaction.reason == "Erasure request #12"
    [cover] = redaction.after["covers"]
    assert cover["event_id"] == accepted.pk
    assert cover["original_digest"] == original_digest
    assert cover["fields"] == ["actor_label", "actor_name"]
    assert JON not in json.dumps(redaction.snapshot)
    assert audit_verify() == (8, None)
    # The removed value can still be proven by whoever holds it.
    key = audit_hmac_key()
    proof = hmac.new(key, ("field:" + _canonical(JON)).encode(), hashlib.sha256).hexdigest()
    assert cover["field_macs"]["actor_label"] == proof
    # Nothing left to redact: no second event.
    assert audit_redact(actor=channel_manager, event=accepted, fields=["actor_label"], reason="again") is None
    assert AuditEvent.objects.count() == 8


def test_redacting_twice_still_verifies(history, channel_manager):
    removed = AuditEvent.objects.get(verb="membership.removed")
    audit_redact(actor=channel_manager, event=removed, fields=["before.user"], reason="Erasure request #12")
    audit_redact(actor=channel_manager, event=removed, fields=["reason"], reason="Erasure request #12, part 2")
    removed.refresh_from_db()
    assert removed.before == {"user": REDACTED, "role": "technical"}
    assert removed.reason == REDACTED
    assert removed.snapshot["redacted"] == ["before.user", "reason"]
    assert audit_verify() == (9, None)


def test_erasing_a_user_redacts_every_mention_then_the_delete_keeps_the_chain(history, channel_manager):
    jon = User.objects.get(email=JON)
    jon_id = jon.pk
    assert JON in all_audit_text()
    count = audit_redact_user(actor=channel_manager, user=jon, reason="GDPR erasure request 2026-14")
    assert count == 5
    redacted = dict(AuditEvent.objects.exclude(snapshot__redacted=None).values_list("verb", "snapshot__redacted"))
    assert redacted == {
        "invitation.created": ["after.email", "target_label"],
        "invitation.accepted": ["actor_label", "actor_name", "target_label"],
        "membership.created": ["actor_label", "actor_name", "after.user", "target_label"],
        "membership.role_changed": ["after.user", "target_label"],
        "membership.removed": ["before.user", "reason", "target_label"],
    }
    jon.delete()
    text = all_audit_text()
    assert JON not in text
    assert "jon berg" not in text
    assert "kai@harbor.example.com" in text  # nobody else is touched
    assert "maya@startup.example.com" in text
    removed = AuditEvent.objects.get(verb="membership.removed")
    assert removed.reason == REDACTED  # "Jon Berg left Harbor Cloud"
    assert removed.summary == f"removed {REDACTED}"
    changed = AuditEvent.objects.get(verb="membership.role_changed")
    assert changed.reason == "Lead"  # does not name him
    redactions = AuditEvent.objects.filter(verb="audit.redacted")
    assert [r.after["events"] for r in redactions] == [5]
    assert audit_verify() == (8, None)
    # Running it again (the user object kept in memory) finds nothing left to redact.
    assert audit_redact_user(actor=channel_manager, user=User(pk=jon_id, email=JON), reason="again") == 0


def test_a_redacted_event_that_is_then_altered_is_found(history, channel_manager):
    accepted = AuditEvent.objects.get(verb="invitation.accepted")
    audit_redact(actor=channel_manager, event=accepted, fields=["actor_label"], reason="Erasure request #12")
    accepted.refresh_from_db()
    forge(accepted, verb="invitation.revoked")
    _, broken = audit_verify()
    assert broken.event_id == accepted.pk
    assert "the redacted row was altered" in broken.problem


def test_a_redaction_marker_without_a_redaction_event_is_found(history):
    victim = AuditEvent.objects.get(verb="invitation.accepted")
    forge(victim, actor_label=REDACTED, redacted=["actor_label"])
    _, broken = audit_verify()
    assert broken.event_id == victim.pk
    assert "no redaction event covers it" in broken.problem


def test_an_altered_event_cannot_be_laundered_by_redacting_it(history, channel_manager):
    victim = AuditEvent.objects.get(verb="invitation.accepted")
    forge(victim, reason="forged")
    with pytest.raises(AuditError, match=rf"Event #{victim.pk} does not match its hash"):
        audit_redact(actor=channel_manager, event=victim, fields=["reason"], reason="cover it up")
    assert not AuditEvent.objects.filter(verb="audit.redacted").exists()


def test_redaction_needs_a_reason_and_a_known_field(history, channel_manager):
    victim = AuditEvent.objects.get(verb="invitation.accepted")
    with pytest.raises(AuditError, match="Say why"):
        audit_redact(actor=channel_manager, event=victim, fields=["actor_label"], reason=" ")
    with pytest.raises(AuditError, match="no field “verb” that can be redacted"):
        audit_redact(actor=channel_manager, event=victim, fields=["verb"], reason="r")
    with pytest.raises(AuditError, match=r"no field “before\.nothing”"):
        audit_redact(actor=channel_manager, event=victim, fields=["before.nothing"], reason="r")
    victim.refresh_from_db()
    assert victim.actor_label == JON
    assert audit_verify() == (7, None)


# --- Checkpoints -----------------------------------------------------------------------------------------------------


def checkpoint_lines(directory) -> list[dict]:
    return [json.loads(line) for path in sorted(directory.glob("*.jsonl")) for line in path.read_text().splitlines()]


def test_the_beat_writes_a_signed_checkpoint_and_mails_the_admins(history, checkpoint_dir, settings):
    settings.ADMINS = [("Security", "security@startup.example.com")]
    assert settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]["task"] == audit_checkpoint.name
    assert "prm.audit_tasks" in settings.CELERY_IMPORTS
    newest = events()[-1]
    audit_checkpoint.delay()
    [line] = checkpoint_lines(checkpoint_dir)
    assert line["event_id"] == newest.pk
    assert line["hash"] == newest.hash
    assert line["event_time"] == newest.created_at.isoformat()
    assert line["verb"] == "membership.removed"
    unsigned = {k: v for k, v in line.items() if k != "signature"}
    expected = hmac.new(audit_hmac_key(), ("checkpoint:" + _canonical(unsigned)).encode(), hashlib.sha256).hexdigest()
    assert line["signature"] == expected
    [message] = mail.outbox
    assert message.to == ["security@startup.example.com"]
    assert f"event #{newest.pk}" in message.subject
    assert json.dumps(line, sort_keys=True) in message.body
    # Nothing new: nothing written, nothing mailed.
    assert audit_checkpoint_write() is None
    assert len(checkpoint_lines(checkpoint_dir)) == 1
    assert len(mail.outbox) == 1
    result = audit_check()
    assert (result.events, result.checkpoints, result.broken) == (7, 1, None)


def test_a_rewrite_with_the_key_is_found_by_the_checkpoint(history, checkpoint_dir, capsys, channel_manager):
    """An insider who has the key rewrites history and re-hashes everything after it: the chain verifies under the
    key, but not against the checkpoint written before."""
    rows = events()
    audit_checkpoint_write()  # covers the 7 events
    services.invitation_create(actor=channel_manager, partner=history, email="lea@harbor.example.com", role="sales")
    victim = rows[2]
    forge(victim, reason="backdated")
    rehash_from(victim, right_key)
    checked, broken = audit_verify()
    assert checked == 8  # every hash and link is right under the key
    assert broken.event_id == rows[-1].pk  # the checkpointed event
    assert broken.verb == "membership.removed"
    assert "does not match the checkpoint written" in broken.problem
    assert "rewritten from the start, at or before this event" in broken.problem
    status, output = verify_exit_code()
    assert status == 1
    assert f"Audit chain broken at event #{rows[-1].pk}" in output


def test_the_last_matching_checkpoint_bounds_the_rewrite(history, checkpoint_dir, channel_manager):
    rows = events()
    audit_checkpoint_write()
    services.invitation_create(actor=channel_manager, partner=history, email="lea@harbor.example.com", role="sales")
    audit_checkpoint_write()
    later = events()[-1]
    services.invitation_create(actor=channel_manager, partner=history, email="max@harbor.example.com", role="sales")
    assert len(checkpoint_lines(checkpoint_dir)) == 2
    forge(later, reason="rewritten")
    rehash_from(later, right_key)
    _, broken = audit_verify()
    assert broken.event_id == later.pk
    assert f"rewritten after event #{rows[-1].pk}, at or before this event" in broken.problem
    assert broken.intact_before == 7


def test_a_checkpoint_that_was_edited_is_found(history, checkpoint_dir):
    audit_checkpoint_write()
    [path] = checkpoint_dir.glob("*.jsonl")
    line = json.loads(path.read_text())
    line["hash"] = events()[0].hash
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match=re.escape(f"Audit chain broken at the checkpoint in {path.name} line 1")):
        call_command("verify_audit")


def test_a_removed_row_that_a_checkpoint_names_is_found(history, checkpoint_dir):
    audit_checkpoint_write()
    newest = events()[-1]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM prm_auditevent WHERE id = %s", [newest.pk])
    AuditChainHead.objects.filter(pk=1).update(last_hash=events()[-1].hash)
    _, broken = audit_verify()
    assert broken.event_id == newest.pk
    assert "it is missing, but the checkpoint written" in broken.problem


def test_no_checkpoint_is_signed_over_a_broken_chain(history, checkpoint_dir, settings):
    settings.ADMINS = [("Security", "security@startup.example.com")]
    victim = events()[4]
    forge(victim, reason="forged")
    assert audit_checkpoint_write() is None
    assert not checkpoint_dir.exists() or checkpoint_lines(checkpoint_dir) == []
    [alert] = mail.outbox
    assert alert.subject.endswith("Audit chain broken: no checkpoint written")
    assert f"event #{victim.pk}" in alert.body


def test_an_empty_chain_needs_no_checkpoint(db, checkpoint_dir, capsys):
    assert audit_checkpoint_write() is None
    call_command("verify_audit")
    assert "Audit chain intact: 0 events verified. 0 checkpoints match." in capsys.readouterr().out
