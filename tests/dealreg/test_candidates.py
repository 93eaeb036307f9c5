"""Candidate search: the right few accounts and registrations, found through the indexed keys in a few bounded
queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealreg.candidates import find_candidates
from dealreg.models import Account, Registration
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def account(name: str, website: str = "", country: str = "") -> Account:
    return Account.objects.create(name=name, website=website, country=country)


def registration(partner, name: str, website: str = "", status=Registration.Status.SUBMITTED) -> Registration:
    return Registration.objects.create(partner=partner, name=name, website=website, status=status)


def fill_with_noise(n: int) -> None:
    """n unrelated accounts and active registrations, saved in bulk (keys set by hand, as save() would)."""
    partner = PartnerFactory()
    accounts = [Account(name=f"Noise {i} Trading Ltd", website=f"noise{i}.example.com") for i in range(n)]
    registrations = [
        Registration(partner=partner, name=f"Noise {i} Trading", website=f"noise{i}.example.com", status="submitted")
        for i in range(n)
    ]
    for obj in accounts + registrations:
        obj.refresh_match_keys()
    Account.objects.bulk_create(accounts)
    Registration.objects.bulk_create(registrations)


def test_finds_the_same_domain_under_another_name():
    umbrella = account("Umbrella Corporation", "https://www.umbrella.com")
    account("Initech", "initech.com")
    found = find_candidates(name="Umbrella Europe GmbH", website="shop.umbrella.com")
    assert [(c.kind, c.obj, c.result.verdict) for c in found] == [("account", umbrella, "same")]
    assert "same registrable domain umbrella.com" in found[0].result.reasons


def test_finds_a_name_with_a_typo():
    logistics = account("Acme Logistics", "acme-logistics.com")
    found = find_candidates(name="Acme Logistcs")
    assert [(c.obj, c.result.verdict) for c in found] == [(logistics, "possible")]


def test_finds_a_name_inside_a_longer_one_and_with_its_legal_form_spelled_out():
    healthineers = account("Siemens Healthineers")
    siemens = account("Siemens Aktiengesellschaft")
    found = find_candidates(name="Siemens AG", country="DE")
    assert [(c.obj, c.result.verdict) for c in found] == [(siemens, "same"), (healthineers, "possible")]


def test_shared_common_words_are_not_candidates():
    account("General Mills", "generalmills.com")
    account("United Health Group")
    assert find_candidates(name="General Electric", website="ge.com") == []
    assert find_candidates(name="United Airlines") == []


def test_free_mail_domains_find_nothing_by_themselves():
    account("Bob's Bakery", "bob@gmail.com")
    assert find_candidates(name="Alice Plumbing", website="alice@gmail.com") == []
    assert find_candidates(name="", website="") == []


def test_registrations_of_other_partners_only_and_active_only():
    partner_a, partner_b = PartnerFactory(), PartnerFactory()
    own = registration(partner_a, "Globex Corporation", "globex.com")
    other = registration(partner_b, "Globex", "globex.com")
    approved = registration(partner_b, "Globex Inc", "globex.com", status=Registration.Status.APPROVED)
    for status in ("draft", "rejected", "expired", "won", "lost"):
        registration(partner_b, "Globex", "globex.com", status=status)
    found = find_candidates(name="Globex", website="www.globex.com", exclude_partner_id=partner_a.pk)
    assert {c.obj for c in found} == {other, approved}
    assert all(c.kind == "registration" for c in found)

    found = find_candidates(name="Globex", website="globex.com", exclude_registration_id=own.pk)
    assert {c.obj for c in found} == {other, approved}
    assert {c.obj for c in find_candidates(name="Globex", website="globex.com")} == {own, other, approved}


def test_best_first_and_limit_respected():
    partner = PartnerFactory()
    possible = account("Hooli Labs Europe")
    same = [registration(partner, "Hooli", "hooli.com") for _ in range(3)]
    for _ in range(30):
        account("Hooli Inc", "hooli.xyz")
    found = find_candidates(name="Hooli", website="hooli.com", limit=5)
    assert len(found) == 5
    assert [c.obj for c in found[:3]] == same  # same domain and name beat the same name alone
    assert all(c.result.verdict == "same" for c in found)
    everything = find_candidates(name="Hooli", website="hooli.com", limit=100)
    assert len(everything) == 34
    assert (everything[-1].obj, everything[-1].result.verdict) == (possible, "possible")
    assert find_candidates(name="Hooli", limit=0) == []


def test_query_count_is_bounded_at_any_table_size(django_assert_max_num_queries):
    fill_with_noise(500)
    target = account("Vandelay Industries", "vandelay.com")
    # The words and how many names hold them, the names, then per model the rows to judge and the full rows kept.
    with django_assert_max_num_queries(7):
        found = find_candidates(name="Vandelay Industries Inc", website="vandelay.com")
        assert [c.obj for c in found] == [target]
        assert all(c.obj.partner_id for c in found if c.kind == "registration")
    with django_assert_max_num_queries(7):
        found = find_candidates(name="Noise 1 Trading", limit=500)
        assert 1 <= len(found) <= 100  # each query stops at its bound, whatever the tables hold
        # The rows come whole (what detect() reads: status, partner_id, protection, products): nothing is loaded later.
        assert all(c.obj.partner_id and c.obj.status in Registration.ACTIVE for c in found if c.kind == "registration")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the name tables exist on PostgreSQL only")
def test_postgresql_plan_uses_the_indexes():
    fill_with_noise(200)
    with CaptureQueriesContext(connection) as queries:
        find_candidates(name="Zyxquorin Tradng", website="vandelay.com")
    sql = {
        table: next(q["sql"] for q in queries.captured_queries if f"FROM {table} " in q["sql"])
        for table in ("dealreg_account", "dealreg_registration", "dealreg_namekey WHERE")
    }
    with connection.cursor() as cursor:  # the vocabulary is read by a function: its body
        cursor.execute("SELECT prosrc, proconfig FROM pg_proc WHERE proname = 'dealreg_words_near'")
        body, config = cursor.fetchone()
    assert config == ["enable_seqscan=off"]
    sql["dealreg_nameword"] = body.replace("wanted", "'{zyxquorin,yxquorin,zxquorin}'::text[]")
    expected = {
        # exact lookups only, by name key (at scale on the covering indexes of 0004) and by domain
        "dealreg_account": ["Index Cond: ((name_key)::text = ANY", "Index Cond: ((domain)::text ="],
        "dealreg_registration": ["Index Cond: ((name_key)::text = ANY", "Index Cond: ((domain)::text ="],
        "dealreg_namekey WHERE": ["dealreg_namekey_words", "dealreg_namekey_compact"],  # the distinct names
        "dealreg_nameword": ["dealreg_nameword_variants"],  # the vocabulary
    }
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dealreg_account, dealreg_registration, dealreg_namekey, dealreg_nameword")
        # Tiny tables: ask whether an index plan exists at all, as it is the cheaper one at scale (reading a row
        # costs as much as the tables are big).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL cpu_tuple_cost = 1")
        cursor.execute("SET LOCAL cpu_index_tuple_cost = 1")
        for table, indexes in expected.items():
            cursor.execute("EXPLAIN " + sql[table])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert all(index in plan for index in indexes), plan
            assert "Seq Scan" not in plan, plan
