"""Program setup, products: the product catalogue (/manage/program/products/...)."""

from django.urls import path

from dealreg.views import products

manage_patterns: list = [
    path("program/products/", products.product_list, name="setup_product_list"),
    path("program/products/export.csv", products.product_export, name="setup_product_export"),
    path("program/products/new/", products.product_create, name="setup_product_create"),
    path("program/products/<id:pk>/", products.product_edit, name="setup_product_edit"),
    path("program/products/<id:pk>/move/", products.product_move, name="setup_product_move"),
    path("program/products/<id:pk>/retire/", products.product_retire, name="setup_product_retire"),
    path("program/products/<id:pk>/restore/", products.product_restore, name="setup_product_restore"),
]
