from django.urls import path

from mdf.views import portal

portal_urlpatterns = [
    path("mdf/", portal.index, name="mdf"),
    path("mdf/ledger/", portal.ledger, name="mdf_ledger"),
    path("mdf/requests/new/", portal.request_new, name="mdf_request_new"),
    path("mdf/requests/hints/", portal.request_hints, name="mdf_request_hints"),
    path("mdf/requests/<id:pk>/", portal.request_detail, name="mdf_request"),
    path("mdf/requests/<id:pk>/edit/", portal.request_edit, name="mdf_request_edit"),
    path("mdf/requests/<id:pk>/cancel/", portal.request_cancel, name="mdf_request_cancel"),
    path("mdf/requests/<id:pk>/attribute/", portal.attribute, name="mdf_attribute"),
    path("mdf/requests/<id:pk>/claim/", portal.claim_new, name="mdf_claim_new"),
    path("mdf/claims/<id:pk>/", portal.claim_detail, name="mdf_claim"),
    path("mdf/claims/<id:pk>/edit/", portal.claim_edit, name="mdf_claim_edit"),
    path("mdf/claims/<id:pk>/proof/", portal.claim_add_proof, name="mdf_claim_add_proof"),
    path("mdf/proofs/<id:pk>/", portal.proof_download, name="mdf_proof"),
]
