import pytest

from prm.names import name_similarity, normalize_company_name, registrable_domain


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Café Müller GmbH", "cafe muller"),
        ("The Northwind Company, Inc.", "northwind"),
        ("Acme & Sons Ltd", "acme sons"),
        ("Øresund ApS", "oresund"),
        ("Łódź Sp. z o.o.", "lodz"),
        ("Ærø Bryggeri", "aero bryggeri"),
        ("Straße AG", "strasse"),
        # Other scripts are written in Latin letters (not dropped: these companies must not all share the empty key),
        # so a name typed in either script has one key; Chinese, Japanese and Korean legal forms go.
        ("株式会社トヨタ", "toyota"),
        ("华为技术有限公司", "huawei technology"),
        ("Ромашка", "romashka"),
        ("Газпром", "gazprom"),
        ("", ""),
        ("  --  ", ""),
    ],
)
def test_normalize_company_name(name, key):
    assert normalize_company_name(name) == key


def test_non_latin_names_compare_by_their_letters():
    assert name_similarity("株式会社トヨタ", "株式会社トヨタ") == 100
    assert name_similarity("Ромашка", "Василёк") < 50


def test_registrable_domain():
    assert registrable_domain("https://www.shop.Northwind.co.uk/about") == "northwind.co.uk"
    assert registrable_domain("anna@sales.acme.com") == "acme.com"
    assert registrable_domain("localhost") == ""


@pytest.mark.parametrize("value", ["[½H", "http://[::1", "//[", "someone@[", "mailto:", "\x00", "-"])
def test_registrable_domain_of_junk_is_empty_not_an_error(value):
    assert registrable_domain(value) == ""


def test_registrable_domain_reads_email_addresses():
    assert registrable_domain("someone@yahoo.co.in") == "yahoo.co.in"
    assert registrable_domain("mailto:jane@mail.siemens.com") == "siemens.com"
