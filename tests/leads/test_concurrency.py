"""Top N at once, all accepting at the same moment: exactly one partner gets the lead (one registration, one accepted
offer), every other is told it was taken. Real transactions in real threads on PostgreSQL, where the row lock on the
lead serialises the answers (SQLite serialises every write, so the race cannot happen there)."""

import threading

import pytest
from django.db import connection

from dealreg.models import Registration
from leads import services
from leads.models import Lead, LeadOffer
from tests.factories import ChannelManagerFactory, MembershipFactory, PartnerFactory
from tests.leads.conftest import make_lead

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency: PostgreSQL"),
]

PARTNERS = 6


@pytest.mark.parametrize("round_no", range(3))  # a few rounds, to catch a flaky interleaving
def test_simultaneous_acceptances_leave_exactly_one_winner(round_no):
    manager = ChannelManagerFactory(email=f"race-manager-{round_no}@startup.example.com")
    people = {}
    for i in range(PARTNERS):
        partner = PartnerFactory(name=f"Race partner {round_no}-{i}", countries=["DE"], regions=["emea"])
        people[partner.pk] = MembershipFactory(partner=partner, role="admin").user
    services.distribution_settings_update(actor=manager, data={"mode": "top_n", "top_n": PARTNERS})
    lead = make_lead(actor=manager, company_name=f"Race Customer {round_no}", website=f"race{round_no}.example.de")
    offers = list(lead.offers.all())
    assert len(offers) == PARTNERS

    barrier = threading.Barrier(PARTNERS)
    won, lost, errors = [], [], []

    def accept(offer):
        try:
            barrier.wait(timeout=10)
            services.offer_accept(actor=people[offer.partner_id], offer=offer)
            won.append(offer.partner_id)
        except Exception as exc:  # the losers' refusal, checked below
            lost.append(str(exc))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=accept, args=(offer,)) for offer in offers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an acceptance hung"
    assert errors == []
    assert len(won) == 1
    assert len(lost) == PARTNERS - 1
    assert all("accepted this lead first" in message for message in lost)

    lead.refresh_from_db()
    assert lead.partner_id == won[0]
    assert lead.status in (Lead.Status.ACCEPTED, Lead.Status.CONVERTED)
    assert LeadOffer.objects.filter(lead=lead, status="accepted").count() == 1
    assert LeadOffer.objects.filter(lead=lead, status="withdrawn").count() == PARTNERS - 1
    assert Registration.objects.filter(name=f"Race Customer {round_no}").count() == 1
    assert lead.registration.partner_id == won[0]
