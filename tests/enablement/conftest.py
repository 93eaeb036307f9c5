"""Enablement fixtures on top of the personas in tests/conftest.py."""

import pytest

from tests.enablement.factories import course_with_assessment


@pytest.fixture
def quiz_course(db):
    """(course, questions): two lessons, three questions (single, multiple, single), pass mark 80, 3 attempts."""
    return course_with_assessment(title="Selling the platform", slug="selling-the-platform")
