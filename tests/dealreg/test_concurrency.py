"""Two (or eight) partners submitting the same customer at the same moment: exactly one holds priority.

Real transactions in real threads on PostgreSQL, where the advisory locks on the customer's keys serialise the
check-and-insert. (SQLite serialises every write transaction, so the race cannot happen there.)"""

import threading

import pytest
from django.db import connection

from dealreg import services
from dealreg.models import Registration
from tests.factories import MembershipFactory, PartnerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are a PostgreSQL feature"),
]

THREADS = 8
SPELLINGS = ["Initech", "Initech Inc.", "INITECH, Inc", "Initech Corp", "initech inc", "The Initech", "Initech LLC"]


def _drafts(round_no: int) -> list[tuple]:
    drafts = []
    for i in range(THREADS):
        partner = PartnerFactory(name=f"Race partner {round_no}-{i}")
        user = MembershipFactory(partner=partner, role="admin").user
        registration = services.registration_save_draft(
            actor=user,
            partner=partner,
            data={
                "name": SPELLINGS[i % len(SPELLINGS)],
                "website": f"https://www.initech{round_no}.com/",
                "country": "US",
            },
        )
        drafts.append((user, registration))
    return drafts


def _submit_all_at_once(drafts: list[tuple]) -> list[BaseException]:
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def run(user, registration):
        try:
            barrier.wait(timeout=10)
            services.registration_submit(actor=user, registration=registration)
        except BaseException as exc:  # reported by the test below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=pair) for pair in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    return errors


@pytest.mark.parametrize("round_no", range(3))  # a few rounds, to catch a flaky interleaving
def test_simultaneous_submissions_leave_exactly_one_first(round_no):
    drafts = _drafts(round_no)
    assert _submit_all_at_once(drafts) == []

    registrations = list(Registration.objects.filter(pk__in=[r.pk for _, r in drafts]).order_by("submitted_at"))
    assert {r.status for r in registrations} == {Registration.Status.SUBMITTED}
    first = [r for r in registrations if r.has_priority]
    assert len(first) == 1
    assert first[0] == registrations[0]  # the earliest submission
    assert all(r.has_conflict for r in registrations)
    # Every later one found every earlier one: the check never missed a concurrent registration.
    for position, registration in enumerate(registrations):
        assert registration.conflicts.count() == position
