"""Honest progress: a lesson counts the time the server saw, "mark as done" waits for the lesson's minimum (or the
end reached after a fair share of it), heartbeats never count more than the clock on the wall, training hours are
the counted time, and completing a course opens a page with the certificate to share."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from enablement import selectors, services
from enablement.competency import partner_competency
from enablement.models import CertificationAward, Enrollment, LessonProgress, LessonTime
from tests.enablement.factories import (
    CertificationFactory,
    CourseFactory,
    EnrollmentFactory,
    LessonFactory,
    finish_lesson,
    rewind_lesson_clock,
)

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(timezone.datetime(2026, 11, 2, 9, 0))


def seconds(n: int):
    return T0 + timedelta(seconds=n)


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def course():
    course = CourseFactory(title="Selling to MSPs", slug="selling-to-msps")
    for position in (1, 2):
        LessonFactory(course=course, position=position, minutes=10)  # the minimum: half of it, 5 minutes
    return course


@pytest.fixture
def enrollment(course, partner_a, partner_a_seller):
    return services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course, now=T0)


def refresh(enrollment: Enrollment) -> Enrollment:
    enrollment.refresh_from_db()
    return enrollment


# --- The minimum ---------------------------------------------------------------------------------------------------


def test_the_minimum_is_half_the_estimate_unless_the_manager_set_one():
    assert LessonFactory(minutes=10).required_seconds == 300
    assert LessonFactory(minutes=10, min_minutes=8).required_seconds == 480
    assert LessonFactory(minutes=10, min_minutes=0).required_seconds == 0
    # Never more than a lesson can count, so every lesson can be completed.
    assert LessonFactory(minutes=300, min_minutes=300).required_seconds == services.MAX_LESSON_SECONDS


def test_done_too_fast_is_refused_with_the_time_it_asks_for(course, enrollment):
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    with pytest.raises(ValidationError) as refused:
        services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(2))
    message = " ".join(refused.value.messages)
    assert "asks for at least 5 minutes" in message
    assert "2 seconds are counted so far" in message
    assert not LessonProgress.objects.exists()
    assert refresh(enrollment).seconds_spent == 2  # the click shows the learner was there, nothing more


def test_a_refused_click_keeps_the_time_read_before_it(course, enrollment):
    """Without JavaScript: reading four minutes, clicking too early, reopening the page and reading on."""
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    with pytest.raises(ValidationError):
        services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(240))
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(241))  # the page shown again
    services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(310))
    assert refresh(enrollment).seconds_spent == 310


def test_done_after_the_minimum_counts_the_time_from_opening(course, enrollment):
    """Without JavaScript (no heartbeats) the time since the page was opened decides."""
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(330))
    progress = LessonProgress.objects.get(enrollment=enrollment, lesson=lesson)
    assert progress.seconds_spent == 330
    assert refresh(enrollment).seconds_spent == 330


def test_a_tab_left_open_overnight_counts_only_the_lesson_cap(course, enrollment):
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(10 * 3600))
    assert refresh(enrollment).seconds_spent == services.lesson_seconds_cap(lesson) == 30 * 60


def test_no_minimum_lets_a_link_lesson_be_done_at_once(enrollment, course):
    link = LessonFactory(course=course, position=3, minutes=5, min_minutes=0, body="", video_url="https://v.example")
    services.lesson_open(enrollment=enrollment, lesson=link, now=seconds(0))
    services.lesson_complete(enrollment=enrollment, lesson=link, now=seconds(1))
    assert LessonProgress.objects.filter(lesson=link).exists()


def test_reaching_the_end_is_enough_after_a_third_of_the_minimum(course, enrollment):
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    services.lesson_beat(enrollment=enrollment, lesson=lesson, event="end", now=seconds(20))
    with pytest.raises(ValidationError, match="reach the end"):  # a flick of the scroll wheel is not reading
        services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(30))
    for at in range(50, 111, 30):
        services.lesson_beat(enrollment=enrollment, lesson=lesson, event="beat", now=seconds(at))
    services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(115))
    assert LessonProgress.objects.get(lesson=lesson).seconds_spent == 115  # less than the 5 minutes, end reached


# --- Heartbeats never beat the wall clock --------------------------------------------------------------------------


def test_a_burst_of_heartbeats_counts_no_more_than_the_time_that_passed(course, enrollment):
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    for _ in range(200):  # a script hammering the endpoint
        services.lesson_beat(enrollment=enrollment, lesson=lesson, event="beat", now=seconds(40))
    assert LessonTime.objects.get(lesson=lesson).seconds == 40
    with pytest.raises(ValidationError):
        services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(41))


def test_a_gap_between_heartbeats_counts_at_most_ninety_seconds(course, enrollment):
    """Once the page beats, a long silence means the learner was away (the page stops beating when hidden)."""
    lesson = course.lessons.first()
    services.lesson_open(enrollment=enrollment, lesson=lesson, now=seconds(0))
    services.lesson_beat(enrollment=enrollment, lesson=lesson, event="beat", now=seconds(30))
    services.lesson_beat(enrollment=enrollment, lesson=lesson, event="beat", now=seconds(3600))
    assert LessonTime.objects.get(lesson=lesson).seconds == 30 + 90
    with pytest.raises(ValidationError):  # the last gap too counts like a heartbeat's
        services.lesson_complete(enrollment=enrollment, lesson=lesson, now=seconds(7200))


def test_two_lessons_open_side_by_side_count_each_minute_once(course, enrollment):
    first, second = course.lessons.all()
    services.lesson_open(enrollment=enrollment, lesson=first, now=seconds(0))
    services.lesson_open(enrollment=enrollment, lesson=second, now=seconds(0))
    for at in range(30, 301, 30):
        services.lesson_beat(enrollment=enrollment, lesson=first, event="beat", now=seconds(at))
        services.lesson_beat(enrollment=enrollment, lesson=second, event="beat", now=seconds(at))
    times = {t.lesson_id: t.seconds for t in LessonTime.objects.all()}
    assert sum(times.values()) == refresh(enrollment).seconds_spent == 300  # five minutes passed, five counted
    # Without heartbeats as well: two tabs opened together, both marked done ten minutes later.
    other = services.enrollment_start(
        user=enrollment.user, partner=enrollment.partner, course=CourseFactory(), now=seconds(0)
    )
    a, b = LessonFactory(course=other.course, minutes=10), LessonFactory(course=other.course, minutes=10)
    services.lesson_open(enrollment=other, lesson=a, now=seconds(1000))
    services.lesson_open(enrollment=other, lesson=b, now=seconds(1000))
    services.lesson_complete(enrollment=other, lesson=a, now=seconds(1600))
    with pytest.raises(ValidationError):
        services.lesson_complete(enrollment=other, lesson=b, now=seconds(1600))
    assert refresh(other).seconds_spent == 600


def test_a_done_lesson_and_a_completed_course_count_no_more_time(course, enrollment):
    first, second = course.lessons.all()
    finish_lesson(enrollment, first, now=seconds(300))
    spent = refresh(enrollment).seconds_spent
    services.lesson_open(enrollment=enrollment, lesson=first, now=seconds(400))
    services.lesson_beat(enrollment=enrollment, lesson=first, event="beat", now=seconds(430))
    assert refresh(enrollment).seconds_spent == spent
    finish_lesson(enrollment, second, now=seconds(900))
    assert refresh(enrollment).is_completed
    total = refresh(enrollment).seconds_spent
    services.lesson_beat(enrollment=enrollment, lesson=second, event="beat", now=seconds(960))
    assert refresh(enrollment).seconds_spent == total


def test_a_retake_starts_each_lesson_clock_again(course, enrollment, partner_a_seller):
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    again = services.enrollment_retake(user=partner_a_seller, enrollment=refresh(enrollment))
    lesson = course.lessons.first()
    services.lesson_open(enrollment=again, lesson=lesson)
    with pytest.raises(ValidationError, match="asks for at least"):
        services.lesson_complete(enrollment=again, lesson=lesson)
    assert LessonTime.objects.filter(enrollment=again, lesson=lesson).count() == 2  # one per run


# --- Training hours ------------------------------------------------------------------------------------------------


def test_training_hours_are_the_counted_time_not_the_estimates(course, enrollment, partner_a, seller_client_a):
    first, second = course.lessons.all()  # 10 minutes each by the estimate: 20 minutes nominal
    services.lesson_open(enrollment=enrollment, lesson=first, now=seconds(0))
    services.lesson_complete(enrollment=enrollment, lesson=first, now=seconds(330))
    services.lesson_open(enrollment=enrollment, lesson=second, now=seconds(330))
    for at in range(360, 691, 30):
        services.lesson_beat(enrollment=enrollment, lesson=second, event="beat", now=seconds(at))
    services.lesson_complete(enrollment=enrollment, lesson=second, now=seconds(700))
    assert refresh(enrollment).seconds_spent == 700
    assert partner_competency(partner=partner_a).training_seconds == 700
    assert selectors.manage_overview().training_seconds == 700
    assert "12 minutes" in body(seller_client_a.get(reverse("portal:training")))  # 700 s, not 20 minutes


# --- The lesson page and its heartbeat ---------------------------------------------------------------------------


def test_the_lesson_page_shows_its_clock_and_refuses_a_click_through(course, enrollment, seller_client_a):
    lesson = course.lessons.first()
    url = reverse("portal:training_lesson", args=[course.slug, lesson.pk])
    page = body(seller_client_a.get(url))
    assert "asks for at least 5 minutes" in page
    assert reverse("portal:training_lesson_time", args=[course.slug, lesson.pk]) in page
    assert "js/enablement-lesson.js" in page
    response = seller_client_a.post(url, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Not done yet: this lesson asks for at least 5 minutes" in messages_of(response)
    rewind_lesson_clock(enrollment, lesson, 301)
    response = seller_client_a.post(url)
    second = course.lessons.last()
    assert response["Location"] == reverse("portal:training_lesson", args=[course.slug, second.pk])


def test_the_heartbeat_answers_the_clock_and_takes_no_number(course, enrollment, seller_client_a):
    lesson = course.lessons.first()
    seller_client_a.get(reverse("portal:training_lesson", args=[course.slug, lesson.pk]))
    rewind_lesson_clock(enrollment, lesson, 60)
    beat = reverse("portal:training_lesson_time", args=[course.slug, lesson.pk])
    response = seller_client_a.post(beat, {"event": "beat", "seconds": "99999"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="lesson-clock"' in body(response)
    assert "<html" not in body(response)
    assert 60 <= LessonTime.objects.get(lesson=lesson).seconds <= 62  # the posted number is ignored
    bad = seller_client_a.post(beat, {"event": "teleport"})
    assert bad.status_code == 400
    assert "Unknown lesson event" in body(bad)
    assert seller_client_a.get(beat).status_code == 405


def test_another_partner_cannot_beat_or_open_a_completion(course, enrollment, outsider_client):
    lesson = course.lessons.first()
    beat = reverse("portal:training_lesson_time", args=[course.slug, lesson.pk])
    assert outsider_client.post(beat, {"event": "beat"}).status_code == 404  # not enrolled: nothing to count
    response = outsider_client.get(reverse("portal:training_completed", args=[course.slug]), follow=True)
    assert "not complete yet" in messages_of(response)
    assert enrollment.user.email not in body(response)


# --- The completion moment -----------------------------------------------------------------------------------------


def test_completing_opens_the_certificate_with_its_public_link_and_share_text(
    course, enrollment, seller_client_a, partner_a_seller
):
    certification = CertificationFactory(name="Certified MSP Seller", courses=[course], validity_months=24)
    first, second = course.lessons.all()
    finish_lesson(enrollment, first)
    url = reverse("portal:training_lesson", args=[course.slug, second.pk])
    seller_client_a.get(url)
    rewind_lesson_clock(enrollment, second, 400)
    response = seller_client_a.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:training_completed", args=[course.slug])
    award = CertificationAward.objects.get(user=partner_a_seller, certification=certification)
    page = body(response)
    assert "You are certified" in page
    verify = "http://testserver" + reverse("verify", args=[award.code])
    assert f'value="{verify}"' in page
    assert reverse("verify_badge", args=[award.code]) in page
    assert "I am now certified: “Certified MSP Seller”" in page
    assert f"Anyone can check it here: {verify}" in page
    assert "Copy the text" in page
    assert "Take it again" not in page
    # The course page leads to this moment; taking the course again is a quiet option below it.
    course_page = body(seller_client_a.get(reverse("portal:training_course", args=[course.slug])))
    assert "Your certificate and what&#x27;s next" in course_page
    assert course_page.index("training/courses/selling-to-msps/completed/") < course_page.index("Take it again")


def test_a_course_on_the_way_to_a_certification_says_what_is_left(enrollment, course, seller_client_a):
    rest = CourseFactory(title="Running the MSP demo", slug="msp-demo")
    LessonFactory(course=rest)
    CertificationFactory(name="Certified MSP Seller", courses=[course, rest])
    for lesson in course.lessons.all():
        finish_lesson(enrollment, lesson)
    page = body(seller_client_a.get(reverse("portal:training_completed", args=[course.slug])))
    assert "You completed “Selling to MSPs”" in page
    assert "1 of 2 courses done" in page
    assert "Next: Running the MSP demo" in page
    assert "/verify/" not in page


def test_the_completion_page_waits_for_the_course_to_be_complete(course, enrollment, seller_client_a):
    response = seller_client_a.get(reverse("portal:training_completed", args=[course.slug]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:training_course", args=[course.slug])
    assert "not complete yet" in messages_of(response)


def test_a_completion_without_any_certification_suggests_the_next_courses(partner_a, partner_a_seller, seller_client_a):
    done = EnrollmentFactory(
        user=partner_a_seller, partner=partner_a, status="completed", completed_at=timezone.now(), seconds_spent=900
    )
    CourseFactory(title="Pricing and packaging")
    page = body(seller_client_a.get(reverse("portal:training_completed", args=[done.course.slug])))
    assert "15 minutes of training counted" in page
    assert "Pricing and packaging" in page


# --- The channel manager sets the minimum -------------------------------------------------------------------------


def test_the_manager_sets_a_lesson_minimum(manager_client):
    course = CourseFactory(is_published=False)
    new = reverse("manage:enablement_lesson_new", args=[course.pk])
    data = {"title": "Why MSPs buy", "body": "## Margins", "minutes": "10", "min_minutes": "12"}
    response = manager_client.post(new, data)
    assert response.status_code == 400
    assert "The minimum is at most the lesson&#x27;s 10 minutes." in body(response)
    assert 'value="12"' in body(response)
    manager_client.post(new, {**data, "min_minutes": "4"})
    manager_client.post(new, {**data, "title": "Default", "min_minutes": ""})
    lessons = {lesson.title: lesson for lesson in course.lessons.all()}
    assert lessons["Why MSPs buy"].required_seconds == 240
    assert lessons["Default"].min_minutes is None
    assert lessons["Default"].required_seconds == 300
    page = body(manager_client.get(reverse("manage:enablement_course", args=[course.pk])))
    assert "4 min minimum" in page
    assert "5 min minimum (half the estimate)" in page


def test_a_video_file_plays_in_the_page_so_its_end_is_seen(course, enrollment, seller_client_a):
    video = LessonFactory(course=course, position=3, minutes=6, body="", video_url="https://cdn.example.com/demo.mp4")
    page = body(seller_client_a.get(reverse("portal:training_lesson", args=[course.slug, video.pk])))
    assert '<video class="en-video" controls preload="metadata" src="https://cdn.example.com/demo.mp4"' in page
    assert "data-lesson-video" in page
    hosted = LessonFactory(course=course, position=4, video_url="https://videos.example.com/watch?v=1")
    page = body(seller_client_a.get(reverse("portal:training_lesson", args=[course.slug, hosted.pk])))
    assert "<video" not in page  # a hosted player: the link, and the minimum time decides
