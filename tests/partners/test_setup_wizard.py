"""The first-run setup wizard (/manage/program/start/): offered on a fresh install to a program admin only, five
steps each saved on its own (going back shows what was saved), each skippable, "Step N of 5", completion and
skipping recorded on the program and audited; plain managers read it and get the 403 page on a post; partner users
never reach it; the demo data does not trigger it."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from dealreg.policy import policy_get
from partners.demo import demo_manager
from partners.models import AgreementVersion, Checklist, Invitation, Partner, Program, Tier
from partners.services.program import program_get
from partners.views.setup import wizard_due
from prm.models import AuditEvent

pytestmark = pytest.mark.django_db

STEP_URLS = [
    "manage:setup_wizard",
    "manage:setup_wizard_tiers",
    "manage:setup_wizard_deal_policy",
    "manage:setup_wizard_onboarding",
    "manage:setup_wizard_invite",
]
AGREEMENT = "These are the terms of our partner program. Partners sell our platform and we support them fairly."


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def wizard_state() -> str:
    return Program.objects.get(pk=1).setup_wizard


# --- Offered to whom, when -------------------------------------------------------------------------------------


def test_a_fresh_install_offers_the_wizard_to_a_program_admin_on_the_setup_index(program_admin_client, program_admin):
    assert wizard_due(program_admin)
    html = body(program_admin_client.get(reverse("manage:program_setup")))
    assert "Set up your program in five steps" in html
    assert reverse("manage:setup_wizard") in html
    assert reverse("manage:setup_wizard_skip") in html


def test_a_plain_manager_is_not_offered_the_wizard(manager_client, channel_manager):
    assert not wizard_due(channel_manager)
    assert "Set up your program in five steps" not in body(manager_client.get(reverse("manage:program_setup")))


def test_no_offer_once_there_is_a_partner_or_the_wizard_was_done(program_admin, partner_a):
    assert not wizard_due(program_admin)
    Partner.objects.all().delete()
    assert wizard_due(program_admin)
    Program.objects.filter(pk=1).update(setup_wizard=Program.Wizard.DONE)
    assert not wizard_due(program_admin)


@pytest.mark.parametrize("name", [*STEP_URLS, "manage:setup_wizard_done"])
def test_partner_users_cannot_reach_the_wizard(admin_client_a, seller_client_a, name):
    for c in (admin_client_a, seller_client_a):
        assert c.get(reverse(name)).status_code == 404
        assert c.post(reverse(name), {"name": "Hijack"}).status_code == 404
    assert admin_client_a.post(reverse("manage:setup_wizard_skip")).status_code == 404
    assert program_get().name != "Hijack"


@pytest.mark.parametrize("name", STEP_URLS)
def test_a_plain_manager_reads_each_step_and_gets_the_403_page_on_a_post(manager_client, program_admin, name):
    page = manager_client.get(reverse(name))
    assert page.status_code == 200
    assert "Read-only." in body(page)
    assert "Save and continue</button>" not in body(page)
    response = manager_client.post(reverse(name), {"name": "Changed", "ladder": "ladder", "skip": "1"})
    assert response.status_code == 403
    assert "Only program admins can change the program" in body(response)
    assert manager_client.post(reverse("manage:setup_wizard_skip")).status_code == 403
    assert wizard_state() == Program.Wizard.PENDING
    assert not Tier.objects.exists()


# --- The five steps, end to end ----------------------------------------------------------------------------------


def test_the_five_steps_end_to_end_on_an_empty_database(program_admin_client, program_admin):
    assert not Partner.objects.exists()

    # 1. The program.
    page = program_admin_client.get(reverse("manage:setup_wizard"))
    assert "Step 1 of 5" in body(page)
    response = program_admin_client.post(
        reverse("manage:setup_wizard"),
        {"name": "  Acme   Partner Network ", "reporting_currency": "eur", "pmi_stage": "2"},
    )
    assert response["Location"] == reverse("manage:setup_wizard_tiers")
    program = program_get()
    assert (program.name, program.reporting_currency, program.pmi_stage) == ("Acme Partner Network", "EUR", 2)
    assert AuditEvent.objects.filter(verb="program.settings_changed", actor=program_admin).exists()

    # 2. Tiers: the ready-made ladder.
    page = program_admin_client.get(reverse("manage:setup_wizard_tiers"))
    assert "Step 2 of 5" in body(page)
    response = program_admin_client.post(reverse("manage:setup_wizard_tiers"), {"ladder": "ladder"})
    assert response["Location"] == reverse("manage:setup_wizard_deal_policy")
    assert list(Tier.objects.order_by("rank").values_list("name", flat=True)) == ["Registered", "Silver", "Gold"]
    assert Tier.objects.get(name="Gold").deal_protection_days == 120
    assert AuditEvent.objects.filter(verb="program.tier_created").count() == 3

    # Going back shows what was saved.
    back = program_admin_client.get(reverse("manage:setup_wizard"))
    assert 'value="Acme Partner Network"' in body(back)
    tiers_again = program_admin_client.get(reverse("manage:setup_wizard_tiers"))
    assert "Keep the tiers I have" in body(tiers_again)
    assert tiers_again.context["form"].initial["ladder"] == "keep"

    # 3. The deal-registration policy's essentials.
    page = program_admin_client.get(reverse("manage:setup_wizard_deal_policy"))
    assert "Step 3 of 5" in body(page)
    response = program_admin_client.post(
        reverse("manage:setup_wizard_deal_policy"),
        {"exclusivity_days": "60", "max_extensions": "2", "extension_days": "20"},
    )
    assert response["Location"] == reverse("manage:setup_wizard_onboarding")
    policy = policy_get()
    assert (policy.exclusivity_days, policy.max_extensions, policy.extension_days) == (60, 2, 20)
    assert policy.decision_sla_business_days == 2  # the rest keeps its defaults
    assert AuditEvent.objects.filter(verb="program.deal_policy_changed").exists()

    # 4. Onboarding: a checklist for resellers, and our own agreement.
    page = program_admin_client.get(reverse("manage:setup_wizard_onboarding"))
    assert "Step 4 of 5" in body(page)
    response = program_admin_client.post(
        reverse("manage:setup_wizard_onboarding"),
        {"partner_types": ["reseller"], "agreement_title": "Acme partner terms", "agreement_body": AGREEMENT},
    )
    assert response["Location"] == reverse("manage:setup_wizard_invite")
    checklist = Checklist.objects.get(partner_type="reseller")
    assert [s.kind for s in checklist.steps.order_by("order")] == ["agreement", "profile", "invite", "first_deal"]
    current = AgreementVersion.objects.get(is_current=True)
    assert (current.version, current.title, current.body) == ("2.0", "Acme partner terms", AGREEMENT)
    assert wizard_state() == Program.Wizard.PENDING  # not done until the last step

    # 5. The first partner.
    page = program_admin_client.get(reverse("manage:setup_wizard_invite"))
    assert "Step 5 of 5" in body(page)
    response = program_admin_client.post(
        reverse("manage:setup_wizard_invite"),
        {"name": "Northwind Solutions", "type": "reseller", "admin_email": "anna@northwind.example.com"},
        follow=True,
    )
    partner = Partner.objects.get(name="Northwind Solutions")
    assert response.redirect_chain[-1][0] == f"{reverse('manage:setup_wizard_done')}?partner={partner.pk}"
    assert Invitation.objects.filter(partner=partner, email="anna@northwind.example.com", role="admin").exists()
    html = body(response)
    assert "Acme Partner Network is ready" in html
    assert "What comes next" in html
    assert reverse("manage:partner_detail", args=[partner.pk]) in html
    assert wizard_state() == Program.Wizard.DONE
    event = AuditEvent.objects.get(verb="program.setup_wizard_completed")
    assert event.actor == program_admin
    assert event.after == {"setup_wizard": "done"}
    # The index no longer offers it.
    assert "Set up your program in five steps" not in body(program_admin_client.get(reverse("manage:program_setup")))


def test_each_step_can_be_skipped_and_the_last_one_finishes(program_admin_client):
    links = []
    for name in STEP_URLS[:-1]:
        links.append(program_admin_client.get(reverse(name)).context["next_url"])
    assert links == [reverse(name) for name in STEP_URLS[1:]]
    before = program_get().name
    response = program_admin_client.post(reverse("manage:setup_wizard_invite"), {"skip": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("manage:setup_wizard_done")
    assert "Add a partner" in body(response)
    assert not Partner.objects.exists()
    assert not Tier.objects.exists()
    assert program_get().name == before
    assert wizard_state() == Program.Wizard.DONE


def test_one_level_for_everyone_removes_unused_tiers(program_admin_client):
    Tier.objects.create(name="Silver", rank=1)
    response = program_admin_client.post(reverse("manage:setup_wizard_tiers"), {"ladder": "one"}, follow=True)
    assert not Tier.objects.exists()
    assert any("One level for everyone" in m for m in messages_of(response))


def test_skipping_the_whole_wizard_is_recorded_and_audited(program_admin_client, program_admin):
    response = program_admin_client.post(reverse("manage:setup_wizard_skip"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("manage:program_setup")
    assert wizard_state() == Program.Wizard.SKIPPED
    assert Program.objects.get(pk=1).setup_wizard_at is not None
    assert AuditEvent.objects.filter(verb="program.setup_wizard_skipped", actor=program_admin).count() == 1
    assert "Set up your program in five steps" not in body(response)
    assert not wizard_due(program_admin)
    # A second skip changes nothing; the wizard still works later and completing it is recorded.
    program_admin_client.post(reverse("manage:setup_wizard_skip"))
    assert AuditEvent.objects.filter(verb="program.setup_wizard_skipped").count() == 1
    assert program_admin_client.get(reverse("manage:setup_wizard")).status_code == 200
    program_admin_client.post(reverse("manage:setup_wizard_invite"), {"skip": "1"})
    assert wizard_state() == Program.Wizard.DONE


# --- Validation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "field", "message"),
    [
        (
            "manage:setup_wizard",
            {"name": " ", "reporting_currency": "EUR", "pmi_stage": "1"},
            "name",
            "Give the program a name",
        ),
        (
            "manage:setup_wizard",
            {"name": "Acme", "reporting_currency": "euros", "pmi_stage": "1"},
            "reporting_currency",
            "three-letter code",
        ),
        (
            "manage:setup_wizard",
            {"name": "Acme", "reporting_currency": "EUR", "pmi_stage": "9"},
            "pmi_stage",
            "Select a valid choice",
        ),
        ("manage:setup_wizard_tiers", {"ladder": "platinum"}, "ladder", "Choose one of the options."),
        (
            "manage:setup_wizard_deal_policy",
            {"exclusivity_days": "0", "max_extensions": "1", "extension_days": "30"},
            "exclusivity_days",
            "from 1 to 730",
        ),
        (
            "manage:setup_wizard_onboarding",
            {"agreement_body": "Be nice."},
            "agreement_body",
            "very short for an agreement",
        ),
        ("manage:setup_wizard_onboarding", {"partner_types": ["spaceship"]}, "partner_types", "Select a valid choice"),
        ("manage:setup_wizard_invite", {"name": "", "type": "reseller"}, "name", "Give the partner company's name"),
        ("manage:setup_wizard_invite", {"name": "Northwind", "type": ""}, "type", "Choose the partner type."),
        (
            "manage:setup_wizard_invite",
            {"name": "Northwind", "type": "reseller", "admin_email": "anna"},
            "admin_email",
            "Enter a full email address",
        ),
    ],
)
def test_bad_input_gets_a_clear_message_and_nothing_is_saved(program_admin_client, name, data, field, message):
    response = program_admin_client.post(reverse(name), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    assert "Everything you typed is still here" in body(response)
    assert not Partner.objects.exists()
    assert not Tier.objects.exists()
    assert wizard_state() == Program.Wizard.PENDING


def test_a_duplicate_first_partner_is_refused_next_to_the_name(program_admin_client, program_admin):
    program_admin_client.post(reverse("manage:setup_wizard_invite"), {"name": "Northwind", "type": "reseller"})
    Program.objects.filter(pk=1).update(setup_wizard=Program.Wizard.PENDING)
    response = program_admin_client.post(reverse("manage:setup_wizard_invite"), {"name": "northwind", "type": "var"})
    assert response.status_code == 400
    assert "already exists" in " ".join(response.context["form"].errors["name"])
    assert Partner.objects.count() == 1


# --- The demo --------------------------------------------------------------------------------------------------


def test_seed_demo_marks_the_wizard_done(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert wizard_state() == Program.Wizard.DONE
    manager = demo_manager()
    assert not wizard_due(manager)
    client.force_login(manager)
    assert "Set up your program in five steps" not in body(client.get(reverse("manage:program_setup")))


def test_the_empty_dashboard_offers_the_wizard_to_a_program_admin(program_admin_client, manager_client):
    wizard = reverse("manage:setup_wizard")
    assert wizard in program_admin_client.get(reverse("manage:dashboard")).content.decode()
    assert wizard not in manager_client.get(reverse("manage:dashboard")).content.decode()  # a plain manager
