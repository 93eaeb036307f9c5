"""The channel manager's partner page shows what enablement and MDF know of the partner, through the summaries
those apps register in partners/hooks.py (partners itself imports neither)."""

from datetime import timedelta

from django.utils import timezone

from partners.hooks import _SUMMARIES, Summary, partner_summaries, register_partner_summary
from tests.enablement.factories import AwardFactory, CertificationFactory, EnrollmentFactory
from tests.factories import MembershipFactory
from tests.mdf.factories import claimed_request, funded_budget


def test_the_partner_page_shows_enablement_and_mdf(manager_client, partner_a):
    seller = MembershipFactory(partner=partner_a).user
    AwardFactory(partner=partner_a, user=seller, certification=CertificationFactory(name="Certified Seller"))
    AwardFactory(  # expired: not counted
        partner=partner_a, expires_at=timezone.localdate() - timedelta(days=1), certification__name="Old Cert"
    )
    EnrollmentFactory(partner=partner_a, user=seller)
    budget = funded_budget(partner_a, "10000")
    claimed_request(partner=partner_a, budget=budget, requested_amount="2000", claimed="1500")

    body = manager_client.get(f"/manage/partners/{partner_a.pk}/").content.decode()

    assert "<h2>Programs</h2>" in body
    assert "1 certified person: 1 Certified Seller" in body
    assert "0 of 1 courses completed (0%)" in body
    assert f'href="/manage/enablement/partners/{partner_a.pk}/"' in body
    assert "available of $10,000.00 allocated" in body
    assert "Waiting for you: 0 requests, 1 claim" in body
    assert f"/manage/mdf/requests/?partner={partner_a.pk}" in body


def test_a_partner_without_anything_gets_plain_words(manager_client, partner_b):
    body = manager_client.get(f"/manage/partners/{partner_b.pk}/").content.decode()
    assert "0 certified people" in body
    assert "No course started yet" in body
    assert "No funds allocated for this period" in body


def test_apps_with_nothing_to_say_are_left_out(partner_a):
    saved = dict(_SUMMARIES)
    speaking = len(partner_summaries(partner_a))  # the apps' own summaries that have something to say
    try:
        register_partner_summary("quiet", lambda partner: None)
        register_partner_summary("loud", lambda partner: Summary("Loud", [partner.name]))
        titles = [summary.title for summary in partner_summaries(partner_a)]
        assert "Loud" in titles
        assert len(titles) == speaking + 1
    finally:
        _SUMMARIES.clear()
        _SUMMARIES.update(saved)
