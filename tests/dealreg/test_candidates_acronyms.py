"""Candidate search finds what the matcher calls possibly the same beyond spelling: acronyms of a full name, the
full names of an acronym (PostgreSQL: indexed initials of the stored names), and names written in another script
(their keys are in Latin letters; other spellings of a word are looked up)."""

import pytest
from django.db import connection

from dealreg.candidates import find_candidates, search_keys
from dealreg.models import Account, Registration
from tests.dealreg.test_candidates_words import crowd
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the name tables are PostgreSQL's")


def found(name: str, website: str = "", **kwargs) -> set[str]:
    return {c.obj.name for c in find_candidates(name=name, website=website, **kwargs)}


def test_search_keys_hold_the_acronyms_and_other_spellings():
    keys = search_keys("International Business Machines Corporation")
    assert {"ibm", "i b m"} <= keys.also
    if connection.vendor != "postgresql":  # there the words' other spellings are looked up word by word
        assert "yandeks" in search_keys("Yandex").also
    assert "byd" in search_keys("比亚迪").also
    assert search_keys("IBM").initials == "ibm"
    assert search_keys("GE").initials == ""  # two letters are shared by too many names to search by them


def test_a_full_name_finds_its_acronym_on_any_database():
    Account.objects.create(name="IBM")
    Account.objects.create(name="M&S")
    assert "IBM" in found("International Business Machines")
    assert "M&S" in found("Marks and Spencer plc")


def test_a_latin_name_finds_the_same_name_written_in_another_script_and_back():
    partner = PartnerFactory()
    Registration.objects.create(partner=partner, name="Яндекс", status="approved")
    Account.objects.create(name="Газпром")
    Account.objects.create(name="Huawei Technologies")
    assert "Яндекс" in found("Yandex LLC")
    assert "Газпром" in found("Gazprom PJSC")
    assert "Huawei Technologies" in found("华为技术有限公司")


def test_japanese_names_are_found_by_their_reading():
    Account.objects.create(name="Nintendo Co., Ltd.", country="JP")
    Account.objects.create(name="任天堂", country="JP")  # a company in Japan: its kanji read as Japanese
    Account.objects.create(name="Recruit Holdings")
    assert Account.objects.get(name="任天堂").name_key == "nintendo"
    assert "Nintendo Co., Ltd." in found("任天堂")  # kanji alone: read as Chinese and as Japanese
    assert "任天堂" in found("Nintendo")
    assert "Recruit Holdings" in found("リクルートホールディングス")  # kana: Japanese, its loanwords spelled back


@on_postgresql
def test_an_acronym_finds_its_full_names_among_many():
    crowd(300, common="Machines")
    Account.objects.create(name="International Business Machines Corp")
    Account.objects.create(name="Australia and New Zealand Banking Group")
    assert "International Business Machines Corp" in found("IBM")
    assert "Australia and New Zealand Banking Group" in found("ANZ")


@on_postgresql
def test_another_spelling_of_a_transliterated_word_is_found_among_many():
    crowd(300, common="Samsonite")
    Account.objects.create(name="Samseong Electronics")  # 삼성전자 as anyascii writes it
    Account.objects.create(name="삼성전자")
    assert {"Samseong Electronics", "삼성전자"} <= found("Samsung Electronics")


@on_postgresql
def test_the_database_skeleton_is_the_matchers():
    from dealreg.matching import skeleton

    words = ["yandeks", "yandex", "quarix", "kvariks", "kasperskiy", "samseong", "thompson", "phillips", "woolworth"]
    words += ["jackson", "hyeondae", "kookaburra", "chocks", "ooo", "a", ""]
    with connection.cursor() as cursor:
        cursor.execute("SELECT w, dealreg_skeleton(w) FROM unnest(%s::text[]) AS w", [words])
        assert dict(cursor.fetchall()) == {w: skeleton(w) for w in words}
