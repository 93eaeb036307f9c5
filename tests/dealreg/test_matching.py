"""The account matcher on real company names: one company stays one, two companies stay two."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealreg.matching import Company, MatchResult, distinctive_words, match

C = Company

SAME = [
    # legal suffixes across countries
    (C("Siemens AG"), C("Siemens Aktiengesellschaft")),
    (C("Tata Consultancy Services Pvt Ltd"), C("TATA Consultancy Services Limited")),
    (C("Nestlé S.A."), C("Nestle SA")),
    (C("Acme Corp"), C("ACME Corporation")),
    (C("Acme Inc."), C("Acme Incorporated")),
    (C("Acme LLC"), C("Acme Limited Liability Company")),
    (C("Bosch GmbH"), C("Bosch Gesellschaft mit beschränkter Haftung")),
    (C("Ferrari S.p.A."), C("Ferrari SpA")),
    (C("Philips B.V."), C("Philips BV")),
    (C("Nokia Oy"), C("Nokia Oyj")),
    (C("Volvo AB"), C("Volvo Aktiebolag")),
    (C("Sony K.K."), C("Sony Kabushiki Kaisha")),
    (C("Atlassian Pty Ltd"), C("Atlassian")),
    (C("Grab Pte. Ltd."), C("Grab")),
    (C("Unilever PLC"), C("Unilever")),
    (C("Danone SA"), C("Danone Société Anonyme")),
    (C("PT Telkom Indonesia"), C("Telkom Indonesia Tbk")),
    (C("Kabushiki Kaisha Toyota Jidoshokki"), C("Toyota Jidoshokki K.K.")),
    (C("Wayne Enterprises Co., Ltd."), C("Wayne Enterprises")),
    (C("Schmidt GmbH & Co. KG"), C("Schmidt KG")),
    # legal forms and "and" of other countries, spelled out or abbreviated
    (C("Schmidt GmbH & Co. KG"), C("Schmidt GmbH und Co KG")),
    (C("Natura Ltda"), C("Natura Limitada")),
    (C("Ferrero S.p.A."), C("Ferrero Società per Azioni")),
    (C("Infosys Pvt Ltd"), C("Infosys Private Limited")),
    (C("Grupo Bimbo, S.A.B. de C.V."), C("Grupo Bimbo SAB de CV")),
    (C("Müller und Söhne"), C("Müller & Söhne")),
    (C("Santos y Cia"), C("Santos")),
    (C("AB Volvo (publ)"), C("Volvo AB")),
    (C("Toyota Jidosha Kabushiki Kaisha"), C("Toyota Motor Corporation")),
    # other scripts, written in Latin letters
    (C("Газпром"), C("Gazprom PJSC")),
    (C("Яндекс"), C("Yandex LLC")),
    (C("LG전자"), C("LG Electronics")),
    (C("任天堂"), C("Nintendo Co., Ltd.", country="JP")),  # kanji alone: read as Japanese too
    (C("日立製作所"), C("Hitachi, Ltd.")),
    (C("楽天グループ"), C("Rakuten Group, Inc.", country="JP")),
    # case, accents, punctuation, spacing, the, &/and
    (C("Micro Soft"), C("Microsoft")),
    (C("The Coca-Cola Company"), C("Coca Cola")),
    (C("Procter & Gamble"), C("Procter and Gamble Co.")),
    (C("McDonald's"), C("McDonalds")),
    (C("Société Générale"), C("Societe Generale")),
    (C("Müller Straße AG"), C("Muller Strasse")),
    (C("AT&T Inc."), C("AT and T")),
    (C("  acme  "), C("ACME")),
    (C("The Home Depot"), C("Home Depot Inc")),
    # domains
    (C("", "shop.acme.co.uk"), C("", "https://www.acme.co.uk/about")),
    (C("Acme", "bob@acme.com"), C("ACME Holdings", "acme.com")),
    (C("Initech", "initech.com", "US"), C("Initech", "initech.com", "DE")),
    (C("", "https://initech.com"), C("Initech Europe", "sales@mail.initech.com")),
    (C("Wile E Coyote Inc", "acme.com"), C("Acme", "acme.com")),  # one registrable domain: names may differ
    (C("AWS", "aws.amazon.com"), C("Amazon.com, Inc.", "amazon.com")),
    (C("Jane Doe", "jane.doe@siemens.com"), C("Siemens AG", "siemens.com")),  # an email address: its domain
    (C("Yahoo Japan", "yahoo.co.jp"), C("Yahoo Japan Corporation", "https://www.yahoo.co.jp")),  # its own free mail
    # countries compatible
    (C("Acme", country="UK"), C("Acme Ltd", country="GB")),
    (C("Acme", country="DE"), C("Acme GmbH")),
]

POSSIBLE = [
    # acronyms and initialisms of the full name, no website on either side
    (C("IBM"), C("International Business Machines")),
    (C("M&S"), C("Marks and Spencer")),
    (C("L&T"), C("Larsen & Toubro")),
    (C("BofA"), C("Bank of America")),
    (C("ANZ"), C("Australia and New Zealand Banking Group Limited")),
    (C("SAP SE"), C("Systeme, Anwendungen und Produkte in der Datenverarbeitung AG")),
    (C("FedEx"), C("Federal Express Corporation")),
    (C("BYD"), C("比亚迪")),
    (C("IBM", country="US"), C("IBM Deutschland GmbH", country="DE")),  # a group's local entity
    (C("Nestlé S.A.", "nestle.com", "CH"), C("Nestlé USA, Inc.", "nestleusa.com", "US")),
    (C("Marchesi 1824"), C("Pasticceria Marchesi")),
    (C("Oracel"), C("Oracle Corporation")),  # two letters swapped
    (C("Vodaphone"), C("Vodafone Group Plc")),
    # a mailbox on a provider's domain is anybody's: the names decide, not yahoo.com
    (C("Yahoo Tours", "yahootours@yahoo.com"), C("Yahoo Inc", "yahoo.com")),
    (C("Acme Logistcs"), C("Acme Logistics")),  # typo in a common word
    (C("Mircosoft"), C("Microsoft")),  # typo in the distinctive word
    (C("Initech Europe"), C("Initeck Europe")),
    (C("Acme GmbH", country="DE"), C("Acme SARL", country="FR")),  # same name, different countries
    (C("Acme Systems"), C("Acme Solutions")),  # same distinctive word, other words differ
    (C("Siemens"), C("Siemens Healthineers")),  # parent and subsidiary?
    (C("Global Services Ltd"), C("Global Services Inc")),  # only common words
    (C("", "acme.com"), C("", "acme.de")),  # same name under another ending, nothing else
    (C("Apex Systems"), C("Apex Systems")),  # a name made only of common words is never certain alone
    # Japanese readings (kanji alone: Chinese or Japanese), borrowed sounds, contractions, merged names
    (C("네이버"), C("Naver Corporation")),
    (C("טבע"), C("Teva Pharmaceutical Industries")),
    (C("Τράπεζα Πειραιώς"), C("Piraeus Bank")),
    (C("Норильский никель"), C("Nornickel")),
    (C("Газовая промышленность"), C("Gazprom")),
    (C("DowDuPont Inc."), C("DuPont de Nemours, Inc.", "dupont.com")),
]

DIFFERENT = [
    (C("任天堂"), C("Sega Corporation")),
    (C("华为"), C("Nintendo")),  # simplified Chinese has no Japanese reading
    (C("네이버"), C("Nexon")),
    (C("Норильский никель"), C("Nordic Steel")),
    # shared generic words
    (C("United Airlines"), C("United Health Group")),
    (C("General Electric"), C("General Mills")),
    (C("Global Payments"), C("Global Industries")),
    (C("Apex Systems"), C("Apex Clearing")),
    (C("First National Bank"), C("First Republic Bank")),
    (C("American Express"), C("American Airlines")),
    (C("International Paper"), C("International Flavors & Fragrances")),
    (C("Bank of America"), C("Bank of Montreal")),
    (C("Delta Air Lines"), C("Delta Faucet Company")),
    (C("Tata Motors"), C("Tata Consultancy Services")),
    (C("Pacific Gas and Electric"), C("Pacific Life")),
    (C("Alpha Solutions"), C("Alpha Systems Group")),
    # only a shared leading word, and different websites
    (C("Square", "squareup.com"), C("Square Enix", "square-enix.com")),
    (C("Target", "target.com"), C("Target Hospitality", "targethospitality.com")),
    (C("Snap Inc", "snap.com"), C("Snap-on", "snapon.com")),
    # an acronym with other websites or countries is a namesake
    (C("HP", country="US"), C("Hindustan Petroleum Corporation", country="IN")),
    (C("GE", "ge.com"), C("Gulf Energy", "gulfenergy.com")),
    # each spelling is its own website's
    (C("Philips", "philips.com"), C("Phillips", "phillips.com")),
    # free-mail and hosting domains are no evidence
    (C("Bright Solar", "someone@yahoo.co.in"), C("Nimbus Foods", "sales@yahoo.co.in")),
    (C("Bright Solar", "mailto:a@rediffmail.com"), C("Nimbus Foods", "b@rediffmail.com")),
    (C("Foo Bakery", "foo@gmail.com"), C("Bar Plumbing", "bar@gmail.com")),
    (C("", "someone.github.io"), C("", "other.github.io")),
    (C("Lemon Shop", "lemon.myshopify.com"), C("Lime Store", "lime.myshopify.com")),
    (C("", "a.herokuapp.com"), C("", "b.herokuapp.com")),
    # other domains and nothing in common
    (C("", "acme.com"), C("", "initech.com")),
    (C("Acme", "acme.com"), C("Initech", "initech.com")),
    (C("Global Services", country="US"), C("Global Services", country="IN")),
    # nothing to compare
    (C(), C()),
    (C("Acme"), C()),
    (C("Inc."), C("Ltd")),
]


def _ids(pairs):
    return [f"{a.name or a.domain or '-'} ~ {b.name or b.domain or '-'}" for a, b in pairs]


@pytest.mark.parametrize(("a", "b"), SAME, ids=_ids(SAME))
def test_same_company(a, b):
    result = match(a, b)
    assert result.verdict == "same", result
    assert 85 <= result.score <= 100
    assert result == match(b, a)


@pytest.mark.parametrize(("a", "b"), POSSIBLE, ids=_ids(POSSIBLE))
def test_possibly_the_same_company(a, b):
    result = match(a, b)
    assert result.verdict == "possible", result
    assert 50 <= result.score <= 84
    assert result == match(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT, ids=_ids(DIFFERENT))
def test_different_companies(a, b):
    result = match(a, b)
    assert result.verdict == "different", result
    assert 0 <= result.score <= 49
    assert result == match(b, a)


def test_reasons_are_plain_words():
    assert match(C("", "shop.acme.co.uk"), C("", "acme.co.uk")).reasons == ("same registrable domain acme.co.uk",)
    assert match(C("Acme Corp"), C("ACME Corporation")).reasons == (
        "names match after removing legal forms (ACME Corporation / Acme Corp)",
    )
    assert match(C("Acme Logistcs"), C("Acme Logistics")).reasons == (
        "similar names (96%): Acme Logistcs / Acme Logistics",
    )
    result = match(C("Acme GmbH", country="DE"), C("Acme SARL", country="FR"))
    assert "different countries (DE, FR)" in result.reasons
    assert match(C("Acme", country="FR"), C("Acme SA", country="DE")).reasons == (
        "names match after removing legal forms (Acme / Acme SA)",
        "different countries (DE, FR)",
    )


def test_a_name_and_its_website_extended_are_possibly_a_rename():
    """'Snap' on snap.com / 'Snapchat' on snapchat.com: not a second spelling (Philips / Phillips stays different),
    but the longer name and its website both start with the shorter: a rename or a brand, for a person to look at."""
    result = match(C("Snap Inc.", "snap.com"), C("Snapchat Inc", "snapchat.com"))
    assert result.verdict == "possible"
    assert result.reasons == (
        "'Snapchat Inc' starts with 'Snap Inc.', and so does its website: a rename or a brand?",
        "different domains (snap.com, snapchat.com)",
    )
    assert match(C("Total S.A.", "total.com"), C("TotalEnergies SE", "totalenergies.com")).verdict == "possible"
    # Too short a start to mean anything.
    assert match(C("Ace", "ace.com"), C("Acetone", "acetone.com")).verdict == "different"


def test_free_mail_and_hosting_domains_are_named_as_no_evidence():
    result = match(C("Acme", "bob@gmail.com"), C("Acme Corp", "alice@gmail.com"))
    assert result.verdict == "same"  # the names decide, not the shared mailbox provider
    assert "gmail.com is a free-mail or hosting domain: it says nothing about the company" in result.reasons
    assert not any("same registrable domain" in r for r in result.reasons)


def test_domain_alone_under_another_country_ending_is_not_certain():
    result = match(C("", "acme.com"), C("", "acme.de"))
    assert result.verdict == "possible"
    assert result.reasons == ("same domain name under different endings (acme.com, acme.de)",)


def test_same_country_strengthens_different_country_weakens():
    plain = match(C("Acme Logistcs"), C("Acme Logistics")).score
    assert match(C("Acme Logistcs", country="US"), C("Acme Logistics", country="us")).score > plain
    assert match(C("Acme Logistcs", country="US"), C("Acme Logistics", country="FR")).score < plain


def test_empty_versus_empty_is_different_with_score_zero():
    assert match(C(), C()) == MatchResult(
        verdict="different",
        score=0,
        reasons=("not enough to compare: a name or a usable domain is missing on one side",),
    )


def test_odd_input_does_not_crash():
    for odd in ("//[", "http://[::1", "a@", "@", "..", "x" * 10_000, "\x00", "🙂.com", "ー", "the", "&"):
        result = match(C(odd, odd, odd), C("Acme", odd, "DE"))
        assert result.verdict in ("same", "possible", "different")
    assert match(C(None, None, None), C("Acme")).verdict == "different"  # type: ignore[arg-type]


def test_distinctive_words():
    assert distinctive_words("Apex Clearing Corp") == ("clearing",)
    assert distinctive_words("United Health Group") == ()
    assert distinctive_words("The Acme Logistcs Company") == ("acme",)


fields = st.text(max_size=40) | st.sampled_from(["", "Acme Inc", "acme.com", "DE", "gmail.com", "General Group"])
companies = st.builds(Company, name=fields, domain=fields, country=fields)


@settings(max_examples=300, deadline=None)
@given(companies, companies)
def test_property_symmetric_and_total(a, b):
    result = match(a, b)
    assert result == match(b, a)
    assert result.verdict in ("same", "possible", "different")
    assert 0 <= result.score <= 100
    assert all(isinstance(r, str) and r for r in result.reasons)


@settings(max_examples=300, deadline=None)
@given(companies)
def test_property_a_company_matches_itself(company):
    result = match(company, company)
    if distinctive_words(company.name):
        assert result.verdict == "same", result
    elif company.name.strip() or company.domain.strip():
        assert result.verdict in ("same", "possible", "different")  # only common words, or no usable key
    else:
        assert result.verdict == "different"
        assert result.score == 0


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet=st.characters(categories=["L"]), min_size=3, max_size=20),
    st.sampled_from(["Inc", "Ltd", "GmbH", "S.A.", "Pvt Ltd", "AG", "Oy"]),
)
def test_property_a_legal_suffix_never_makes_one_company_two(word, suffix):
    if not distinctive_words(word) or distinctive_words(word) != distinctive_words(f"{word} {suffix}"):
        return  # the word itself is a common word or a legal form: nothing distinctive to keep
    assert match(C(word), C(f"{word} {suffix}")).verdict == "same"
