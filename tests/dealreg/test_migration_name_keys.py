from importlib import import_module

import pytest
from django.apps import apps

from dealreg.models import Account
from tests.dealreg.factories_accounts import AccountFactory

refresh_empty_keys = import_module("dealreg.migrations.0005_refresh_empty_name_keys").refresh_empty_keys


@pytest.mark.django_db
def test_names_in_other_scripts_get_their_key_back():
    cyrillic = AccountFactory(name="Яндекс")
    latin = AccountFactory(name="Acme Widgets Ltd")
    Account.objects.filter(pk=cyrillic.pk).update(name_key="")  # as the ASCII-only normalisation stored it

    refresh_empty_keys(apps, None)

    cyrillic.refresh_from_db()
    assert cyrillic.name_key == "yandeks"
    assert Account.objects.get(pk=latin.pk).name_key == latin.name_key


refresh_non_ascii_keys = import_module("dealreg.migrations.0009_transliterated_name_keys").refresh_non_ascii_keys


@pytest.mark.django_db
def test_names_in_other_scripts_get_a_latin_key():
    cyrillic = AccountFactory(name="Газпром")
    chinese = AccountFactory(name="华为技术有限公司")
    latin = AccountFactory(name="Acme Widgets Ltd")
    Account.objects.filter(pk=cyrillic.pk).update(name_key="газпром")  # as the key kept the letters before
    Account.objects.filter(pk=chinese.pk).update(name_key="华为技术有限公司")

    refresh_non_ascii_keys(apps, None)

    assert Account.objects.get(pk=cyrillic.pk).name_key == "gazprom"
    assert Account.objects.get(pk=chinese.pk).name_key == "huawei technology"
    assert Account.objects.get(pk=latin.pk).name_key == latin.name_key


refresh_name_keys = import_module("dealreg.migrations.0012_japanese_name_keys").refresh_name_keys


@pytest.mark.django_db
def test_japanese_names_get_their_reading_as_key():
    in_japan = AccountFactory(name="任天堂", country="JP")
    unknown = AccountFactory(name="任天堂", country="")
    kana = AccountFactory(name="楽天グループ", country="")
    Account.objects.filter(pk__in=[in_japan.pk, kana.pk]).update(name_key="old")  # keys of the Chinese reading

    assert refresh_name_keys(apps, None) == 2

    assert Account.objects.get(pk=in_japan.pk).name_key == "nintendo"
    assert Account.objects.get(pk=unknown.pk).name_key == "rentiantang"  # kanji alone, no country: Chinese
    assert Account.objects.get(pk=kana.pk).name_key == "rakuten group"
