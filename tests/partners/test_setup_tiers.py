"""Program setup: the program-admin permission, the /manage/program/ index, and tiers with their requirements
(create, edit, reorder, delete, preview), each change audited and told to the partners on the tier."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.models import Tier, TierProposal, TierRequirement
from partners.services import setup
from prm.models import AuditEvent, Notification
from tests.factories import MembershipFactory, PartnerFactory, UserFactory

Kind = TierRequirement.Kind


@pytest.fixture
def silver(db):
    tier = Tier.objects.create(name="Silver", rank=2, discount_percent=Decimal("10"), deal_protection_days=90)
    TierRequirement.objects.create(tier=tier, kind=Kind.CERTIFIED_PEOPLE, threshold=3, order=1)
    return tier


@pytest.fixture
def registered(db):
    return Tier.objects.create(name="Registered", rank=1, other_benefits="Partner portal access")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The permission ----------------------------------------------------------------------------------------------


def test_the_migration_grants_the_permission_to_the_program_admins_group(db):
    from importlib import import_module

    from django.apps import apps

    Group.objects.filter(name=setup.PROGRAM_ADMINS_GROUP).delete()  # a live-server test may have flushed it
    import_module("partners.migrations.0007_program_admin_permission").grant(apps, None)
    group = Group.objects.get(name=setup.PROGRAM_ADMINS_GROUP)
    assert group.permissions.filter(codename="manage_program", content_type__app_label="partners").exists()
    assert Permission.objects.filter(codename="manage_program").count() == 1


def test_who_can_manage_the_program(program_admin, channel_manager, partner_a_admin):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    assert setup.can_manage_program(program_admin)
    assert setup.can_manage_program(superuser)
    assert not setup.can_manage_program(channel_manager)
    assert not setup.can_manage_program(partner_a_admin)
    # The permission alone is not enough: the setup is part of the manager app.
    outsider = UserFactory(is_staff=False)
    outsider.groups.add(setup.program_admins_group())
    assert not setup.can_manage_program(outsider)
    assert set(setup.program_admins()) == {program_admin, superuser}


SETUP_GETS = [
    ("manage:program_setup", ()),
    ("manage:setup_tier_list", ()),
    ("manage:setup_tier_create", ()),
    ("manage:setup_tier_preview", ()),
    ("manage:setup_tier_edit", ("tier",)),
    ("manage:setup_tier_delete", ("tier",)),
    ("manage:setup_requirement_edit", ("tier", "requirement")),
]


def _url(name, args, silver):
    values = {"tier": silver.pk, "requirement": silver.requirements.first().pk}
    return reverse(name, args=[values[a] for a in args])


@pytest.mark.parametrize(("name", "args"), SETUP_GETS)
def test_a_plain_manager_sees_every_setup_page_read_only(manager_client, program_admin_client, silver, name, args):
    url = _url(name, args, silver)
    response = manager_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Only program admins can change the program" in html
    for button in ("Add the tier", "Save Silver", "Add the requirement", "Save the requirement", "↑ Up", "↓ Down"):
        assert button not in html
    form = response.context.get("form")
    if form is not None:
        assert all(field.disabled for field in form.fields.values())
    # The program admin sees the same page, editable.
    response = program_admin_client.get(url)
    assert response.status_code == 200
    assert "Only program admins can change the program" not in response.content.decode()


def test_a_plain_manager_gets_no_buttons_on_the_tier_page(manager_client, silver):
    html = manager_client.get(reverse("manage:setup_tier_edit", args=[silver.pk])).content.decode()
    assert "Save Silver" not in html
    assert "Add the requirement" not in html
    assert "Remove this tier" not in html
    assert html.count("disabled") >= 6


SETUP_POSTS = [
    ("manage:setup_tier_create", (), {"name": "Gold"}),
    ("manage:setup_tier_edit", ("tier",), {"name": "Silver+"}),
    ("manage:setup_tier_move", ("tier",), {"direction": "down"}),
    ("manage:setup_tier_delete", ("tier",), {}),
    ("manage:setup_requirement_add", ("tier",), {"kind": Kind.QUALITATIVE, "label": "Joint plan"}),
    ("manage:setup_requirement_edit", ("tier", "requirement"), {"kind": Kind.CERTIFIED_PEOPLE, "threshold": "9"}),
    ("manage:setup_requirement_remove", ("tier", "requirement"), {}),
]


@pytest.mark.parametrize(("name", "args", "data"), SETUP_POSTS)
def test_a_plain_manager_posting_gets_a_403_page_that_says_whom_to_ask(
    manager_client, program_admin, silver, registered, name, args, data
):
    url = _url(name, args, silver)
    before = AuditEvent.objects.count()
    response = manager_client.post(url, data)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only program admins can change the program" in html
    assert "Priya Shah" in html
    assert "Program admins" in html
    assert "Nothing was changed" in html
    assert AuditEvent.objects.count() == before
    silver.refresh_from_db()
    assert silver.name == "Silver"
    assert silver.rank == 2
    assert silver.requirements.get().threshold == 3


@pytest.mark.parametrize(("name", "args"), SETUP_GETS)
def test_partners_and_anonymous_visitors_do_not_see_the_setup(
    admin_client_a, outsider_client, client, silver, name, args
):
    url = _url(name, args, silver)
    assert admin_client_a.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 404
    assert client.get(url).status_code == 302  # to sign in


def test_a_partner_posting_gets_404_and_changes_nothing(admin_client_a, silver):
    response = admin_client_a.post(reverse("manage:setup_tier_edit", args=[silver.pk]), {"name": "Hacked"})
    assert response.status_code == 404
    silver.refresh_from_db()
    assert silver.name == "Silver"


def test_services_refuse_a_plain_manager(channel_manager, silver):
    with pytest.raises(ValidationError, match="Only program admins"):
        setup.tier_update(actor=channel_manager, tier=silver, data={"name": "X"})
    with pytest.raises(ValidationError, match="Only program admins"):
        setup.tier_create(actor=channel_manager, data={"name": "X"})


# --- The index ---------------------------------------------------------------------------------------------------


def test_the_index_shows_settings_tiers_and_every_part_in_the_app(program_admin_client, silver, registered):
    response = program_admin_client.get(reverse("manage:program_setup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("manage:program_settings") in html
    assert "Partner Maturity Index stage" in html
    assert reverse("manage:setup_tier_edit", args=[silver.pk]) in html
    assert "1 requirement" in html
    assert "10% discount" in html
    assert reverse("manage:setup_checklist_list") in html  # built pages are linked, not the admin
    assert reverse("manage:setup_agreement_list") in html
    assert reverse("admin:partners_checklist_changelist") not in html
    assert "Deal-registration policy" in html
    assert "In Django admin for now" not in html  # every part has its page in the app now
    for name in ("setup_deal_policy", "mdf_settings", "setup_mdf_period_list", "setup_product_list"):
        assert reverse(f"manage:{name}") in html
    assert reverse("manage:setup_notifications") in html
    assert reverse("admin:dealreg_dealregpolicy_changelist") not in html
    assert "Products" in html
    assert "Notification defaults" in html


def test_the_partners_tabs_lead_to_the_program_setup(manager_client):
    html = manager_client.get(reverse("manage:partner_list")).content.decode()
    assert reverse("manage:program_setup") in html


# --- Tiers ------------------------------------------------------------------------------------------------------


def test_a_program_admin_creates_a_tier_at_the_top_audited(program_admin_client, program_admin, silver, registered):
    response = program_admin_client.post(
        reverse("manage:setup_tier_create"),
        {
            "name": "  Gold  ",
            "description": "Our best partners.",
            "discount_percent": "20",
            "mdf_eligible": "on",
            "deal_protection_days": "120",
            "other_benefits": "Early product access\nJoint roadmap sessions",
        },
    )
    gold = Tier.objects.get(name="Gold")
    assert response.status_code == 302
    assert response["Location"] == reverse("manage:setup_tier_edit", args=[gold.pk])
    assert gold.rank == 3
    assert gold.mdf_eligible
    assert gold.deal_protection_days == 120
    assert gold.discount_percent == Decimal("20")
    event = AuditEvent.objects.get(verb="program.tier_created")
    assert event.actor == program_admin
    assert event.after["name"] == "Gold"
    assert event.after["rank"] == 3
    assert event.after["discount_percent"] == "20"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give the tier a name"),
        ({"name": "silver"}, "name", "already a tier called"),
        ({"name": "Gold", "discount_percent": "150"}, "discount_percent", "above 100%"),
        ({"name": "Gold", "discount_percent": "ten"}, "discount_percent", "Enter a percentage"),
        ({"name": "Gold", "deal_protection_days": "0"}, "deal_protection_days", "at least 1 day"),
        ({"name": "Gold", "deal_protection_days": "99999999"}, "deal_protection_days", ""),
    ],
)
def test_bad_tier_input_gets_a_clear_message_and_keeps_what_was_typed(
    program_admin_client, silver, data, field, message
):
    response = program_admin_client.post(reverse("manage:setup_tier_create"), {"description": "kept text", **data})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert "kept text" in response.content.decode()
    assert Tier.objects.count() == 1


def test_editing_a_tier_tells_each_partner_on_it_what_changed(program_admin_client, program_admin, silver, registered):
    on_silver = PartnerFactory(name="Northwind", tier=silver)
    anna = MembershipFactory(partner=on_silver, user__email="anna@northwind.example.com").user
    sam = MembershipFactory(partner=on_silver, user__email="sam@northwind.example.com").user
    elsewhere = PartnerFactory(name="Contoso", tier=registered)
    MembershipFactory(partner=elsewhere)
    response = program_admin_client.post(
        reverse("manage:setup_tier_edit", args=[silver.pk]),
        {
            "name": "Silver",
            "discount_percent": "15",
            "deal_protection_days": "90",
            "mdf_eligible": "on",
            "other_benefits": "Quarterly business review",
        },
    )
    assert response.status_code == 302
    silver.refresh_from_db()
    assert silver.discount_percent == Decimal("15")
    assert silver.mdf_eligible
    event = AuditEvent.objects.get(verb="program.tier_changed")
    assert event.before == {"discount_percent": "10.00", "mdf_eligible": False, "other_benefits": ""}
    assert event.after == {
        "discount_percent": "15",
        "mdf_eligible": True,
        "other_benefits": "Quarterly business review",
    }
    told = Notification.objects.filter(template="program_tier_updated")
    assert {n.recipient for n in told} == {anna, sam}  # one message each; nobody on another tier
    body = told.get(recipient=anna).body_text
    assert "Discount: 10% → 15%" in body
    assert "Now eligible for market development funds (MDF)." in body
    assert "New benefit: Quarterly business review" in body
    assert "Deal" not in body  # protection did not change
    assert told.get(recipient=anna).partner == on_silver
    follow = program_admin_client.get(response["Location"])
    assert any("1 partner's people have been told" in m for m in _messages(follow))


def test_saving_an_unchanged_tier_records_and_tells_nothing(program_admin_client, silver):
    MembershipFactory(partner=PartnerFactory(tier=silver))
    program_admin_client.post(
        reverse("manage:setup_tier_edit", args=[silver.pk]),
        {"name": "Silver", "discount_percent": "10.00", "deal_protection_days": "90"},
    )
    assert not AuditEvent.objects.filter(verb="program.tier_changed").exists()
    assert not Notification.objects.filter(template="program_tier_updated").exists()


def test_reorder_swaps_ranks_audits_and_tells_both_tiers(program_admin_client, silver, registered):
    gold = Tier.objects.create(name="Gold", rank=3)
    member = MembershipFactory(partner=PartnerFactory(tier=gold)).user
    response = program_admin_client.post(reverse("manage:setup_tier_move", args=[gold.pk]), {"direction": "down"})
    assert response.status_code == 302
    assert list(Tier.objects.order_by("rank").values_list("name", flat=True)) == ["Registered", "Gold", "Silver"]
    event = AuditEvent.objects.get(verb="program.tier_moved")
    assert event.before["rank"] == 3
    assert event.after["rank"] == 2
    assert event.before["swapped_with"] == "Silver"
    assert "Silver now ranks above Gold." in Notification.objects.get(recipient=member).body_text
    # The lowest tier cannot go lower: a clear message, nothing changes.
    response = program_admin_client.post(
        reverse("manage:setup_tier_move", args=[registered.pk]), {"direction": "down"}, follow=True
    )
    assert "Registered is already the lowest tier." in _messages(response)
    response = program_admin_client.post(reverse("manage:setup_tier_move", args=[silver.pk]), {"direction": "sideways"})
    assert response.status_code == 302
    assert Tier.objects.get(pk=silver.pk).rank == 3


def test_reorder_sets_aside_pending_proposals_between_the_tiers(program_admin, silver, registered):
    partner = PartnerFactory(tier=registered)
    proposal = TierProposal.objects.create(
        partner=partner, current_tier=registered, proposed_tier=silver, is_promotion=True
    )
    setup.tier_move(actor=program_admin, tier=silver, direction="down")
    proposal.refresh_from_db()
    assert proposal.status == TierProposal.Status.SUPERSEDED


def test_a_tier_with_partners_cannot_be_deleted(program_admin_client, silver):
    PartnerFactory(tier=silver)
    PartnerFactory(tier=silver)
    page = program_admin_client.get(reverse("manage:setup_tier_delete", args=[silver.pk])).content.decode()
    assert "2 partners are in Silver" in page
    response = program_admin_client.post(reverse("manage:setup_tier_delete", args=[silver.pk]), follow=True)
    assert Tier.objects.filter(pk=silver.pk).exists()
    assert any("2 partners are in Silver. Move them to another tier first" in m for m in _messages(response))
    assert not AuditEvent.objects.filter(verb="program.tier_deleted").exists()


def test_an_empty_tier_is_deleted_with_its_requirements_audited(program_admin_client, program_admin, silver):
    response = program_admin_client.post(reverse("manage:setup_tier_delete", args=[silver.pk]))
    assert response.status_code == 302
    assert not Tier.objects.filter(name="Silver").exists()
    assert not TierRequirement.objects.exists()
    event = AuditEvent.objects.get(verb="program.tier_deleted")
    assert event.actor == program_admin
    assert event.before["name"] == "Silver"
    assert event.before["requirements"] == ["3 certified people"]
    # A second click finds nothing left: 404, no second event.
    assert program_admin_client.post(reverse("manage:setup_tier_delete", args=[silver.pk])).status_code == 404


def test_a_tier_still_used_by_an_mdf_pool_is_not_deleted_and_says_why(program_admin, silver):
    from mdf import services as mdf_services

    mdf_services.pool_set(
        actor=program_admin, period=mdf_services.current_period(), tier=silver, amount=Decimal("1000")
    )
    with pytest.raises(ValidationError, match="Silver is still used by"):
        setup.tier_delete(actor=program_admin, tier=silver)
    assert Tier.objects.filter(pk=silver.pk).exists()
    assert not AuditEvent.objects.filter(verb="program.tier_deleted").exists()


# --- Requirements ------------------------------------------------------------------------------------------------


def test_add_edit_and_remove_requirements_audited_and_told(program_admin_client, silver):
    member = MembershipFactory(partner=PartnerFactory(name="Northwind", tier=silver)).user
    add = reverse("manage:setup_requirement_add", args=[silver.pk])
    response = program_admin_client.post(add, {"kind": Kind.QUALITATIVE, "label": "Joint marketing plan agreed"})
    assert response.status_code == 302
    plan = silver.requirements.get(kind=Kind.QUALITATIVE)
    assert plan.threshold is None
    assert plan.order == 2
    assert (
        AuditEvent.objects.get(verb="program.requirement_added").after["requirement"] == "Joint marketing plan agreed"
    )

    response = program_admin_client.post(add, {"kind": Kind.WON_REVENUE, "threshold": "50000", "label": "ignored"})
    revenue = silver.requirements.get(kind=Kind.WON_REVENUE)
    assert revenue.label == ""
    assert revenue.threshold == Decimal("50000")

    certified = silver.requirements.get(kind=Kind.CERTIFIED_PEOPLE)
    edit = reverse("manage:setup_requirement_edit", args=[silver.pk, certified.pk])
    response = program_admin_client.post(edit, {"kind": Kind.CERTIFIED_PEOPLE, "threshold": "5", "order": "1"})
    assert response.status_code == 302
    certified.refresh_from_db()
    assert certified.threshold == 5
    changed = AuditEvent.objects.get(verb="program.requirement_changed")
    assert changed.before["requirement"] == "3 certified people"
    assert changed.after["requirement"] == "5 certified people"

    remove = reverse("manage:setup_requirement_remove", args=[silver.pk, plan.pk])
    assert program_admin_client.post(remove).status_code == 302
    assert not TierRequirement.objects.filter(pk=plan.pk).exists()
    assert AuditEvent.objects.get(verb="program.requirement_removed").before["requirement"] == (
        "Joint marketing plan agreed"
    )

    bodies = [n.body_text for n in Notification.objects.filter(recipient=member).order_by("pk")]
    assert len(bodies) == 4
    assert "Silver now also asks for: Joint marketing plan agreed" in bodies[0]
    assert "won revenue (12 months)" in bodies[1]
    assert "50,000" in bodies[1]
    assert "Silver now asks for: 5 certified people (it was: 3 certified people)" in bodies[2]
    assert "Silver no longer asks for: Joint marketing plan agreed" in bodies[3]


def test_moving_a_requirement_in_the_list_tells_nobody(program_admin_client, silver):
    MembershipFactory(partner=PartnerFactory(tier=silver))
    certified = silver.requirements.get()
    edit = reverse("manage:setup_requirement_edit", args=[silver.pk, certified.pk])
    program_admin_client.post(edit, {"kind": Kind.CERTIFIED_PEOPLE, "threshold": "3", "order": "7"})
    assert AuditEvent.objects.get(verb="program.requirement_changed").after["order"] == 7
    assert not Notification.objects.filter(template="program_tier_updated").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": Kind.CERTIFIED_PEOPLE}, "threshold", "Give a number above 0."),
        ({"kind": Kind.CERTIFIED_PEOPLE, "threshold": "-2"}, "threshold", "Give a number above 0."),
        ({"kind": Kind.CERTIFIED_PEOPLE, "threshold": "lots"}, "threshold", "Enter a number"),
        ({"kind": Kind.WON_REVENUE, "threshold": "1e309"}, "threshold", ""),
        ({"kind": Kind.QUALITATIVE, "label": "  "}, "label", "Say what the partner must do"),
        ({"kind": "made_up", "threshold": "1"}, "kind", "Choose a kind"),
        ({}, "kind", "Choose what the requirement measures."),
    ],
)
def test_bad_requirement_input_gets_a_clear_message(program_admin_client, silver, data, field, message):
    response = program_admin_client.post(reverse("manage:setup_requirement_add", args=[silver.pk]), data)
    assert response.status_code == 400
    errors = response.context["requirement_form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert silver.requirements.count() == 1


def test_a_requirement_of_another_tier_is_not_found(program_admin_client, silver, registered):
    certified = silver.requirements.get()
    url = reverse("manage:setup_requirement_edit", args=[registered.pk, certified.pk])
    assert program_admin_client.get(url).status_code == 404
    remove = reverse("manage:setup_requirement_remove", args=[registered.pk, certified.pk])
    program_admin_client.post(remove)
    assert TierRequirement.objects.filter(pk=certified.pk).exists()


# --- What partners see -------------------------------------------------------------------------------------------


def test_the_preview_shows_the_tiers_as_the_portal_does(program_admin_client, admin_client_a, silver, registered):
    preview = program_admin_client.get(reverse("manage:setup_tier_preview"))
    portal = admin_client_a.get(reverse("portal:program"))
    assert preview.status_code == portal.status_code == 200
    assert "partners/program/_tier_comparison.html" in [t.name for t in preview.templates]
    assert "partners/program/_tier_comparison.html" in [t.name for t in portal.templates]
    for text in ("3 certified people", "10%", "90 days", "Partner portal access"):
        assert text in preview.content.decode()
        assert text in portal.content.decode()


def test_a_new_tier_shows_on_the_partners_program_page(program_admin, admin_client_a, silver):
    gold = setup.tier_create(actor=program_admin, data={"name": "Gold", "discount_percent": Decimal("25")})
    setup.tier_requirement_add(
        actor=program_admin, tier=gold, data={"kind": Kind.APPROVED_REGISTRATIONS, "threshold": Decimal("12")}
    )
    html = admin_client_a.get(reverse("portal:program")).content.decode()
    assert "Gold" in html
    assert "25%" in html
    assert "12 approved deal registrations (12 months)" in html
