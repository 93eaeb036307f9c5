"""The product catalogue (program setup, /manage/program/products/): who sees and who changes it, adding, editing,
reordering, retiring (registrations keep what they were registered for) and offering again, unique names whatever
their case, every change audited, and the Django admin pages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from dealreg import services as deals
from dealreg.models import Product, Registration
from dealreg.services import products as catalogue
from prm.models import AuditEvent
from tests.dealreg.factories_views import RegistrationFactory

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def audit_verbs(product: Product) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_type="dealreg.product", target_id=str(product.pk))
        .order_by("id")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def platform(program_admin):
    return catalogue.product_create(
        actor=program_admin, data={"name": "Platform", "code": "PLT", "description": "The core platform."}
    )


@pytest.fixture
def analytics(program_admin):
    return catalogue.product_create(actor=program_admin, data={"name": "Analytics", "code": "", "description": ""})


@pytest.fixture
def support(program_admin):
    return catalogue.product_create(actor=program_admin, data={"name": "Support", "code": "SUP", "description": ""})


# --- Who sees, who changes -------------------------------------------------------------------------------------


# (page, needs a product, what only a program admin gets on it)
PAGES = [
    ("manage:setup_product_list", False, "Add a product</a>"),
    ("manage:setup_product_create", False, "Add the product</button>"),
    ("manage:setup_product_edit", True, "Save</button>"),
    ("manage:setup_product_retire", True, "Retire Platform</button>"),
]


def _url(name: str, with_pk: bool, product: Product) -> str:
    return reverse(name, args=[product.pk]) if with_pk else reverse(name)


@pytest.mark.parametrize(("name", "with_pk", "action"), PAGES)
def test_a_plain_manager_reads_every_page_without_a_way_to_change(manager_client, platform, name, with_pk, action):
    response = manager_client.get(_url(name, with_pk, platform))
    assert response.status_code == 200
    text = body(response)
    assert "Read-only." in text
    assert action not in text
    if name == "manage:setup_product_edit":
        assert "disabled" in text
        assert 'value="Platform"' in text


@pytest.mark.parametrize(("name", "with_pk", "action"), PAGES)
def test_a_program_admin_gets_the_buttons(program_admin_client, platform, name, with_pk, action):
    response = program_admin_client.get(_url(name, with_pk, platform))
    assert response.status_code == 200
    assert "Read-only." not in body(response)
    assert action in body(response)


def test_the_list_shows_offered_products_in_order_and_the_retired_apart(
    program_admin, program_admin_client, platform, analytics, support
):
    catalogue.product_retire(actor=program_admin, product=analytics)
    text = body(program_admin_client.get(reverse("manage:setup_product_list")))
    offered = text.split('id="retired-title"')[0]
    assert offered.index("Platform") < offered.index("Support")
    assert "Analytics" not in offered
    assert "Analytics" in text.split('id="retired-title"')[1]
    assert reverse("manage:setup_product_restore", args=[analytics.pk]) in text
    assert reverse("manage:setup_product_create") in text


def test_the_empty_list_says_partners_write_products_in_their_own_words(program_admin_client):
    text = body(program_admin_client.get(reverse("manage:setup_product_list")))
    assert "No products offered" in text
    assert "Add your first product" in text


@pytest.mark.parametrize(
    ("name", "with_pk", "data"),
    [
        ("manage:setup_product_create", False, {"name": "Analytics"}),
        ("manage:setup_product_edit", True, {"name": "Renamed"}),
        ("manage:setup_product_move", True, {"direction": "down"}),
        ("manage:setup_product_retire", True, {}),
        ("manage:setup_product_restore", True, {}),
    ],
)
def test_a_plain_manager_who_posts_gets_the_forbidden_page_and_nothing_changes(
    manager_client, platform, name, with_pk, data
):
    response = manager_client.post(_url(name, with_pk, platform), data)
    assert response.status_code == 403
    assert "Priya Shah" in body(response)  # whom to ask
    platform.refresh_from_db()
    assert platform.name == "Platform"
    assert platform.is_active
    assert Product.objects.count() == 1


def test_partners_and_visitors_never_reach_the_catalogue(admin_client_a, client, platform):
    assert admin_client_a.get(reverse("manage:setup_product_list")).status_code == 404
    assert admin_client_a.post(reverse("manage:setup_product_create"), {"name": "X"}).status_code == 404
    response = client.get(reverse("manage:setup_product_list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_services_refuse_a_plain_manager(channel_manager, platform):
    with pytest.raises(ValidationError, match="Only program admins"):
        catalogue.product_create(actor=channel_manager, data={"name": "Analytics"})
    with pytest.raises(ValidationError, match="Only program admins"):
        catalogue.product_retire(actor=channel_manager, product=platform)


def test_an_unknown_product_is_a_404(program_admin_client):
    assert program_admin_client.get(reverse("manage:setup_product_edit", args=[999999])).status_code == 404
    response = program_admin_client.post(reverse("manage:setup_product_move", args=[999999]), {"direction": "up"})
    assert response.status_code == 404


# --- Adding and editing ----------------------------------------------------------------------------------------


def test_a_program_admin_adds_a_product_at_the_end_audited(program_admin, program_admin_client, platform):
    response = program_admin_client.post(
        reverse("manage:setup_product_create"),
        {"name": "  Analytics   Suite ", "code": "ANL", "description": "Dashboards and reports."},
        follow=True,
    )
    product = Product.objects.get(code="ANL")
    assert product.name == "Analytics Suite"
    assert product.is_active
    assert product.order > platform.order
    assert "Analytics Suite added at the end" in " ".join(messages_of(response))
    event = AuditEvent.objects.get(verb="program.product_created", target_id=str(product.pk))
    assert event.actor == program_admin
    assert event.after["name"] == "Analytics Suite"


@pytest.mark.parametrize("name", ["platform", "PLATFORM", " Platform "])
def test_names_are_unique_whatever_their_case(program_admin_client, platform, name):
    response = program_admin_client.post(reverse("manage:setup_product_create"), {"name": name, "code": ""})
    assert response.status_code == 400
    assert "There is already a product called Platform" in body(response)
    assert f'value="{name}"' in body(response)  # what was typed stays
    assert Product.objects.count() == 1


def test_a_retired_name_is_taken_too_and_the_page_says_how_to_bring_it_back(program_admin, platform):
    catalogue.product_retire(actor=program_admin, product=platform)
    with pytest.raises(ValidationError, match="offer it again"):
        catalogue.product_create(actor=program_admin, data={"name": "platform"})


def test_the_database_refuses_a_second_name_in_another_case(platform):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(name="PLATFORM")


def test_codes_are_unique_whatever_their_case_but_may_be_empty(program_admin, platform, analytics):
    with pytest.raises(ValidationError, match="Platform already has the code PLT"):
        catalogue.product_create(actor=program_admin, data={"name": "Other thing", "code": "plt"})
    catalogue.product_create(actor=program_admin, data={"name": "Training", "code": ""})  # two without a code
    assert Product.objects.filter(code="").count() == 2


def test_a_name_with_a_comma_is_refused_in_plain_words(program_admin_client):
    response = program_admin_client.post(reverse("manage:setup_product_create"), {"name": "Platform, Pro"})
    assert response.status_code == 400
    assert "Leave commas and semicolons out of the name" in body(response)
    assert not Product.objects.exists()


def test_an_empty_or_too_long_name_is_a_message_not_a_500(program_admin_client):
    response = program_admin_client.post(reverse("manage:setup_product_create"), {"name": "   "})
    assert response.status_code == 400
    assert "Give the product a name" in body(response)
    response = program_admin_client.post(reverse("manage:setup_product_create"), {"name": "x" * 200})
    assert response.status_code == 400
    assert "at most 80 characters (it has 200)" in body(response)


def test_editing_is_audited_and_past_registrations_keep_their_summary(
    program_admin, program_admin_client, partner_a, partner_a_admin, platform
):
    registration = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={"name": "Fabrikam", "catalogue_products": [platform], "other_products": ""},
    )
    response = program_admin_client.post(
        reverse("manage:setup_product_edit", args=[platform.pk]),
        {"name": "Platform Cloud", "code": "PLT", "description": "The core platform, hosted."},
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.name == "Platform Cloud"
    event = AuditEvent.objects.get(verb="program.product_changed")
    assert event.before == {"name": "Platform", "description": "The core platform."}
    assert event.after == {"name": "Platform Cloud", "description": "The core platform, hosted."}
    registration.refresh_from_db()
    assert registration.products == "Platform"  # as registered
    # Saving it unchanged records nothing.
    program_admin_client.post(
        reverse("manage:setup_product_edit", args=[platform.pk]),
        {"name": "Platform Cloud", "code": "PLT", "description": "The core platform, hosted."},
    )
    assert AuditEvent.objects.filter(verb="program.product_changed").count() == 1


def test_renaming_onto_another_name_keeps_what_was_typed(program_admin_client, platform, analytics):
    response = program_admin_client.post(
        reverse("manage:setup_product_edit", args=[analytics.pk]), {"name": "PLATFORM", "description": "Typed"}
    )
    assert response.status_code == 400
    text = body(response)
    assert "already a product" in text
    assert 'value="Typed"' in text
    analytics.refresh_from_db()
    assert analytics.name == "Analytics"


# --- Reordering ------------------------------------------------------------------------------------------------


def test_reordering_moves_one_place_and_is_audited(program_admin_client, platform, analytics, support):
    response = program_admin_client.post(
        reverse("manage:setup_product_move", args=[support.pk]), {"direction": "up"}, follow=True
    )
    assert "Support moved up" in " ".join(messages_of(response))
    assert [p.name for p in catalogue.products_offered()] == ["Platform", "Support", "Analytics"]
    assert audit_verbs(support)[-1] == "program.product_moved"
    response = program_admin_client.post(
        reverse("manage:setup_product_move", args=[platform.pk]), {"direction": "up"}, follow=True
    )
    assert "Platform is already first" in " ".join(messages_of(response))
    response = program_admin_client.post(
        reverse("manage:setup_product_move", args=[platform.pk]), {"direction": "sideways"}, follow=True
    )
    assert "Move a product up or down" in " ".join(messages_of(response))
    assert [p.name for p in catalogue.products_offered()] == ["Platform", "Support", "Analytics"]


def test_reordering_untangles_equal_positions(program_admin, db):
    first = Product.objects.create(name="Alpha", order=0)
    second = Product.objects.create(name="Beta", order=0)  # as the admin or an import might leave them
    catalogue.product_move(actor=program_admin, product=second, direction="up")
    assert [p.name for p in catalogue.products_offered()] == ["Beta", "Alpha"]
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.order < first.order


# --- Retiring --------------------------------------------------------------------------------------------------


def test_retiring_keeps_the_history_of_registrations(
    program_admin_client, partner_a, partner_a_admin, platform, analytics
):
    registration = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={"name": "Fabrikam", "catalogue_products": [platform, analytics], "other_products": ""},
    )
    page = program_admin_client.get(reverse("manage:setup_product_retire", args=[platform.pk]))
    assert "The <strong>1 registration</strong> that has it keeps it" in body(page)

    response = program_admin_client.post(reverse("manage:setup_product_retire", args=[platform.pk]), follow=True)
    assert "Platform is retired" in " ".join(messages_of(response))
    platform.refresh_from_db()
    assert not platform.is_active
    assert platform.retired_at is not None
    registration.refresh_from_db()
    assert set(registration.catalogue_products.all()) == {platform, analytics}
    assert registration.products == "Platform, Analytics"
    assert list(catalogue.products_offered()) == [analytics]
    event = AuditEvent.objects.get(verb="program.product_retired")
    assert event.after == {"is_active": False, "registrations": 1}

    # Retiring twice says so; a used product cannot be deleted, even behind the app's back.
    response = program_admin_client.post(reverse("manage:setup_product_retire", args=[platform.pk]), follow=True)
    assert "already retired" in " ".join(messages_of(response))
    with pytest.raises(ProtectedError):
        platform.delete()
    assert Registration.objects.filter(pk=registration.pk, catalogue_products=platform).exists()


def test_a_retired_product_is_offered_again_at_the_end(program_admin, program_admin_client, platform, analytics):
    catalogue.product_retire(actor=program_admin, product=platform)
    response = program_admin_client.post(reverse("manage:setup_product_restore", args=[platform.pk]), follow=True)
    assert "Platform is offered again" in " ".join(messages_of(response))
    assert [p.name for p in catalogue.products_offered()] == ["Analytics", "Platform"]
    assert audit_verbs(platform) == [
        "program.product_created",
        "program.product_retired",
        "program.product_restored",
    ]
    response = program_admin_client.post(reverse("manage:setup_product_restore", args=[platform.pk]), follow=True)
    assert "offered already" in " ".join(messages_of(response))


# --- The Django admin ------------------------------------------------------------------------------------------


def test_the_admin_pages_load_and_search(admin_client, partner_a, platform, analytics):
    registration = RegistrationFactory(partner=partner_a, products="Platform")
    registration.catalogue_products.set([platform])
    response = admin_client.get(reverse("admin:dealreg_product_changelist"))
    assert response.status_code == 200
    assert "Platform" in body(response)
    response = admin_client.get(reverse("admin:dealreg_product_changelist"), {"q": "PLT", "is_active__exact": "1"})
    assert response.status_code == 200
    assert "Platform" in body(response)
    assert "Analytics" not in body(response).split('id="result_list"')[-1]
    assert admin_client.get(reverse("admin:dealreg_product_change", args=[platform.pk])).status_code == 200
    assert admin_client.get(reverse("admin:dealreg_product_add")).status_code == 200
    response = admin_client.get(reverse("admin:dealreg_registration_change", args=[registration.pk]))
    assert response.status_code == 200
    assert "catalogue products" in body(response).lower()
    # Deleting a product a registration points to is refused with the reason.
    response = admin_client.get(reverse("admin:dealreg_product_delete", args=[platform.pk]))
    assert response.status_code == 200
    assert "protected" in body(response).lower()
