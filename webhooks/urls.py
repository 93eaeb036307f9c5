"""The webhooks URL map: endpoint pages in the manager app (/manage/webhooks/)."""

from django.urls import path

from webhooks.views import manage

manage_urlpatterns: list = [
    path("webhooks/", manage.endpoint_list, name="webhook_list"),
    path("webhooks/export.csv", manage.endpoint_list_export, name="webhook_list_export"),
    path("webhooks/new/", manage.endpoint_create, name="webhook_create"),
    path("webhooks/<id:pk>/", manage.endpoint_detail, name="webhook_detail"),
    path("webhooks/<id:pk>/deliveries.csv", manage.endpoint_deliveries_export, name="webhook_deliveries_export"),
    path("webhooks/<id:pk>/edit/", manage.endpoint_edit, name="webhook_edit"),
    path("webhooks/<id:pk>/rotate-secret/", manage.endpoint_rotate_secret, name="webhook_rotate_secret"),
    path("webhooks/<id:pk>/test/", manage.endpoint_send_test, name="webhook_send_test"),
    path("webhooks/<id:pk>/enable/", manage.endpoint_enable, name="webhook_enable"),
    path("webhooks/<id:pk>/disable/", manage.endpoint_disable, name="webhook_disable"),
    path("webhooks/deliveries/<id:pk>/", manage.delivery_detail, name="webhook_delivery"),
    path("webhooks/deliveries/<id:pk>/redeliver/", manage.delivery_redeliver, name="webhook_redeliver"),
]
