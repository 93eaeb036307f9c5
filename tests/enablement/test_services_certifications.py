"""Certifications: awards and their expiry, renewal dates, revocation, the public switch, progress."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enablement import selectors, services
from enablement.models import CertificationAward, Enrollment
from prm.models import AuditEvent, Notification
from tests.enablement.factories import CertificationFactory, CourseFactory, LessonFactory, finish_lesson, learner

Status = CertificationAward.Status


def at(year, month, day) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def finish(user, partner, course, when):
    """Complete a course (no assessment) at `when`, starting it or retaking it as needed."""
    enrollment = Enrollment.objects.filter(user=user, course=course).first()
    if enrollment is None:
        enrollment = services.enrollment_start(user=user, partner=partner, course=course, now=when)
    elif enrollment.is_completed:
        enrollment = services.enrollment_retake(user=user, enrollment=enrollment, now=when)
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson, seconds=300, now=when)
    return enrollment


@pytest.fixture
def path(db):
    """A two-course sales path, a short renewal course, and the certification (12 months)."""
    first, second, renewal = (CourseFactory(title=t) for t in ("Pitch", "Objections", "Sales refresher"))
    for course in (first, second, renewal):
        LessonFactory(course=course)
    certification = CertificationFactory(
        name="Certified Sales Professional", courses=[first, second], renewal_course=renewal
    )
    return certification, first, second, renewal


def test_completing_the_path_awards_the_certification_with_its_expiry(path, partner_a, partner_a_admin):
    certification, first, second, _ = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2026, 1, 10))
    assert not CertificationAward.objects.exists()
    [progress] = selectors.certification_progress(user=seller, today=at(2026, 1, 11).date())
    assert progress.status == Status.IN_PROGRESS
    assert progress.percent == 50
    assert progress.missing == [second]

    finish(seller, partner_a, second, at(2026, 1, 20))
    award = CertificationAward.objects.get()
    assert (award.user, award.partner, award.certification) == (seller, partner_a, certification)
    assert award.awarded_at == at(2026, 1, 20)
    assert award.expires_at == at(2027, 1, 20).date()
    assert award.status_on(at(2026, 6, 1).date()) == Status.ACTIVE
    assert award.status_on(at(2026, 12, 1).date()) == Status.EXPIRING_SOON
    assert award.status_on(at(2027, 1, 21).date()) == Status.EXPIRED
    assert AuditEvent.objects.filter(verb="enablement.certification_awarded", partner=partner_a).count() == 1
    told = set(Notification.objects.filter(template="enablement_certified").values_list("recipient", flat=True))
    assert told == {seller.pk, partner_a_admin.pk}
    holder_mail = Notification.objects.get(template="enablement_certified", recipient=seller)
    assert f"/verify/{award.code}/" in holder_mail.body_text
    assert "valid until 20 January 2027" in holder_mail.body_text
    # Checking again awards nothing more.
    assert services.certifications_check(user=seller, partner=partner_a, now=at(2026, 2, 1)) == []


def test_renewal_before_expiry_extends_from_the_old_expiry(path, partner_a):
    _certification, first, second, renewal = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2025, 3, 1))
    finish(seller, partner_a, second, at(2025, 3, 1))
    old = CertificationAward.objects.get()
    assert old.expires_at == at(2026, 3, 1).date()

    finish(seller, partner_a, renewal, at(2026, 2, 1))  # 28 days before the expiry
    old.refresh_from_db()
    new = CertificationAward.objects.exclude(pk=old.pk).get()
    assert new.renewal_of == old
    assert old.renewed_by == new
    assert new.expires_at == at(2027, 3, 1).date()  # old expiry + 12 months, no time lost
    assert old.status_on(at(2026, 2, 2).date()) == Status.RENEWED
    assert new.status_on(at(2026, 2, 2).date()) == Status.ACTIVE
    assert new.code != old.code
    assert AuditEvent.objects.filter(verb="enablement.certification_renewed").count() == 1
    latest = Notification.objects.filter(recipient=seller, template="enablement_certified").latest("pk")
    assert latest.subject == "Certification renewed: Certified Sales Professional"
    assert "valid until 1 March 2027" in latest.body_text


def test_renewal_after_expiry_runs_from_the_renewal_date(path, partner_a):
    _certification, first, second, renewal = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2024, 5, 10))
    finish(seller, partner_a, second, at(2024, 5, 10))
    old = CertificationAward.objects.get()
    assert old.status_on(at(2025, 7, 1).date()) == Status.EXPIRED
    finish(seller, partner_a, renewal, at(2025, 7, 1))
    new = CertificationAward.objects.exclude(pk=old.pk).get()
    assert new.expires_at == at(2026, 7, 1).date()
    assert new.renewal_of == old


def test_renewal_course_taken_too_early_does_not_add_a_year(path, partner_a):
    _certification, first, second, renewal = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2025, 3, 1))
    finish(seller, partner_a, second, at(2025, 3, 1))
    finish(seller, partner_a, renewal, at(2025, 4, 1))  # eleven months before the expiry
    assert CertificationAward.objects.count() == 1
    # Retaken inside the renewal window, it renews.
    finish(seller, partner_a, renewal, at(2026, 1, 15))
    assert CertificationAward.objects.count() == 2
    assert CertificationAward.objects.get(renewed_by__isnull=True).expires_at == at(2027, 3, 1).date()


def test_renewal_course_alone_never_grants_a_first_award(path, partner_a):
    _, _, _, renewal = path
    seller = learner(partner_a)
    finish(seller, partner_a, renewal, at(2025, 3, 1))
    assert not CertificationAward.objects.exists()


def test_without_a_renewal_course_the_whole_path_again_renews(path, partner_a):
    certification, first, second, _ = path
    certification.renewal_course = None
    certification.save()
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2025, 3, 1))
    finish(seller, partner_a, second, at(2025, 3, 1))
    finish(seller, partner_a, first, at(2026, 2, 1))
    assert CertificationAward.objects.count() == 1  # half the path is not a renewal
    finish(seller, partner_a, second, at(2026, 2, 10))
    renewed = CertificationAward.objects.get(renewed_by__isnull=True)
    assert renewed.expires_at == at(2027, 3, 1).date()


def test_inactive_certifications_are_not_awarded(path, partner_a):
    certification, first, second, _ = path
    certification.is_active = False
    certification.save()
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2025, 3, 1))
    finish(seller, partner_a, second, at(2025, 3, 1))
    assert not CertificationAward.objects.exists()


def test_revocation(path, partner_a, partner_a_admin, channel_manager):
    _certification, first, second, _ = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2026, 1, 10))
    finish(seller, partner_a, second, at(2026, 1, 10))
    award = CertificationAward.objects.get()
    with pytest.raises(ValidationError, match="Only channel managers"):
        services.award_revoke(actor=partner_a_admin, award=award, reason="no")
    with pytest.raises(ValidationError, match="reason"):
        services.award_revoke(actor=channel_manager, award=award, reason="")
    services.award_revoke(actor=channel_manager, award=award, reason="The assessment was shared in a forum.")
    award.refresh_from_db()
    assert award.status == Status.REVOKED
    assert award.revoked_by == channel_manager
    assert not award.is_valid
    with pytest.raises(ValidationError, match="already revoked"):
        services.award_revoke(actor=channel_manager, award=award, reason="again")
    told = set(
        Notification.objects.filter(template="enablement_certification_revoked").values_list("recipient", flat=True)
    )
    assert told == {seller.pk, partner_a_admin.pk}
    assert "shared in a forum" in Notification.objects.filter(recipient=seller).latest("pk").body_text
    assert AuditEvent.objects.filter(verb="enablement.certification_revoked", actor=channel_manager).exists()

    # Checking again does not give it back; completing the path again (after the revocation) does.
    assert services.certifications_check(user=seller, partner=partner_a) == []
    finish(seller, partner_a, first, timezone.now() + timedelta(minutes=1))
    finish(seller, partner_a, second, timezone.now() + timedelta(minutes=2))
    assert CertificationAward.objects.filter(revoked_at__isnull=True).count() == 1


def test_a_renewed_award_cannot_be_revoked_its_successor_can(path, partner_a, channel_manager):
    _certification, first, second, renewal = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2025, 3, 1))
    finish(seller, partner_a, second, at(2025, 3, 1))
    finish(seller, partner_a, renewal, at(2026, 2, 1))
    old = CertificationAward.objects.get(renewed_by__isnull=False)
    with pytest.raises(ValidationError, match="replaced by a renewal"):
        services.award_revoke(actor=channel_manager, award=old, reason="x")


def test_holder_hides_and_shows_the_public_page(path, partner_a, partner_a_admin):
    _certification, first, second, _ = path
    seller = learner(partner_a)
    finish(seller, partner_a, first, at(2026, 1, 10))
    finish(seller, partner_a, second, at(2026, 1, 10))
    award = CertificationAward.objects.get()
    assert selectors.award_by_code(award.code) == award
    with pytest.raises(ValidationError, match="Only the holder"):
        services.award_set_public(user=partner_a_admin, award=award, public=False)
    services.award_set_public(user=seller, award=award, public=False)
    award.refresh_from_db()
    assert award.public is False
    assert selectors.award_by_code(award.code) is None  # hidden looks like unknown
    assert selectors.award_by_code(award.code, include_hidden=True) == award
    services.award_set_public(user=seller, award=award, public=False)  # no change, no event
    assert AuditEvent.objects.filter(verb="enablement.award_hidden").count() == 1
    services.award_set_public(user=seller, award=award, public=True)
    assert selectors.award_by_code(award.code.lower()) == award
    assert selectors.award_by_code("NOPE") is None
    assert selectors.award_by_code("") is None


def test_my_learning_and_team_view(path, partner_a, partner_b, partner_b_user):
    certification, first, second, _ = path
    seller = learner(partner_a, first_name="Sam", last_name="Ortiz")
    finish(seller, partner_a, first, at(2026, 1, 10))
    finish(seller, partner_a, second, at(2026, 1, 10))
    other_course = CourseFactory()
    LessonFactory(course=other_course)
    LessonFactory(course=other_course)
    enrollment = services.enrollment_start(user=seller, partner=partner_a, course=other_course)
    finish_lesson(enrollment, other_course.lessons.first(), seconds=600)
    mine = selectors.my_learning(user=seller, today=at(2026, 2, 1).date())
    assert [e.course for e in mine.in_progress] == [other_course]
    assert mine.in_progress[0].progress_percent == 50
    assert {e.course for e in mine.completed} == {first, second}
    assert [a.certification for a in mine.awards] == [certification]
    assert mine.hours == round((300 * 2 + 600) / 3600, 1)
    team = selectors.team_certifications(partner=partner_a)
    row = next(m for m in team if m.user == seller)
    assert [a.certification for a in row.awards] == [certification]
    assert (row.completed, row.in_progress) == (2, 1)
    [outsider] = selectors.team_certifications(partner=partner_b)
    assert outsider.user == partner_b_user
    assert outsider.awards == []


def test_awards_list_filters_by_status(path, partner_a):
    from tests.enablement.factories import AwardFactory

    certification = path[0]
    today = timezone.localdate()
    active = AwardFactory(certification=certification, partner=partner_a, expires_at=today + timedelta(days=200))
    soon = AwardFactory(certification=certification, partner=partner_a, expires_at=today + timedelta(days=20))
    expired = AwardFactory(certification=certification, partner=partner_a, expires_at=today - timedelta(days=1))
    revoked = AwardFactory(certification=certification, partner=partner_a, revoked_at=timezone.now())
    for status, expected in [
        (Status.ACTIVE, {active}),
        (Status.EXPIRING_SOON, {soon}),
        (Status.EXPIRED, {expired}),
        (Status.REVOKED, {revoked}),
        ("", {active, soon, expired, revoked}),
    ]:
        assert set(selectors.awards_list(status=status)) == expected
        for award in expected if status else []:
            assert award.status == status
    assert list(selectors.expiring_awards()) == [soon]
    assert set(selectors.awards_list(q=soon.user.email)) == {soon}
