"""The public badge: a self-contained SVG that escapes every text and tells today's validity."""

from datetime import date
from xml.etree import ElementTree  # our own SVG output, not untrusted input

from enablement.badges import badge_svg
from tests.enablement.factories import AwardFactory, CertificationFactory
from tests.factories import PartnerFactory, UserFactory

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 -- parsing the SVG this app generated


def _texts(svg: str) -> str:
    root = _parse(svg)
    return " ".join(" ".join(node.itertext()) for node in root.iter(f"{SVG}text"))


def test_badge_is_valid_svg_with_holder_certification_partner_and_expiry(db):
    award = AwardFactory(
        certification=CertificationFactory(name="Certified Sales Professional"),
        partner=PartnerFactory(name="Northwind Solutions"),
        user=UserFactory(first_name="Sam", last_name="Ortiz"),
        expires_at=date(2027, 3, 1),
    )
    svg = badge_svg(award=award, today=date(2026, 6, 1))
    root = _parse(svg)  # well-formed XML
    assert root.tag == f"{SVG}svg"
    text = _texts(svg)
    for expected in ("Certified Sales Professional", "Sam Ortiz", "Northwind Solutions", "Valid until 1 March 2027"):
        assert expected in text
    assert award.code in text
    assert "Valid until 1 March 2027" in root.get("aria-label")
    # Self-contained: nothing fetched from elsewhere, nothing executable.
    assert "<script" not in svg
    assert "href" not in svg.replace("xmlns", "")
    assert "@import" not in svg


def test_badge_escapes_every_text(db):
    evil = '<script>alert("x")</script> & "quotes" \'apos\''
    award = AwardFactory(
        certification=CertificationFactory(name=evil),
        partner=PartnerFactory(name="</text><image href='https://evil.example/x.png'/>"),
        user=UserFactory(first_name='Eve"><script>', last_name="&amp;"),
    )
    svg = badge_svg(award=award, today=date(2026, 1, 1))
    root = _parse(svg)
    assert "<script" not in svg
    assert "<image" not in svg
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter(f"{SVG}image"))
    text = _texts(svg)
    assert '<script>alert("x")' in text  # shown as text, literally
    assert "&amp;" in text  # a literal "&amp;" in a name stays literal
    assert 'Eve">' in root.find(f"{SVG}title").text


def test_long_names_are_shortened_to_fit(db):
    award = AwardFactory(
        certification=CertificationFactory(name="Advanced " * 15),
        user=UserFactory(first_name="Maximilian-Alexander", last_name="von Hohenzollern-Sigmaringen"),
    )
    svg = badge_svg(award=award, today=date(2026, 1, 1))
    root = _parse(svg)
    tspans = [t.text for t in root.iter(f"{SVG}tspan")]
    assert len(tspans) == 2
    assert all(len(t) <= 22 for t in tspans)
    assert tspans[-1].endswith("…")
    assert any(len(t.text or "") <= 30 and (t.text or "").endswith("…") for t in root.iter(f"{SVG}text"))


def test_badge_tells_expired_revoked_and_renewed(db):
    award = AwardFactory(expires_at=date(2026, 3, 1))
    assert "Expired 1 March 2026" in _texts(badge_svg(award=award, today=date(2026, 3, 2)))
    assert "Valid until 1 March 2026" in _texts(badge_svg(award=award, today=date(2026, 3, 1)))
    award.revoked_at = award.awarded_at
    assert "Revoked" in _texts(badge_svg(award=award, today=date(2026, 1, 1)))
    award.revoked_at = None
    successor = AwardFactory(
        certification=award.certification, user=award.user, partner=award.partner, expires_at=date(2027, 3, 1)
    )
    award.renewed_by = successor
    assert "Renewed · valid until 1 March 2027" in _texts(badge_svg(award=award, today=date(2026, 6, 1)))
