"""The partner's deal form with the product catalogue: the offered products as check boxes plus "Other" (its text
used only when ticked), the free-text field when nothing is offered, what is needed to submit (marked on the form
from the one definition, listed when missing, never asked of a draft), and nothing typed lost on an error."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dealreg import services as deals
from dealreg.forms import RegistrationForm
from dealreg.models import Conflict, Product, Registration
from dealreg.services import products as catalogue
from dealreg.services.registrations.requirements import (
    SUBMIT_REQUIREMENTS,
    registration_missing_to_submit,
    submit_requirements,
)
from tests.dealreg.factories_views import RegistrationFactory, approved

pytestmark = pytest.mark.django_db

MARK = re.compile(r'class="needed-mark" aria-hidden="true" data-needed-for="([a-z_]+)"')


def body(response) -> str:
    return response.content.decode()


def marked(text: str) -> list[str]:
    return MARK.findall(text)


@pytest.fixture
def products(program_admin) -> dict[str, Product]:
    made = {}
    for name, code, description in (
        ("Platform", "PLT", "The core workflow platform."),
        ("Analytics", "ANL", "Dashboards and reports."),
        ("Integrations", "", ""),
    ):
        made[name] = catalogue.product_create(
            actor=program_admin, data={"name": name, "code": code, "description": description}
        )
    return made


def form_data(**overrides) -> dict:
    data = {
        "name": "Fabrikam Inc",
        "website": "fabrikam.com",
        "country": "US",
        "contact_name": "Jane Buyer",
        "contact_email": "jane@fabrikam.com",
        "contact_title": "CTO",
        "value": "48000",
        "currency": "EUR",
        "expected_close": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "stage": "discovery",
        "involvement": "sourced",
        "notes": "They asked us for a demo.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, action="submit", registration=None):
    url = reverse("portal:deal_edit", args=[registration.pk]) if registration else reverse("portal:deal_create")
    return client.post(url, {**data, "action": action})


# --- The form with a catalogue ---------------------------------------------------------------------------------


def test_the_form_offers_the_active_products_as_check_boxes_and_other(admin_client_a, program_admin, products):
    catalogue.product_retire(actor=program_admin, product=products["Integrations"])
    text = body(admin_client_a.get(reverse("portal:deal_create")))
    assert 'type="checkbox" name="catalogue_products"' in text
    assert f'value="{products["Platform"].pk}"' in text
    assert "The core workflow platform." in text
    assert "PLT" in text
    assert f'value="{products["Analytics"].pk}"' in text
    assert f'value="{products["Integrations"].pk}"' not in text  # retired: not offered
    assert 'name="other"' in text
    assert 'name="other_products"' in text
    assert 'name="products"' not in text  # no free text beside the catalogue
    assert "css/deal-form.css" in text


def test_submitting_with_picked_products_and_other(admin_client_a, partner_a, products):
    response = post(
        admin_client_a,
        form_data(
            catalogue_products=[products["Analytics"].pk, products["Platform"].pk],
            other="on",
            other_products="  custom   connector ",
        ),
    )
    assert response.status_code == 302
    registration = Registration.objects.get(partner=partner_a)
    assert registration.status == Registration.Status.SUBMITTED
    assert set(registration.catalogue_products.all()) == {products["Platform"], products["Analytics"]}
    assert registration.other_products == "custom connector"
    # The summary everything else reads: catalogue order, then the other one.
    assert registration.products == "Platform, Analytics, custom connector"


def test_the_other_text_counts_only_when_other_is_ticked(admin_client_a, partner_a, products):
    post(admin_client_a, form_data(catalogue_products=[products["Platform"].pk], other_products="Forgotten"))
    registration = Registration.objects.get(partner=partner_a)
    assert registration.products == "Platform"
    assert registration.other_products == ""


def test_other_alone_is_enough_to_submit(admin_client_a, partner_a, products):
    response = post(admin_client_a, form_data(other="on", other_products="On-premise edition"))
    assert response.status_code == 302
    registration = Registration.objects.get(partner=partner_a)
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.products == "On-premise edition"
    assert not registration.catalogue_products.exists()


def test_other_ticked_without_saying_what_asks_on_submit_but_not_for_a_draft(admin_client_a, partner_a, products):
    response = post(admin_client_a, form_data(catalogue_products=[products["Platform"].pk], other="on"))
    assert response.status_code == 400
    assert "Say which other product, or untick “Other”." in body(response)
    assert not Registration.objects.exists()
    response = post(admin_client_a, form_data(other="on"), action="draft")
    assert response.status_code == 302
    assert Registration.objects.get(partner=partner_a).status == Registration.Status.DRAFT


def test_a_retired_product_cannot_be_picked_for_a_new_registration(admin_client_a, program_admin, products):
    catalogue.product_retire(actor=program_admin, product=products["Integrations"])
    response = post(admin_client_a, form_data(catalogue_products=[products["Integrations"].pk]))
    assert response.status_code == 400
    assert "no longer offered" in body(response)
    assert not Registration.objects.exists()


def test_a_draft_keeps_a_product_retired_since(admin_client_a, partner_a, partner_a_admin, program_admin, products):
    draft = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={"name": "Fabrikam", "catalogue_products": [products["Integrations"]], "other_products": ""},
    )
    catalogue.product_retire(actor=program_admin, product=products["Integrations"])
    text = body(admin_client_a.get(reverse("portal:deal_edit", args=[draft.pk])))
    assert re.search(rf'value="{products["Integrations"].pk}"[^>]*checked', text)
    assert "no longer offered; this registration keeps it" in text
    response = post(
        admin_client_a,
        form_data(catalogue_products=[products["Integrations"].pk, products["Platform"].pk]),
        action="draft",
        registration=draft,
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert set(draft.catalogue_products.all()) == {products["Integrations"], products["Platform"]}
    assert draft.products == "Platform, Integrations"


def test_editing_shows_what_was_picked_and_a_text_from_before_the_catalogue_under_other(
    admin_client_a, partner_a, partner_a_admin, products
):
    picked = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={"name": "Picked Co", "catalogue_products": [products["Analytics"]], "other_products": "Training"},
    )
    text = body(admin_client_a.get(reverse("portal:deal_edit", args=[picked.pk])))
    assert re.search(rf'value="{products["Analytics"].pk}"[^>]*checked', text)
    assert not re.search(rf'value="{products["Platform"].pk}"[^>]*checked', text)
    assert re.search(r'name="other"[^>]*checked', text)
    assert 'value="Training"' in text

    older = RegistrationFactory(partner=partner_a, name="Older Co", products="Platform Pro; support")
    text = body(admin_client_a.get(reverse("portal:deal_edit", args=[older.pk])))
    assert re.search(r'name="other"[^>]*checked', text)
    assert 'value="Platform Pro; support"' in text
    older.refresh_from_db()
    assert older.products == "Platform Pro; support"  # existing registrations keep their text


def test_products_picked_from_the_catalogue_narrow_conflicts_like_the_text_did(
    partner_a, partner_a_admin, partner_b, products
):
    approved(partner_b, name="Fabrikam, Inc.", website="https://www.fabrikam.com", products="Analytics")
    mine = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={
            "name": "Fabrikam Inc",
            "website": "fabrikam.com",
            "catalogue_products": [products["Platform"]],
            "other_products": "",
        },
    )
    mine = deals.registration_submit(actor=partner_a_admin, registration=mine)
    assert not Conflict.objects.filter(registration=mine, kind=Conflict.Kind.REGISTRATION).exists()
    other = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={
            "name": "Fabrikam Incorporated",
            "website": "fabrikam.com",
            "catalogue_products": [products["Analytics"]],
            "other_products": "",
        },
    )
    other = deals.registration_submit(actor=partner_a_admin, registration=other)
    assert Conflict.objects.filter(registration=other, kind=Conflict.Kind.REGISTRATION).exists()


def test_the_service_takes_text_or_a_picking_not_both(partner_a, partner_a_admin, products):
    with pytest.raises(ValidationError, match="not both"):
        deals.registration_save_draft(
            actor=partner_a_admin,
            partner=partner_a,
            data={"name": "X", "products": "Platform", "catalogue_products": [products["Platform"]]},
        )
    # Text written directly (callers without the catalogue) replaces an earlier picking, so the two never disagree.
    draft = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={"name": "X", "catalogue_products": [products["Platform"].pk], "other_products": ""},
    )
    deals.registration_save_draft(
        actor=partner_a_admin, partner=partner_a, registration=draft, data={"products": "Something else"}
    )
    draft.refresh_from_db()
    assert draft.products == "Something else"
    assert not draft.catalogue_products.exists()


# --- Without a catalogue ---------------------------------------------------------------------------------------


def test_without_products_offered_the_form_is_free_text_as_before(admin_client_a, partner_a, program_admin, products):
    for product in products.values():
        catalogue.product_retire(actor=program_admin, product=product)
    text = body(admin_client_a.get(reverse("portal:deal_create")))
    assert 'name="products"' in text
    assert 'name="catalogue_products"' not in text
    assert 'name="other"' not in text
    response = post(admin_client_a, form_data(products="Platform, Analytics"))
    assert response.status_code == 302
    registration = Registration.objects.get(partner=partner_a)
    assert registration.products == "Platform, Analytics"
    assert not registration.catalogue_products.exists()


def test_without_a_catalogue_products_stay_optional_as_before(admin_client_a, partner_a):
    text = body(admin_client_a.get(reverse("portal:deal_create")))
    label = re.search(r'<label for="id_products">(.*?)</label>', text, re.S).group(1)
    assert "(optional)" in label
    response = post(admin_client_a, form_data())
    assert response.status_code == 302
    registration = Registration.objects.get(partner=partner_a)
    assert registration.status == Registration.Status.SUBMITTED
    assert registration.products == ""


# --- What is needed to submit ----------------------------------------------------------------------------------


def test_a_draft_can_be_saved_with_nothing_but_the_customer_name(admin_client_a, partner_a, products):
    # What a browser sends for an untouched form: the name typed, the defaults of the choices.
    defaults = {"name": "Just A Name", "currency": "USD", "stage": "discovery", "involvement": "sourced"}
    response = post(admin_client_a, defaults, action="draft")
    assert response.status_code == 302
    draft = Registration.objects.get(partner=partner_a)
    assert draft.status == Registration.Status.DRAFT
    assert [r.field for r in registration_missing_to_submit(draft)] == [
        "contact_name",
        "contact_email",
        "products",
        "value",
        "expected_close",
    ]


def test_submitting_with_missing_fields_lists_them_once_and_keeps_everything_typed(admin_client_a, products):
    response = post(
        admin_client_a,
        form_data(
            contact_name="",
            contact_email="",
            value="",
            catalogue_products=None,
            other_products="typed but not ticked",
            notes="Keep me",
        ),
    )
    assert response.status_code == 400
    text = body(response)
    summary = text.split('id="needed-summary"', 1)[1].split("</div>", 1)[0]
    assert "Before you submit, add:" in summary
    for what, anchor in (
        ("The contact&#x27;s name", "#id_contact_name"),
        ("The contact&#x27;s email", "#id_contact_email"),
        ("At least one product", "#catalogue-products"),
        ("The estimated value", "#id_value"),
    ):
        assert f'<a href="{anchor}">{what}</a>' in summary
    assert "expected close" not in summary  # it was given
    # ...and next to each field.
    assert text.count("Needed before you submit:") == 4
    assert 'id="id_contact_email_error"' in text
    assert 'id="catalogue-products-error"' in text
    # Nothing typed is lost.
    assert 'value="Fabrikam Inc"' in text
    assert 'value="typed but not ticked"' in text
    assert "Keep me" in text
    assert not Registration.objects.exists()


def test_values_and_ticks_are_kept_when_another_field_is_wrong(admin_client_a, products):
    response = post(
        admin_client_a,
        form_data(
            contact_email="not-an-email",
            catalogue_products=[products["Analytics"].pk],
            other="on",
            other_products="Training",
        ),
    )
    assert response.status_code == 400
    text = body(response)
    assert "Enter an email address, like jane@acme.com." in text
    assert re.search(rf'value="{products["Analytics"].pk}"[^>]*checked', text)
    assert not re.search(rf'value="{products["Platform"].pk}"[^>]*checked', text)
    assert re.search(r'name="other"[^>]*checked', text)
    assert 'value="Training"' in text
    assert 'value="not-an-email"' in text


@pytest.mark.parametrize("with_catalogue", [True, False])
def test_every_field_needed_to_submit_is_marked_and_only_those(admin_client_a, program_admin, with_catalogue):
    if with_catalogue:
        catalogue.product_create(actor=program_admin, data={"name": "Platform"})
    text = body(admin_client_a.get(reverse("portal:deal_create")))
    fields = [r.field for r in submit_requirements(with_catalogue=with_catalogue)]
    assert ("products" in fields) is with_catalogue  # a product is asked for once there is a catalogue
    expected = ["catalogue_products" if field == "products" else field for field in fields]
    assert sorted(marked(text)) == sorted(expected)
    # The legend says what the mark means; screen readers hear it with each field's label.
    assert '<span class="needed-mark" aria-hidden="true">*</span> Needed to submit.' in text
    assert text.count('<span class="visually-hidden"> (needed to submit)</span>') == len(expected)
    for field in expected:
        if field == "catalogue_products":
            legend = text.split('id="catalogue-products"', 1)[1].split("</legend>", 1)[0]
            assert 'data-needed-for="catalogue_products"' in legend
        else:
            label = re.search(rf'<label for="id_{field}">(.*?)</label>', text, re.S).group(1)
            assert f'data-needed-for="{field}"' in label
    # Optional fields say so; fields with a default say nothing.
    website = re.search(r'<label for="id_website">(.*?)</label>', text, re.S).group(1)
    assert "(optional)" in website
    assert "needed-mark" not in website


def test_the_marks_come_from_the_one_definition(monkeypatch, db):
    """Adding a requirement to the definition marks its field and asks for it: no second list anywhere."""
    from dealreg.services.registrations import requirements

    monkeypatch.setattr(
        requirements,
        "SUBMIT_REQUIREMENTS",
        (*SUBMIT_REQUIREMENTS, requirements.Requirement("contact_title", "the contact's job title")),
    )
    form = RegistrationForm(
        form_data(products="Platform", contact_title=""), for_submit=True
    )  # no catalogue: free text
    assert "contact_title" in form.needed_fields
    assert not form.is_valid()
    assert "Needed before you submit: the contact's job title." in form.errors["contact_title"]


def test_outsiders_cannot_open_another_partners_draft(outsider_client, partner_a, partner_a_admin, products):
    draft = deals.registration_save_draft(actor=partner_a_admin, partner=partner_a, data={"name": "Fabrikam"})
    assert outsider_client.get(reverse("portal:deal_edit", args=[draft.pk])).status_code == 404
    response = outsider_client.post(
        reverse("portal:deal_edit", args=[draft.pk]),
        {**form_data(catalogue_products=[products["Platform"].pk]), "action": "draft"},
    )
    assert response.status_code == 404
    assert not draft.catalogue_products.exists()


def test_the_form_and_the_catalogue_page_do_not_query_per_product(
    admin_client_a, program_admin_client, program_admin, partner_a, partner_a_admin, products
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = deals.registration_save_draft(
        actor=partner_a_admin,
        partner=partner_a,
        data={"name": "Fabrikam", "catalogue_products": [products["Platform"]], "other_products": ""},
    )
    pages = [
        (admin_client_a, reverse("portal:deal_create")),
        (admin_client_a, reverse("portal:deal_edit", args=[draft.pk])),
        (program_admin_client, reverse("manage:setup_product_list")),
    ]
    before = []
    for client, url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        before.append(len(queries))
    for n in range(10):
        catalogue.product_create(actor=program_admin, data={"name": f"Extra {n}", "description": "More"})
    for (client, url), count in zip(pages, before, strict=True):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == count, url


def test_the_service_refuses_junk_product_ids_in_words(partner_a, partner_a_admin, products):
    for junk in (["abc"], [None], [999999]):
        with pytest.raises(ValidationError) as refused:
            deals.registration_save_draft(
                actor=partner_a_admin,
                partner=partner_a,
                data={"name": "X", "catalogue_products": junk, "other_products": ""},
            )
        assert "catalogue_products" in refused.value.message_dict
    assert not Registration.objects.exists()


def test_junk_posted_to_the_form_is_a_message_not_a_500(admin_client_a, products):
    response = post(admin_client_a, form_data(catalogue_products=["abc"]))
    assert response.status_code == 400
    assert "Pick the products from the list." in body(response)
    response = post(admin_client_a, form_data(catalogue_products=["999999"]))
    assert response.status_code == 400
    assert "One of the products is no longer offered: pick again." in body(response)
    assert not Registration.objects.exists()
