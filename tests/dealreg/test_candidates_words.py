"""Candidate search by words (PostgreSQL: the distinct stored names and their vocabulary, kept by triggers, of
migration 0004): typos are still found among many rows sharing common words, and those rows are not read."""

import re

import pytest
from django.db import connection

from dealreg.candidates import (
    CANDIDATES_PER_MODEL,
    NAMES,
    POPULAR_NAMES,
    _names,
    _search,
    find_candidates,
    search_keys,
    word_groups,
)
from dealreg.models import Account, Registration
from tests.factories import PartnerFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="candidate search's name tables are PostgreSQL's"),
]


def vocabulary(*words: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM dealreg_nameword WHERE word = ANY(%s)", [list(words)])
        return {row[0] for row in cursor.fetchall()}


def stored_names(*names: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_key FROM dealreg_namekey WHERE name_key = ANY(%s)", [list(names)])
        return {row[0] for row in cursor.fetchall()}


def crowd(n: int, common: str = "Robotics") -> None:
    """n accounts and n active registrations of unrelated companies sharing a common word, in bulk."""
    partner = PartnerFactory()
    names = [f"Brand{i:04d}x {common}" for i in range(n)]
    accounts = [Account(name=name) for name in names]
    registrations = [Registration(partner=partner, name=name, status="approved") for name in names]
    for obj in accounts + registrations:
        obj.refresh_match_keys()
    Account.objects.bulk_create(accounts)
    Registration.objects.bulk_create(registrations)


def rows_read(name: str) -> list[str]:
    """The account names the search hands to the matcher for this name."""
    keys = search_keys(name)
    names = _names(keys, word_groups(keys))
    return [row["name"] for row in _search(Account, name=name, keys=keys, names=names)]


def test_the_names_and_their_vocabulary_are_kept_by_the_database_in_the_same_transaction():
    partner = PartnerFactory()
    Account.objects.create(name="Zyxquorin Labs GmbH")
    Registration.objects.bulk_create(
        [Registration(partner=partner, name="Quobrantix Freight", name_key="quobrantix freight", status="draft")]
    )
    assert vocabulary("zyxquorin", "labs", "quobrantix", "freight") == {"zyxquorin", "labs", "quobrantix", "freight"}
    assert stored_names("zyxquorin labs", "quobrantix freight") == {"zyxquorin labs", "quobrantix freight"}

    account = Account.objects.create(name="Vandelay Industries")
    account.name = "Vandelay Importers"
    account.save()
    Account.objects.filter(pk=account.pk).update(name_key="vandelay latex")  # any way the key changes
    assert vocabulary("vandelay", "importers", "latex") == {"vandelay", "importers", "latex"}
    assert stored_names("vandelay importers", "vandelay latex") == {"vandelay importers", "vandelay latex"}


def test_a_registration_with_a_new_word_is_found_with_a_typo_at_once():
    partner = PartnerFactory()
    target = Registration.objects.create(partner=partner, name="Zyxquorin Labs", status="submitted")
    found = find_candidates(name="Zyxqourin")  # two letters swapped
    assert [(c.obj, c.result.verdict) for c in found] == [(target, "possible")]
    # The other way round, the typo is the stored one; and one on each side ("ics" / "ix": two letters apart).
    typo = Registration.objects.create(partner=partner, name="Blorvantix Freight", status="approved")
    assert [c.obj for c in find_candidates(name="Blorvanitx Freight GmbH")] == [typo]
    assert [c.obj for c in find_candidates(name="Blorvantics Freight GmbH")] == [typo]


@pytest.mark.parametrize("typed", ["Kalbriosp Robotics", "Klabrioso Robotics AG", "kalbrioso robotcs", "Kalbrioso"])
def test_typos_are_found_among_many_companies_sharing_a_common_word(typed):
    crowd(120)
    target = Account.objects.create(name="Kalbrioso Robotics GmbH", country="DE")
    found = find_candidates(name=typed, country="DE")
    assert [c.obj for c in found] == [target]
    assert found[0].result.verdict in ("same", "possible")


def test_the_common_word_does_not_read_the_companies_that_share_it():
    crowd(120)
    Account.objects.create(name="Kalbrioso Robotics GmbH")
    assert rows_read("Kalbriosp Robotics") == ["Kalbrioso Robotics GmbH"]
    assert rows_read("Norvex Roboticz") == []  # a rare word's common neighbour ("robotics") is not searched
    # A name with only common words: every one of them is needed, so the crowd is still not read.
    Account.objects.create(name="Apex Robotics Inc")
    assert rows_read("Apex Robotics") == ["Apex Robotics Inc"]
    # Only when nothing else is said does the common word bring its companies: the NAMES most similar.
    assert len(rows_read("Robotics")) == NAMES


def test_names_without_spaces_shorter_names_and_common_word_typos():
    microsoft = Account.objects.create(name="Microsoft Corporation")
    robotics = Account.objects.create(name="Robotics Inc")
    services = Account.objects.create(name="Global Services Ltd")
    Account.objects.create(name="Global Solutions Ltd")
    crowd(60, common="Services")

    assert [(c.obj, c.result.verdict) for c in find_candidates(name="Micro Soft")] == [(microsoft, "same")]
    assert robotics in [c.obj for c in find_candidates(name="Norvex Robotics")]  # "one name contains the other"
    assert [(c.obj, c.result.verdict) for c in find_candidates(name="Global Servces")] == [(services, "possible")]


def phoenixes(words: int) -> None:
    """Registrations of `words` distinct names holding "Phoenix" (20 of each of 5 names, one of the rest)."""
    partner = PartnerFactory()
    names = [f"Phoenix {word}" for word in ("Kalbrio", "Dravik", "Sundor", "Moltex", "Quarin") for _ in range(20)]
    names += [f"Phoenix Brand{i:03d}" for i in range(words - 5)]
    registrations = [Registration(partner=partner, name=name, status="submitted") for name in names]
    for obj in registrations:
        obj.refresh_match_keys()
    Registration.objects.bulk_create(registrations)


def test_a_word_many_names_share_is_searched_as_a_common_word():
    phoenixes(POPULAR_NAMES + 5)  # "phoenix" is held by more than POPULAR_NAMES names
    target = Registration.objects.create(partner=PartnerFactory(), name="Phoenix Moltexa Ltd", status="approved")
    keys = search_keys("Phoenix Moltexa")
    # The rare word decides, with its typo: the names that share only "phoenix" are not read.
    assert word_groups(keys) == [["moltex", "moltexa"]]
    names = _names(keys, word_groups(keys))
    assert set(names) == {"phoenix moltexa", "phoenix moltex"}
    rows = _search(Registration, name="Phoenix Moltexa", keys=keys, names=names)
    assert rows[0]["pk"] == target.pk
    assert len(rows) == 21  # the target and the 20 "Phoenix Moltex"
    assert find_candidates(name="Phoenix Moltexa")[0].obj == target
    # Only the popular word: its names are read, the most similar first, NAMES of them.
    keys = search_keys("Phoenix")
    assert word_groups(keys) == [["phoenix"]]
    assert len(_names(keys, word_groups(keys))) == NAMES


def test_below_the_popular_bound_a_shared_word_is_searched():
    phoenixes(POPULAR_NAMES - 10)
    keys = search_keys("Phoenix Moltexa")
    assert word_groups(keys) == [["moltex", "moltexa", "phoenix"]]
    names = _names(keys, word_groups(keys))
    assert len(names) == NAMES
    assert "phoenix moltex" in names  # the most similar names first
    rows = _search(Registration, name="Phoenix Moltexa", keys=keys, names=names)
    assert len(rows) == CANDIDATES_PER_MODEL


def test_the_covering_index_of_registrations_holds_exactly_the_active_ones():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'dealreg_registration_active_names'")
        (definition,) = cursor.fetchone()
    assert set(re.findall(r"'(\w+)'::", definition.split("WHERE", 1)[1])) == set(Registration.ACTIVE)
