"""Building the catalogue: courses, lessons, assessments with questions, certifications; what partners see."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from enablement import selectors, services
from enablement.models import Choice, Course, Visibility
from partners.models import Partner, Tier
from prm.models import AuditEvent
from tests.enablement.factories import CourseFactory, LessonFactory, course_with_assessment
from tests.factories import PartnerFactory


def test_course_create_makes_a_unique_slug_and_starts_as_a_draft(channel_manager):
    first = services.course_create(actor=channel_manager, title="Selling the Platform", role="sales")
    second = services.course_create(actor=channel_manager, title="Selling the platform!")
    assert (first.slug, second.slug) == ("selling-the-platform", "selling-the-platform-2")
    assert not first.is_published
    with pytest.raises(ValidationError, match="already used"):
        services.course_create(actor=channel_manager, title="Other", slug="selling-the-platform")
    with pytest.raises(ValidationError, match="lowercase letters"):
        services.course_create(actor=channel_manager, title="Other", slug="Not A Slug")
    with pytest.raises(ValidationError, match="Add at least one lesson"):
        services.course_create(actor=channel_manager, title="Live", is_published=True)
    with pytest.raises(ValidationError, match="role"):
        services.course_create(actor=channel_manager, title="Other", role="finance")
    assert AuditEvent.objects.filter(verb="enablement.course_created").count() == 2


def test_publishing_needs_lessons_and_questions(channel_manager):
    course = services.course_create(actor=channel_manager, title="Deploying")
    with pytest.raises(ValidationError, match="at least one lesson"):
        services.course_update(actor=channel_manager, course=course, is_published=True)
    services.lesson_save(actor=channel_manager, course=course, title="Install", body="Run `prm install`.")
    assessment = services.assessment_save(actor=channel_manager, course=course, pass_mark=70, max_attempts=2)
    with pytest.raises(ValidationError, match="Add questions"):
        services.course_update(actor=channel_manager, course=course, is_published=True)
    services.question_save(
        actor=channel_manager, assessment=assessment, text="Which port?", choices=[("443", True), ("21", False)]
    )
    services.course_update(actor=channel_manager, course=course, is_published=True)
    course.refresh_from_db()
    assert course.is_published
    assert course.title == "Deploying"
    with pytest.raises(ValidationError, match="keeps at least one lesson"):
        services.lesson_delete(actor=channel_manager, lesson=course.lessons.get())


def test_lessons_are_appended_moved_and_renumbered(channel_manager):
    course = services.course_create(actor=channel_manager, title="Demo mastery")
    a, b, c = (services.lesson_save(actor=channel_manager, course=course, title=t, body="x") for t in "ABC")
    assert [lesson.position for lesson in (a, b, c)] == [1, 2, 3]
    services.lesson_move(actor=channel_manager, lesson=c, direction="up")
    assert list(course.lessons.values_list("title", flat=True)) == ["A", "C", "B"]
    services.lesson_move(actor=channel_manager, lesson=a, direction="up")  # already first: no change
    services.lesson_delete(actor=channel_manager, lesson=a)
    assert list(course.lessons.values_list("title", "position")) == [("C", 1), ("B", 2)]
    with pytest.raises(ValidationError, match="some content"):
        services.lesson_save(actor=channel_manager, course=course, title="Empty")
    with pytest.raises(ValidationError, match="full web address"):
        services.lesson_save(actor=channel_manager, course=course, title="V", video_url="ftp://x")
    other = CourseFactory()
    with pytest.raises(ValidationError, match="another course"):
        services.lesson_save(actor=channel_manager, course=other, lesson=b, title="B", body="x")


@pytest.mark.parametrize(
    ("multiple", "choices", "message"),
    [
        (False, [("Only one", True)], "at least 2 choices"),
        (False, [("A", False), ("B", False)], "Mark the correct choice"),
        (False, [("A", True), ("B", True)], "Only one choice can be correct"),
        (True, [("A", True), ("a", False)], "same text"),
    ],
)
def test_question_validation(channel_manager, multiple, choices, message):
    course = CourseFactory()
    assessment = services.assessment_save(actor=channel_manager, course=course)
    with pytest.raises(ValidationError, match=message):
        services.question_save(
            actor=channel_manager, assessment=assessment, text="Q?", multiple=multiple, choices=choices
        )


def test_question_save_replaces_choices(channel_manager):
    course = CourseFactory()
    assessment = services.assessment_save(actor=channel_manager, course=course)
    question = services.question_save(
        actor=channel_manager,
        assessment=assessment,
        text="Which are clouds?",
        multiple=True,
        choices=[("AWS", True), ("Azure", True), ("Excel", False), ("", False)],
    )
    assert [(c.text, c.is_correct, c.position) for c in question.choices.all()] == [
        ("AWS", True, 1),
        ("Azure", True, 2),
        ("Excel", False, 3),
    ]
    services.question_save(
        actor=channel_manager, assessment=assessment, question=question, text="Which is a cloud?",
        choices=[("AWS", True), ("Excel", False)],
    )  # fmt: skip
    question.refresh_from_db()
    assert question.text == "Which is a cloud?"
    assert not question.multiple
    assert Choice.objects.filter(question=question).count() == 2
    with pytest.raises(ValidationError, match="between 1 and 100"):
        services.assessment_save(actor=channel_manager, course=course, pass_mark=120)


def test_certification_create_and_update(channel_manager):
    a, b, refresher = CourseFactory(), CourseFactory(), CourseFactory(is_renewal=True)
    with pytest.raises(ValidationError, match="Choose the courses"):
        services.certification_create(actor=channel_manager, name="Sales pro", courses=[])
    with pytest.raises(ValidationError, match="separate, shorter course"):
        services.certification_create(actor=channel_manager, name="Sales pro", courses=[a, b], renewal_course=a)
    certification = services.certification_create(
        actor=channel_manager, name="Certified Sales Professional", courses=[a, b], renewal_course=refresher,
        validity_months=24,
    )  # fmt: skip
    assert certification.slug == "certified-sales-professional"
    assert set(certification.courses.all()) == {a, b}
    services.certification_update(actor=channel_manager, certification=certification, validity_months=12, courses=[a])
    certification.refresh_from_db()
    assert certification.validity_months == 12
    assert list(certification.courses.all()) == [a]
    assert certification.renewal_course == refresher
    with pytest.raises(ValidationError, match="between 1 and 120"):
        services.certification_update(actor=channel_manager, certification=certification, validity_months=0)


def test_courses_for_respects_visibility_and_publication(db):
    gold = Tier.objects.create(name="Gold", rank=3)
    open_course = CourseFactory(title="Open")
    LessonFactory(course=open_course)
    LessonFactory(course=open_course)
    tiered = CourseFactory(title="Gold only", visibility=Visibility.TIERS)
    tiered.tiers.set([gold])
    CourseFactory(title="MSP only", visibility=Visibility.TYPES, partner_types=[Partner.Type.MSP])
    CourseFactory(title="Draft", is_published=False)
    _quiz, _ = course_with_assessment(title="With quiz")
    gold_var = PartnerFactory(tier=gold)
    plain = PartnerFactory()
    listed = {c.title: c for c in selectors.courses_for(partner=gold_var)}
    assert set(listed) == {"Open", "Gold only", "With quiz"}
    assert listed["Open"].lesson_count == 2
    assert not listed["Open"].has_assessment
    assert listed["With quiz"].has_assessment
    assert {c.title for c in selectors.courses_for(partner=plain)} == {"Open", "With quiz"}
    assert selectors.access_course(partner=gold_var, slug=tiered.slug) == tiered
    with pytest.raises(Http404):
        selectors.access_course(partner=plain, slug=tiered.slug)
    with pytest.raises(Http404):
        selectors.access_course(partner=gold_var, slug="draft-does-not-exist")


def test_manager_lists_are_annotated_without_n_plus_one(channel_manager, django_assert_max_num_queries):
    for i in range(4):
        course_with_assessment(title=f"Course {i}")
    with django_assert_max_num_queries(2):
        rows = list(selectors.courses_manage())
        assert all(r.lesson_count == 2 and r.question_count == 3 and r.enrolled == 0 for r in rows)
    with django_assert_max_num_queries(3):
        list(selectors.certifications_manage())
    assert Course.objects.count() == 4


def test_course_delete_only_when_unused(channel_manager, partner_a, partner_a_seller):
    from enablement.models import Certification

    course = CourseFactory()
    LessonFactory(course=course)
    services.enrollment_start(user=partner_a_seller, partner=partner_a, course=course)
    with pytest.raises(ValidationError, match="unpublish it instead"):
        services.course_delete(actor=channel_manager, course=course)
    required = CourseFactory()
    Certification.objects.create(name="C", slug="c").courses.set([required])
    with pytest.raises(ValidationError, match="certification uses this course"):
        services.course_delete(actor=channel_manager, course=required)
    unused = CourseFactory()
    services.course_delete(actor=channel_manager, course=unused)
    assert not Course.objects.filter(pk=unused.pk).exists()
    assert AuditEvent.objects.filter(verb="enablement.course_deleted").count() == 1
