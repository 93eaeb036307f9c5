from django.urls import path

from dealreg import urls_products, urls_setup
from dealreg.views import accounts, lifecycle, manage, portal

manage_urlpatterns = [
    path("deals/", manage.registration_list, name="deals"),
    path("deals/review/", manage.review_queue, name="deal_review_queue"),
    path("deals/review/export.csv", manage.review_queue_export, name="deal_review_queue_export"),
    path("deals/export.csv", manage.registration_export, name="deal_export"),
    path("deals/<id:pk>/", manage.registration_detail, name="deal_detail"),
    path("deals/<id:pk>/decide/", manage.registration_decide, name="deal_decide"),
    path("deals/<id:pk>/resolve/", manage.conflict_resolve, name="deal_resolve"),
    path("deals/<id:pk>/extension/", lifecycle.extension_decide, name="deal_extension_decide"),
    path("accounts/", accounts.account_list, name="account_list"),
    path("accounts/export.csv", accounts.account_export, name="account_export"),
    path("accounts/new/", accounts.account_create, name="account_create"),
    path("accounts/import/", accounts.account_import, name="account_import"),
    path("accounts/<id:pk>/", accounts.account_detail, name="account_detail"),
    path("accounts/<id:pk>/opportunities/new/", accounts.opportunity_create, name="opportunity_create"),
    *urls_setup.manage_patterns,
    *urls_products.manage_patterns,
]
portal_urlpatterns = [
    path("deals/", portal.registration_list, name="deals"),
    path("deals/new/", portal.registration_create, name="deal_create"),
    path("deals/check/", portal.registration_check, name="deal_check"),
    path("deals/estimate/", portal.registration_estimate, name="deal_estimate"),
    path("deals/<id:pk>/", portal.registration_detail, name="deal_detail"),
    path("deals/<id:pk>/edit/", portal.registration_edit, name="deal_edit"),
    path("deals/<id:pk>/submit/", portal.registration_submit, name="deal_submit"),
    path("deals/<id:pk>/extend/", lifecycle.registration_extend, name="deal_extend"),
    path("deals/<id:pk>/close/", lifecycle.registration_close, name="deal_close"),
]
