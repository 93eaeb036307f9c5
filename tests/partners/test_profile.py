"""The company profile: partner admins edit theirs in the portal, channel managers edit everything; every change
is audited with what changed only, and told to the other side."""

import html

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from partners import services
from partners.models import Partner, PartnerMembership, Tier
from partners.services import onboarding as onboarding_services
from prm.models import AuditEvent, Notification
from tests.factories import ChannelManagerFactory, MembershipFactory, PartnerFactory, UserFactory

COMPANY = "/portal/company/"

VALID_PROFILE = {
    "website": "northwind.example.com",
    "description": "Managed analytics for mid-sized retailers.",
    "functions": ["sell", "service"],
    "regions": ["emea"],
    "countries": ["GB", "DE"],
    "verticals": "Retail, healthcare , retail,  Public   sector",
    "segments": ["midmarket", "smb"],
    "seller_count": "12",
}


def edit_url(partner: Partner) -> str:
    return f"/manage/partners/{partner.pk}/edit/"


def manage_data(partner: Partner, **overrides) -> dict:
    """What the manager's edit form posts when nothing is changed, plus `overrides`."""
    data = {
        "name": partner.name,
        "type": partner.type,
        "website": partner.website,
        "description": partner.description,
        "functions": partner.functions,
        "influence": partner.influence,
        "commercial_model": partner.commercial_model,
        "route_to_market": partner.route_to_market,
        "regions": partner.regions,
        "countries": [c.code for c in partner.countries],
        "verticals": ", ".join(partner.verticals),
        "segments": partner.segments,
        "seller_count": "" if partner.seller_count is None else partner.seller_count,
        "owner": partner.owner_id or "",
        "parent": partner.parent_id or "",
        "tier": partner.tier_id or "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def gold(db):
    return Tier.objects.create(name="Gold", rank=3)


@pytest.fixture
def atlas(db):
    return PartnerFactory(name="Atlas Distribution", type=Partner.Type.DISTRIBUTOR)


# --- Portal: who sees and who edits -----------------------------------------------------------------------------


def test_admin_sees_the_profile_and_the_form(admin_client_a, partner_a):
    partner_a.website = "https://northwind.example.com"
    partner_a.save()
    response = admin_client_a.get(COMPANY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Northwind Solutions</h1>" in body
    assert 'action="/portal/company/"' in body
    assert 'value="https://northwind.example.com"' in body
    assert "Still missing:" in body  # description, regions… are empty
    assert response.context["form"] is not None


def test_seller_sees_the_profile_read_only(seller_client_a, partner_a, partner_a_admin):
    response = seller_client_a.get(COMPANY)
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["form"] is None
    assert 'action="/portal/company/"' not in body
    assert "Your company's admins edit this profile." in body
    assert partner_a_admin.display_name in body  # who to ask


def test_each_partner_sees_only_its_own_company(outsider_client, partner_a, partner_b):
    partner_a.description = "Northwind's secret sauce"
    partner_a.save()
    body = outsider_client.get(COMPANY).content.decode()
    assert "Contoso Partners" in body
    assert "Northwind" not in body


def test_admin_saves_the_profile(admin_client_a, partner_a, partner_a_admin):
    response = admin_client_a.post(COMPANY, VALID_PROFILE, follow=True)
    assert response.redirect_chain == [(COMPANY, 302)]
    assert "Your company profile was saved." in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.website == "https://northwind.example.com"  # https assumed
    assert partner_a.domain == "example.com"
    assert partner_a.functions == ["sell", "service"]
    assert partner_a.regions == ["emea"]
    assert [c.code for c in partner_a.countries] == ["DE", "GB"]
    assert partner_a.verticals == ["Retail", "healthcare", "Public sector"]  # trimmed, de-duplicated
    assert partner_a.segments == ["midmarket", "smb"]
    assert partner_a.seller_count == 12
    assert partner_a.missing_profile_fields() == []
    event = AuditEvent.objects.get(verb="partner.profile_updated")
    assert event.actor == partner_a_admin
    assert event.partner == partner_a
    assert set(event.after) == {
        "website",
        "description",
        "functions",
        "regions",
        "countries",
        "verticals",
        "segments",
        "seller_count",
    }
    assert event.before["website"] == ""
    assert event.after["countries"] == ["DE", "GB"]


def test_seller_post_is_refused_and_changes_nothing(seller_client_a, partner_a):
    response = seller_client_a.post(COMPANY, VALID_PROFILE)
    assert response.status_code == 403
    assert "Only your company's admin users can edit the company profile." in html.unescape(response.content.decode())
    partner_a.refresh_from_db()
    assert partner_a.website == ""
    assert not AuditEvent.objects.exists()


def test_admin_cannot_change_manager_fields_even_if_posted(admin_client_a, partner_a, gold, channel_manager):
    posted = {
        **VALID_PROFILE,
        "name": "Renamed Inc",
        "type": Partner.Type.DISTRIBUTOR,
        "status": Partner.Status.ACTIVE,
        "tier": gold.pk,
        "owner": channel_manager.pk,
        "influence": "high",
        "route_to_market": "marketplaces",
    }
    partner_a.status = Partner.Status.ONBOARDING
    partner_a.save()
    admin_client_a.post(COMPANY, posted)
    partner_a.refresh_from_db()
    assert partner_a.name == "Northwind Solutions"
    assert partner_a.type == Partner.Type.VAR
    assert partner_a.status == Partner.Status.ONBOARDING
    assert partner_a.tier is None
    assert partner_a.owner is None
    assert partner_a.influence == ""
    assert partner_a.route_to_market == ""
    assert partner_a.website == "https://northwind.example.com"  # the profile fields did save
    assert "name" not in AuditEvent.objects.get(verb="partner.profile_updated").after


def test_service_refuses_manager_fields_from_a_partner_admin(partner_a, partner_a_admin, gold):
    with pytest.raises(ValidationError, match="Only your channel manager can change: tier, partner type"):
        services.partner_update_profile(
            actor=partner_a_admin, partner=partner_a, data={"tier": gold, "type": "gsi", "website": "https://x.io"}
        )
    partner_a.refresh_from_db()
    assert partner_a.website == ""
    assert not AuditEvent.objects.exists()


def test_service_refuses_sellers_and_other_partners_admins(partner_a, partner_a_seller, partner_b_user):
    for actor in (partner_a_seller, partner_b_user):
        with pytest.raises(ValidationError, match="Only your company's admins can edit the company profile"):
            services.partner_update_profile(actor=actor, partner=partner_a, data={"website": "https://x.io"})
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "not a web address", "Enter a full web address, like https://www.example.com."),
        ("website", "https://" + "a" * 300 + ".com", "Ensure this value has at most 300 characters"),
        ("countries", ["GB", "XX"], "“XX” is not a country we know. Pick countries from the list."),
        ("description", "x" * 4001, "Ensure this value has at most 4000 characters (it has 4001)."),
        ("verticals", "Retail, " + "y" * 61, "Keep each industry under 60 characters"),
        ("verticals", ", ".join(f"Industry {i}" for i in range(21)), "List at most 20 industries (you listed 21)."),
        ("seller_count", "-3", "Ensure this value is greater than or equal to 0."),
        ("regions", ["emea", "mars"], "“mars” is not one of the options."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_kept(admin_client_a, partner_a, field, value, message):
    data = {**VALID_PROFILE, "description": "We sell analytics", field: value}
    response = admin_client_a.post(COMPANY, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert f'id="id_{field}' in body
    assert f'<small class="field-error" id="id_{field}' in body  # the message sits with its field
    if field != "description":
        assert "We sell analytics" in body  # nothing typed is lost
    assert 'value="Retail, healthcare , retail,  Public   sector"' in body or field == "verticals"
    partner_a.refresh_from_db()
    assert partner_a.website == ""
    assert not AuditEvent.objects.exists()


def test_saving_without_changes_records_nothing(admin_client_a, partner_a):
    admin_client_a.post(COMPANY, VALID_PROFILE)
    admin_client_a.post(COMPANY, VALID_PROFILE)
    assert AuditEvent.objects.filter(verb="partner.profile_updated").count() == 1


def test_only_changed_fields_are_audited(partner_a, partner_a_admin):
    services.partner_update_profile(actor=partner_a_admin, partner=partner_a, data={"website": "https://a.example"})
    services.partner_update_profile(
        actor=partner_a_admin,
        partner=partner_a,
        data={"website": "https://a.example", "regions": ["apac", "na"], "seller_count": 4},
    )
    event = AuditEvent.objects.filter(verb="partner.profile_updated").first()
    assert event.before == {"regions": [], "seller_count": None}
    assert event.after == {"regions": ["na", "apac"], "seller_count": 4}  # choices keep their own order


def test_partner_admin_edit_is_told_to_the_owner(partner_a, partner_a_admin, django_capture_on_commit_callbacks):
    owner = ChannelManagerFactory(email="owner@startup.example.com")
    partner_a.owner = owner
    partner_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_update_profile(actor=partner_a_admin, partner=partner_a, data={"regions": ["emea"]})
    assert [m.to for m in mail.outbox] == [["owner@startup.example.com"]]
    assert mail.outbox[0].subject.endswith("Northwind Solutions updated its profile")
    assert "updated their company profile: regions." in mail.outbox[0].body
    assert f"/manage/partners/{partner_a.pk}/" in mail.outbox[0].body


def test_profile_save_refreshes_onboarding(monkeypatch, partner_a, partner_a_admin):
    calls = []
    monkeypatch.setattr(onboarding_services, "onboarding_refresh", lambda **kw: calls.append(kw))
    services.partner_update_profile(actor=partner_a_admin, partner=partner_a, data={"website": "https://a.example"})
    assert calls == [{"partner": partner_a}] or [c["partner"].pk for c in calls] == [partner_a.pk]
    calls.clear()
    services.partner_update_profile(actor=partner_a_admin, partner=partner_a, data={"website": "https://a.example"})
    assert calls == []  # nothing changed, nothing to detect


# --- The channel manager's form ---------------------------------------------------------------------------------


def test_manager_edit_page_shows_every_field(manager_client, partner_a):
    response = manager_client.get(edit_url(partner_a))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("name", "type", "influence", "commercial_model", "route_to_market", "owner", "parent", "tier"):
        assert f'name="{name}"' in body
    assert 'name="status"' not in body  # status follows the workflows
    assert 'value="Northwind Solutions"' in body


def test_manager_edits_everything(
    manager_client, channel_manager, partner_a, partner_a_admin, atlas, gold, django_capture_on_commit_callbacks
):
    colleague = ChannelManagerFactory(email="lee@startup.example.com", first_name="Lee", last_name="Park")
    data = manage_data(
        partner_a,
        name="Northwind Group",
        type=Partner.Type.RESELLER,
        influence="high",
        commercial_model="resell",
        route_to_market="resellers",
        owner=colleague.pk,
        parent=atlas.pk,
        tier=gold.pk,
        **{k: v for k, v in VALID_PROFILE.items() if k != "website"},
        website="https://northwind.example.com",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(edit_url(partner_a), data, follow=True)
    assert response.redirect_chain == [(f"/manage/partners/{partner_a.pk}/", 302)]
    assert "Northwind Group was saved." in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.name == "Northwind Group"
    assert partner_a.type == Partner.Type.RESELLER
    assert partner_a.influence == "high"
    assert partner_a.commercial_model == "resell"
    assert partner_a.route_to_market == "resellers"
    assert partner_a.owner == colleague
    assert partner_a.parent == atlas
    assert partner_a.tier == gold
    assert partner_a.seller_count == 12
    profile_event = AuditEvent.objects.get(verb="partner.profile_updated")
    assert profile_event.actor == channel_manager
    assert profile_event.before["name"] == "Northwind Solutions"
    assert profile_event.after["parent"] == atlas.pk
    assert "tier" not in profile_event.after  # a tier change is its own audited event, told to the partner
    assert AuditEvent.objects.filter(verb="tier.changed", partner=partner_a).exists()
    assert "owner" not in profile_event.after  # the owner change is its own event
    owner_event = AuditEvent.objects.get(verb="partner.owner_changed")
    assert owner_event.before == {"owner": None, "owner_email": ""}
    assert owner_event.after == {"owner": colleague.pk, "owner_email": "lee@startup.example.com"}
    recipients = sorted(m.to[0] for m in mail.outbox)
    # The new owner is told; the partner's admin hears about the visible changes, the new channel manager and
    # the new tier.
    assert recipients == [
        "anna@northwind.example.com",
        "anna@northwind.example.com",
        "anna@northwind.example.com",
        "lee@startup.example.com",
    ]
    subjects = {m.subject for m in mail.outbox}
    assert any("You now own the relationship with Northwind Group" in s for s in subjects)
    assert any("Lee Park is now your channel manager" in s for s in subjects)
    to_partner = next(m for m in mail.outbox if "profile was updated" in m.subject)
    assert "company name, partner type, website, description of the offer" in to_partner.body
    assert "distributor" in to_partner.body
    assert "Influence" not in to_partner.body  # internal classification is not told


def test_manager_internal_change_is_not_told_to_the_partner(
    channel_manager, partner_a, partner_a_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_update_profile(actor=channel_manager, partner=partner_a, data={"influence": "low"})
    assert mail.outbox == []
    assert AuditEvent.objects.get(verb="partner.profile_updated").after == {"influence": "low"}


def test_manager_form_errors_keep_the_data(manager_client, partner_a):
    data = manage_data(partner_a, name="", website="nope", description="Kept text")
    response = manager_client.post(edit_url(partner_a), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert "Enter a full web address" in body
    assert "Kept text" in body
    assert 'value="nope"' in body


def test_parent_must_be_a_distributor(manager_client, partner_a, partner_b):
    response = manager_client.post(edit_url(partner_a), manage_data(partner_a, parent=partner_b.pk))
    assert response.status_code == 400
    assert "Choose one of the distributors in the list." in response.content.decode()
    partner_a.refresh_from_db()
    assert partner_a.parent is None


def test_parent_rules_in_the_service(channel_manager, atlas, partner_b):
    with pytest.raises(ValidationError, match="Contoso Partners is not a distributor"):
        services.partner_update_profile(actor=channel_manager, partner=atlas, data={"parent": partner_b})
    with pytest.raises(ValidationError, match="A partner cannot buy through itself"):
        services.partner_update_profile(actor=channel_manager, partner=atlas, data={"parent": atlas})
    # A distributor that (from older data) sits under atlas cannot become atlas's distributor.
    sub = PartnerFactory(name="Sub Distribution", type=Partner.Type.DISTRIBUTOR, parent=atlas)
    with pytest.raises(ValidationError, match="Sub Distribution buys through Atlas Distribution"):
        services.partner_update_profile(actor=channel_manager, partner=atlas, data={"parent": sub})
    # Two tiers only: a distributor buys from us directly.
    other = PartnerFactory(name="Other Distribution", type=Partner.Type.DISTRIBUTOR)
    with pytest.raises(ValidationError, match="A distributor buys from us directly"):
        services.partner_update_profile(actor=channel_manager, partner=other, data={"parent": atlas})
    atlas.refresh_from_db()
    assert atlas.parent is None
    assert not AuditEvent.objects.exists()


def test_a_distributor_with_resellers_keeps_its_type(manager_client, atlas):
    PartnerFactory(name="Cobalt Resale", type=Partner.Type.RESELLER, parent=atlas)
    response = manager_client.post(edit_url(atlas), manage_data(atlas, type=Partner.Type.VAR))
    assert response.status_code == 400
    assert "Atlas Distribution has 1 reseller under it. Move them to another distributor first." in (
        response.content.decode()
    )
    atlas.refresh_from_db()
    assert atlas.type == Partner.Type.DISTRIBUTOR


def test_rename_to_an_existing_name_is_refused(manager_client, partner_a, partner_b):
    response = manager_client.post(edit_url(partner_a), manage_data(partner_a, name="contoso partners"))
    assert response.status_code == 400
    assert "Another partner is already named “contoso partners”." in response.content.decode()


def test_owner_must_be_a_channel_manager(channel_manager, partner_a, partner_a_admin):
    staff_not_manager = UserFactory(is_staff=True)
    for candidate in (partner_a_admin, staff_not_manager):
        with pytest.raises(ValidationError, match="is not a channel manager"):
            services.partner_set_owner(actor=channel_manager, partner=partner_a, owner=candidate)
    with pytest.raises(ValidationError, match="Only channel managers assign partners"):
        services.partner_set_owner(actor=partner_a_admin, partner=partner_a, owner=channel_manager)
    partner_a.refresh_from_db()
    assert partner_a.owner is None


def test_set_owner_tells_the_new_owner_and_the_partner(
    channel_manager, partner_a, partner_a_admin, partner_a_seller, django_capture_on_commit_callbacks
):
    colleague = ChannelManagerFactory(email="lee@startup.example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_set_owner(actor=channel_manager, partner=partner_a, owner=colleague)
        services.partner_set_owner(actor=channel_manager, partner=partner_a, owner=colleague)  # no change
    assert partner_a.owner == colleague
    assert AuditEvent.objects.filter(verb="partner.owner_changed").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@northwind.example.com", "lee@startup.example.com"]
    assert Notification.objects.get(recipient=colleague).url == f"/manage/partners/{partner_a.pk}/"


def test_taking_ownership_yourself_sends_you_nothing(channel_manager, partner_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.partner_set_owner(actor=channel_manager, partner=partner_a, owner=channel_manager)
    assert not Notification.objects.filter(recipient=channel_manager).exists()
    assert AuditEvent.objects.get(verb="partner.owner_changed").after["owner"] == channel_manager.pk


def test_unassigning_the_owner(channel_manager, partner_a):
    services.partner_set_owner(actor=channel_manager, partner=partner_a, owner=channel_manager)
    services.partner_set_owner(actor=channel_manager, partner=partner_a, owner=None)
    partner_a.refresh_from_db()
    assert partner_a.owner is None
    assert AuditEvent.objects.filter(verb="partner.owner_changed").first().after == {"owner": None, "owner_email": ""}


def test_portal_shows_the_channel_manager(seller_client_a, partner_a, channel_manager):
    partner_a.owner = channel_manager
    partner_a.save()
    body = seller_client_a.get(COMPANY).content.decode()
    assert "Maya Chen" in body
    assert "mailto:maya@startup.example.com" in body


def test_membership_role_matters_not_the_user(partner_a):
    """A partner admin whose membership is inactive cannot edit."""
    former = MembershipFactory(partner=partner_a, role=PartnerMembership.Role.ADMIN, is_active=False).user
    with pytest.raises(ValidationError):
        services.partner_update_profile(actor=former, partner=partner_a, data={"website": "https://x.io"})
