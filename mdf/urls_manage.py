from django.urls import path

from mdf.views import manage

manage_urlpatterns = [
    path("mdf/", manage.review_queue, name="mdf"),
    path("mdf/requests/", manage.request_list, name="mdf_requests"),
    path("mdf/requests/<id:pk>/", manage.request_detail, name="mdf_request"),
    path("mdf/requests/<id:pk>/decide/", manage.request_decide, name="mdf_request_decide"),
    path("mdf/requests/<id:pk>/extend/", manage.request_extend, name="mdf_request_extend"),
    path("mdf/claims/", manage.claim_list, name="mdf_claims"),
    path("mdf/claims/<id:pk>/", manage.claim_detail, name="mdf_claim"),
    path("mdf/claims/<id:pk>/decide/", manage.claim_decide, name="mdf_claim_decide"),
    path("mdf/claims/<id:pk>/pay/", manage.claim_pay, name="mdf_claim_pay"),
    path("mdf/proofs/<id:pk>/", manage.proof_download, name="mdf_proof"),
    path("mdf/budgets/", manage.budgets, name="mdf_budgets"),
    path("mdf/budgets/allocate/", manage.allocate, name="mdf_allocate"),
    path("mdf/budgets/pools/", manage.pool_set, name="mdf_pool_set"),
    path("mdf/budgets/import/", manage.allocation_import, name="mdf_import"),
    path("mdf/ledger/", manage.ledger, name="mdf_ledger"),
    path("mdf/payouts/", manage.payouts, name="mdf_payouts"),
    path("mdf/roi/", manage.roi, name="mdf_roi"),
    path("mdf/export/<slug:kind>.csv", manage.export, name="mdf_export"),
    path("mdf/settings/", manage.settings_page, name="mdf_settings"),
]
