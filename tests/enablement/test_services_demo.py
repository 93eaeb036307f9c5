"""The enablement demo: a catalogue with both paths, every asset kind, people at every certification status, and
safe to run again."""

import io

from django.core.management import call_command
from django.utils import timezone

from enablement import selectors
from enablement.demo import seed_enablement
from enablement.models import Asset, CertificationAward, Course, Enrollment
from prm.models import AuditEvent, User

Status = CertificationAward.Status


def _status_of(email: str) -> set[str]:
    user = User.objects.get(email=email)
    return {row.status for row in selectors.certification_progress(user=user)}


def test_demo_catalogue_and_people_at_every_status(db):
    call_command("seed_demo", stdout=io.StringIO())
    out = io.StringIO()
    seed_enablement(stdout=out)
    assert "Enablement demo ready" in out.getvalue()

    assert set(Asset.objects.values_list("kind", flat=True)) == set(Asset.Kind.values)
    stored = [a for a in Asset.objects.all() if a.file]
    assert {a.file.name.rsplit(".", 1)[-1] for a in stored} == {"pdf", "txt"}
    assert all(a.file.storage.exists(a.file.name) for a in stored)
    with stored[0].file.open("rb") as handle:
        assert handle.read(5) in (b"%PDF-", b"Imple")

    assert Course.objects.filter(role="sales", is_published=True).count() >= 3
    assert Course.objects.filter(role="technical", is_published=True).count() >= 3
    for course in Course.objects.exclude(slug="partner-program-welcome"):
        assert course.lessons.count() >= 1
        questions = course.assessment.questions.all()
        assert {q.multiple for q in questions} == {True, False}
    assert "<h2>" in Course.objects.get(slug="sales-foundations").lessons.first().body_html

    today = timezone.localdate()
    statuses = {award.status_on(today) for award in CertificationAward.objects.all()}
    assert statuses == {Status.ACTIVE, Status.EXPIRING_SOON, Status.EXPIRED, Status.RENEWED, Status.REVOKED}
    assert Status.ACTIVE in _status_of("sam@northwind.example.com")
    assert Status.EXPIRING_SOON in _status_of("lee@northwind.example.com")
    assert Status.IN_PROGRESS in _status_of("anna@northwind.example.com")
    assert Status.EXPIRED in _status_of("marco@atlas-dist.example.com")
    assert Status.REVOKED in _status_of("omar@quartz.example.com")
    ines = CertificationAward.objects.filter(user__email="ines@atlas-dist.example.com").order_by("awarded_at")
    old, new = list(ines)
    assert old.renewed_by == new
    assert new.renewal_of == old
    from enablement.services import add_months

    assert new.expires_at == add_months(old.expires_at, 12)
    assert new.status == Status.ACTIVE
    # An idle enrollment for the nudge, and a failed attempt before a pass.
    assert Enrollment.objects.filter(user__email="anna@northwind.example.com", status="in_progress").exists()
    grace = Enrollment.objects.get(user__email="grace@brightpath.example.com", course__slug="sales-foundations")
    assert [a.passed for a in grace.attempts.order_by("number")] == [False, True]
    assert Enrollment.objects.filter(seconds_spent__gt=0).count() >= 10
    # Northwind (Silver: 2 certified people) keeps its requirement; Quartz stays dormant.
    from partners.models import Partner

    assert Partner.objects.get(name="Quartz Systems").status == "dormant"

    # Every enablement event reads as a sentence in the partner's timeline.
    from prm.models import AUDIT_SENTENCES

    events = AuditEvent.objects.filter(verb__startswith="enablement.")
    assert events.count() > 50
    for event in events:
        assert event.verb in AUDIT_SENTENCES, event.verb
        assert "{" not in event.summary
        if "{" in AUDIT_SENTENCES[event.verb]:
            assert event.summary != AUDIT_SENTENCES[event.verb].split("{")[0].strip(), event.verb

    def counts():
        return [m.objects.count() for m in (Asset, Course, Enrollment, CertificationAward, AuditEvent)]

    before = counts()
    seed_enablement()
    assert counts() == before
    call_command("verify_audit", stdout=io.StringIO())


def test_demo_without_seed_demo_says_what_to_do(db):
    out = io.StringIO()
    seed_enablement(stdout=out)
    assert "run seed_demo first" in out.getvalue()
    assert not Course.objects.exists()
