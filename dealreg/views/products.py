"""Program setup, products: the catalogue partners pick from on the deal form (/manage/program/products/).

The same door as the rest of the program setup (`partners.views.setup.program_setup`): channel managers only (others
get the manager app's 404); a program admin changes things; a plain channel manager sees the same pages read-only,
and the 403 page saying whom to ask when it posts anyway.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from dealreg.forms import ProductForm, product_initial
from dealreg.models import Product
from dealreg.services import products as services
from partners.forms.setup import make_read_only
from partners.views.setup import program_setup, setup_context
from prm.csv_export import csv_response, csv_time, exports_csv
from prm.forms import attach_errors


def _data(form: ProductForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in services.PRODUCT_FIELDS}


def _get(pk: int) -> Product:
    return get_object_or_404(Product.objects.annotate(registration_count=Count("registrations")), pk=pk)


@exports_csv("manage:setup_product_export")
@program_setup
@require_http_methods(["GET", "HEAD"])
def product_list(request: HttpRequest) -> HttpResponse:
    offered, retired = services.product_rows()
    rows = [
        {"product": product, "is_first": i == 0, "is_last": i == len(offered) - 1} for i, product in enumerate(offered)
    ]
    return render(request, "dealreg/products/list.html", setup_context(request, rows=rows, retired=retired))


@program_setup
@require_http_methods(["GET", "HEAD"])
def product_export(request: HttpRequest) -> HttpResponse:
    """The catalogue as the page shows it: the offered products in their order, then the retired ones."""
    offered, retired = services.product_rows()
    rows = (
        [
            product.name,
            product.code,
            product.description,
            "offered" if product.is_active else "retired",
            position if product.is_active else "",
            product.registration_count,
            csv_time(product.retired_at),
        ]
        for position, product in enumerate([*offered, *retired], start=1)
    )
    header = ["product", "code", "description", "state", "position", "registrations", "retired"]
    return csv_response(name="products", header=header, rows=rows)


def _render_form(
    request: HttpRequest, form: ProductForm, product: Product | None = None, status: int = 200
) -> HttpResponse:
    if not request.can_edit_program:  # type: ignore[attr-defined]
        make_read_only(form)
    return render(
        request, "dealreg/products/form.html", setup_context(request, form=form, product=product), status=status
    )


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def product_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_form(request, ProductForm())
    form = ProductForm(request.POST)
    if form.is_valid():
        try:
            product = services.product_create(actor=request.user, data=_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{product.name} added at the end of the list partners pick from.")
            return redirect("manage:setup_product_list")
    return _render_form(request, form, status=400)


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = _get(pk)
    if request.method != "POST":
        return _render_form(request, ProductForm(initial=product_initial(product)), product)
    form = ProductForm(request.POST)
    if form.is_valid():
        try:
            product = services.product_update(actor=request.user, product=product, data=_data(form))
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"{product.name} saved.")
            return redirect("manage:setup_product_list")
    return _render_form(request, form, product, status=400)


@program_setup
@require_POST
def product_move(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    direction = request.POST.get("direction", "")
    try:
        product = services.product_move(actor=request.user, product=product, direction=direction)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{product.name} moved {'up' if direction == 'up' else 'down'}.")
    return redirect(f"{reverse('manage:setup_product_list')}#product-{product.pk}")


@program_setup
@require_http_methods(["GET", "HEAD", "POST"])
def product_retire(request: HttpRequest, pk: int) -> HttpResponse:
    product = _get(pk)
    if request.method != "POST":
        return render(request, "dealreg/products/retire.html", setup_context(request, product=product))
    try:
        product = services.product_retire(actor=request.user, product=product)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"{product.name} is retired: partners no longer see it. Registrations that have it keep it."
        )
    return redirect("manage:setup_product_list")


@program_setup
@require_POST
def product_restore(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    try:
        product = services.product_restore(actor=request.user, product=product)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{product.name} is offered again, at the end of the list.")
    return redirect("manage:setup_product_list")
