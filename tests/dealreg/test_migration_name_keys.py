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
    assert cyrillic.name_key == "яндекс"
    assert Account.objects.get(pk=latin.pk).name_key == latin.name_key
