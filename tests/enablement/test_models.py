from datetime import date, timedelta

import pytest

from enablement.models import CertificationAward, render_markdown
from enablement.services import add_months
from tests.enablement.factories import AwardFactory, CourseFactory, EnrollmentFactory, LessonFactory

Status = CertificationAward.Status


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), Status.ACTIVE),
        (date(2026, 4, 1), Status.ACTIVE),  # 61 days left
        (date(2026, 4, 2), Status.EXPIRING_SOON),  # 60 days left
        (date(2026, 6, 1), Status.EXPIRING_SOON),  # the last valid day
        (date(2026, 6, 2), Status.EXPIRED),
    ],
)
def test_status_on_a_given_date(db, day, expected):
    award = AwardFactory(expires_at=date(2026, 6, 1))
    assert award.status_on(day) == expected
    assert award.is_valid_on(day) is (expected != Status.EXPIRED)


def test_revoked_and_renewed_win_over_dates(db):
    old = AwardFactory(expires_at=date(2026, 6, 1))
    new = AwardFactory(certification=old.certification, user=old.user, partner=old.partner, renewal_of=old)
    old.renewed_by = new
    assert old.status_on(date(2026, 1, 1)) == Status.RENEWED
    assert old.status_on(date(2027, 1, 1)) == Status.RENEWED
    new.revoked_at = new.awarded_at
    assert new.status_on(date(2026, 1, 1)) == Status.REVOKED
    assert not new.is_valid_on(date(2026, 1, 1))


def test_award_codes_are_unique_readable_and_long_enough(db):
    codes = {AwardFactory().code for _ in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) >= 12
        assert code.isalnum()
        assert code.upper() == code
        assert not set(code) & set("01OIL")


def test_holder_name_never_shows_the_email_address(db):
    award = AwardFactory(user__first_name="", user__last_name="")
    award.user.first_name = award.user.last_name = ""
    assert "@" not in award.holder_name
    assert award.holder_name == award.user.email.split("@")[0]


def test_lesson_markdown_is_rendered_and_sanitised(db):
    lesson = LessonFactory(
        body="## Pitch\n\n**Bold** [link](https://example.com) <script>alert(1)</script> "
        '[bad](javascript:alert(1)) <img src=x onerror="alert(1)">'
    )
    html = lesson.body_html
    assert "<h2>Pitch</h2>" in html
    assert "<strong>Bold</strong>" in html
    assert 'href="https://example.com"' in html
    assert "<script" not in html
    assert "javascript:" not in html
    assert "onerror" not in html
    assert render_markdown("") == ""


def test_progress_percent_counts_lessons(db):
    course = CourseFactory()
    lessons = [LessonFactory(course=course) for _ in range(4)]
    enrollment = EnrollmentFactory(course=course)
    assert enrollment.progress_percent == 0
    enrollment.lesson_progress.create(lesson=lessons[0])
    assert enrollment.progress_percent == 25


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 3, 15), 12, date(2026, 3, 15)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 11, 30), 3, date(2026, 2, 28)),
        (date(2025, 12, 1), 24, date(2027, 12, 1)),
    ],
)
def test_add_months_clamps_to_the_end_of_short_months(start, months, expected):
    assert add_months(start, months) == expected


def test_days_left(db):
    award = AwardFactory(expires_at=date(2026, 6, 1))
    assert award.days_left(date(2026, 5, 25)) == 7
    assert award.days_left(date(2026, 6, 2)) == -1
    assert award.days_left(date(2026, 6, 1) - timedelta(days=30)) == 30
