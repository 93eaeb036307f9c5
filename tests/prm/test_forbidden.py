"""The manager app's one 403 page (prm.access.forbidden): nothing changed, and whom to ask."""

import pytest
from django.test import RequestFactory

from prm.access import forbidden
from tests.factories import ChannelManagerFactory

PAGE = {
    "title": "Only the night shift turns the lights off",
    "why": "You can see the lights, but switching them is done by the night shift.",
    "ask_to": "switch them",
    "back_url": "/manage/",
    "back_label": "Back to the start",
}


def _render(user, people):
    request = RequestFactory().post("/manage/lights/")
    request.user = user
    return forbidden(request, who_can="Night shift", people=people, **PAGE)


@pytest.mark.django_db
def test_it_names_up_to_five_others_who_can_and_never_the_asker():
    asker = ChannelManagerFactory(first_name="Ann", last_name="Asker")
    people = [asker, *(ChannelManagerFactory(first_name=f"P{i}", last_name="Shift") for i in range(6))]
    response = _render(asker, people)
    page = response.content.decode()
    html = page[page.index('<article class="forbidden"') : page.index("</article>")]
    assert response.status_code == 403
    assert PAGE["title"] in html
    assert f"{PAGE['why']} Nothing was changed." in html
    assert "Ann Asker" not in html
    assert [f"P{i} Shift" in html for i in range(6)] == [True] * 5 + [False]
    assert "</a>) or <strong>P4 Shift</strong>" in html  # "A, B, C, D or E"
    assert "</a>) to switch them, or an administrator" in html
    assert "add you to the “Night shift” group" in html
    assert 'href="/manage/"' in html


@pytest.mark.django_db
def test_with_nobody_to_ask_it_points_to_the_administrator():
    asker = ChannelManagerFactory()
    html = _render(asker, [asker]).content.decode()
    assert "Ask the administrator who runs prm for you to add you to the “Night shift” group" in html
