"""The webhook pages: program admins add and change endpoints (the secret shown once), rotate, test, turn on and
off and redeliver; plain channel managers read; partner users never see them; bad input is a message, not a 500."""

import pytest
from django.utils import timezone

from prm.models import AuditEvent
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

Status = WebhookDelivery.Status


@pytest.mark.django_db
def test_a_program_admin_adds_an_endpoint_and_sees_the_secret_once(receiver, program_admin_client, program_admin):
    page = program_admin_client.get("/manage/webhooks/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Deal registrations" in html  # the checkboxes, grouped by object
    assert 'value="registration.approved"' in html

    response = program_admin_client.post(
        "/manage/webhooks/new/",
        {
            "url": receiver.url,
            "description": "Salesforce sync",
            "events": ["registration.approved", "registration.won"],
        },
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/manage/webhooks/{endpoint.pk}/"
    assert endpoint.events == ["registration.approved", "registration.won"]
    assert endpoint.created_by == program_admin
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) > 40

    first = program_admin_client.get(response["Location"]).content.decode()
    assert endpoint.secret in first
    assert "it is not shown again" in first
    second = program_admin_client.get(response["Location"]).content.decode()
    assert endpoint.secret not in second
    assert f"…{endpoint.secret[-4:]}" in second
    assert AuditEvent.objects.filter(verb="webhooks.endpoint_created", actor=program_admin).count() == 1

    listing = program_admin_client.get("/manage/webhooks/").content.decode()
    assert "Salesforce sync" in listing
    assert "2 events" in listing
    assert "Nothing sent yet" in listing


@pytest.mark.django_db
def test_a_private_url_is_refused_with_a_message(settings, program_admin_client):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = program_admin_client.post(
        "/manage/webhooks/new/",
        {"url": "http://192.168.1.20/hooks", "description": "Office box", "events": ["partner.applied"]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "points to 192.168.1.20, a private, loopback or reserved address" in html
    assert 'value="Office box"' in html  # nothing typed is lost
    assert 'value="partner.applied" checked' in html
    assert not WebhookEndpoint.objects.exists()

    junk = program_admin_client.post("/manage/webhooks/new/", {"url": "not a url", "events": ["no.such_event"]})
    assert junk.status_code == 400
    html = junk.content.decode()
    assert "Enter a full web address" in html
    assert "“no.such_event” is not an event we send." in html
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_plain_managers_read_but_cannot_change(receiver, program_admin, manager_client):
    endpoint = services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": []})
    page = manager_client.get(f"/manage/webhooks/{endpoint.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Read-only." in html
    assert endpoint.secret not in html
    assert "Rotate the secret" not in html
    for url in (
        "/manage/webhooks/new/",
        f"/manage/webhooks/{endpoint.pk}/edit/",
        f"/manage/webhooks/{endpoint.pk}/rotate-secret/",
        f"/manage/webhooks/{endpoint.pk}/test/",
        f"/manage/webhooks/{endpoint.pk}/disable/",
    ):
        assert manager_client.post(url, {"url": "https://93.184.216.34/x"}).status_code == 403, url
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert WebhookEndpoint.objects.count() == 1
    assert receiver.requests == []


@pytest.mark.django_db
def test_partner_users_get_404(receiver, program_admin, admin_client_a):
    endpoint = services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": []})
    assert admin_client_a.get("/manage/webhooks/").status_code == 404
    assert admin_client_a.get(f"/manage/webhooks/{endpoint.pk}/").status_code == 404
    assert admin_client_a.post(f"/manage/webhooks/{endpoint.pk}/rotate-secret/").status_code == 404


@pytest.mark.django_db
def test_edit_rotate_test_and_turn_off_and_on(
    receiver, program_admin, program_admin_client, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": []})
    old_secret = endpoint.secret

    response = program_admin_client.post(
        f"/manage/webhooks/{endpoint.pk}/edit/",
        {"url": receiver.url, "description": "HubSpot", "events": ["partner.tier_changed"]},
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.description, endpoint.events, endpoint.secret) == ("HubSpot", ["partner.tier_changed"], old_secret)

    program_admin_client.post(f"/manage/webhooks/{endpoint.pk}/rotate-secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.secret in program_admin_client.get(f"/manage/webhooks/{endpoint.pk}/").content.decode()

    # A test event goes out whatever the endpoint subscribes to, signed with the new secret.
    with django_capture_on_commit_callbacks(execute=True):
        program_admin_client.post(f"/manage/webhooks/{endpoint.pk}/test/")
    assert [r.headers["X-PRM-Event"] for r in receiver.requests] == ["webhook.test"]
    assert receiver.requests[0].json["data"]["endpoint"] == {"id": endpoint.pk, "url": receiver.url}

    program_admin_client.post(f"/manage/webhooks/{endpoint.pk}/disable/", {"reason": "CRM migration this weekend"})
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason) == (False, "CRM migration this weekend")
    refused = program_admin_client.post(f"/manage/webhooks/{endpoint.pk}/test/", follow=True)
    assert "turn it on before sending a test event" in refused.content.decode()
    assert len(receiver.requests) == 1

    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failure_count=7, failing_since=timezone.now())
    program_admin_client.post(f"/manage/webhooks/{endpoint.pk}/enable/")
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.failure_count, endpoint.failing_since, endpoint.disabled_reason) == (
        True,
        0,
        None,
        "",
    )
    verbs = list(AuditEvent.objects.filter(verb__startswith="webhooks.").order_by("pk").values_list("verb", flat=True))
    assert verbs == [
        "webhooks.endpoint_created",
        "webhooks.endpoint_updated",
        "webhooks.secret_rotated",
        "webhooks.endpoint_disabled",
        "webhooks.endpoint_enabled",
    ]


@pytest.mark.django_db
def test_the_delivery_log_filters_failed_ones(receiver, program_admin, program_admin_client):
    endpoint = services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": []})
    good = services.endpoint_send_test(actor=program_admin, endpoint=endpoint)
    services.delivery_attempt(delivery_id=good.pk, now=timezone.now())
    receiver.status = 500
    receiver.answer = b"upstream exploded"
    bad = services.endpoint_send_test(actor=program_admin, endpoint=endpoint)
    services.delivery_attempt(delivery_id=bad.pk, now=timezone.now())
    assert [r.headers["X-PRM-Event"] for r in receiver.requests] == ["webhook.test", "webhook.test"]

    html = program_admin_client.get(f"/manage/webhooks/{endpoint.pk}/").content.decode()
    assert f'id="delivery-{good.pk}"' in html
    assert f'id="delivery-{bad.pk}"' in html
    assert "All (2)" in html
    assert "Failed (1)" in html

    failed = program_admin_client.get(f"/manage/webhooks/{endpoint.pk}/?show=failed").content.decode()
    assert f'id="delivery-{bad.pk}"' in failed
    assert f'id="delivery-{good.pk}"' not in failed
    assert "upstream exploded" in failed
    assert "The receiver answered 500." in failed

    detail = program_admin_client.get(f"/manage/webhooks/deliveries/{bad.pk}/").content.decode()
    assert 'id="attempt-1"' in detail
    assert "Redeliver" in detail
    assert str(bad.event_id) in detail

    listing = program_admin_client.get("/manage/webhooks/").content.decode()
    assert "Failed, will retry" in listing  # the last delivery's status
    assert "1 failed attempt in a row" in listing


@pytest.mark.django_db
def test_the_list_costs_the_same_queries_for_many_endpoints(
    receiver, program_admin, program_admin_client, django_assert_max_num_queries
):
    for n in range(8):
        endpoint = services.endpoint_create(actor=program_admin, data={"url": f"{receiver.url}/{n}", "events": []})
        services.endpoint_send_test(actor=program_admin, endpoint=endpoint)
    with django_assert_max_num_queries(12):
        assert program_admin_client.get("/manage/webhooks/").status_code == 200


@pytest.mark.django_db
def test_a_delivery_waiting_cannot_be_redelivered_twice(receiver, program_admin, program_admin_client):
    endpoint = services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": []})
    delivery = services.endpoint_send_test(actor=program_admin, endpoint=endpoint)  # pending, not attempted
    response = program_admin_client.post(f"/manage/webhooks/deliveries/{delivery.pk}/redeliver/", follow=True)
    assert "already waiting for its next attempt" in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.PENDING, 0)


@pytest.mark.django_db
def test_the_setup_summary_in_plain_words(receiver, program_admin):
    import webhooks.views.manage  # noqa: F401 -- registers the summary, as the URLconf does
    from partners.views.setup import _summary

    assert _summary("manage:webhook_list") == ["No endpoint yet: your CRM hears about nothing until you add one."]
    first = services.endpoint_create(actor=program_admin, data={"url": receiver.url, "events": []})
    services.endpoint_create(actor=program_admin, data={"url": receiver.url + "/2", "events": []})
    assert _summary("manage:webhook_list") == ["2 endpoints, all on."]
    services.endpoint_disable(actor=program_admin, endpoint=first, reason="Paused")
    assert _summary("manage:webhook_list") == ["2 endpoints, 1 turned off."]
