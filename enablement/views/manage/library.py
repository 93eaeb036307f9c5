"""The content library for the channel team: every asset with its view counts, adding and changing assets (an
uploaded file is checked for type and size and stored privately), deleting them, and the private download."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from enablement import selectors, services
from enablement.forms.manage import AssetFilterForm, AssetForm
from enablement.models import Asset
from prm.access import manager_required
from prm.csv_export import exports_csv
from prm.uploads import private_file_response

from .common import NAV, PER_PAGE, ValidationError, attach_errors


@exports_csv("manage:enablement_export", kind="assets")
@manager_required
def assets(request: HttpRequest) -> HttpResponse:
    form = AssetFilterForm(request.GET)
    filters = form.filters()
    page = Paginator(selectors.assets_manage(**filters), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "assets": list(page.object_list),
        "is_filtered": bool(filters),
        "kinds": Asset.Kind.choices,
        "nav": NAV,
    }
    return render(request, "enablement/manage/assets.html", context)


def _form_page(request: HttpRequest, form: AssetForm, asset: Asset | None, status: int = 200) -> HttpResponse:
    context = {"form": form, "asset": asset, "nav": NAV}
    return render(request, "enablement/manage/asset_form.html", context, status=status)


@manager_required
def asset_new(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, AssetForm(), None)
    form = AssetForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            asset = services.asset_create(actor=request.user, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, f"“{asset.title}” is in the library.")
            return redirect("manage:enablement_assets")
    return _form_page(request, form, None, status=400)


@manager_required
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_object_or_404(Asset, pk=pk)
    if request.method != "POST":
        return _form_page(request, AssetForm(asset=asset), asset)
    form = AssetForm(request.POST, request.FILES, asset=asset)
    if form.is_valid():
        try:
            services.asset_update(actor=request.user, asset=asset, **form.service_fields())
        except ValidationError as exc:
            attach_errors(form, exc)
            asset.refresh_from_db()
        else:
            messages.success(request, f"“{asset.title}” is saved.")
            return redirect("manage:enablement_assets")
    return _form_page(request, form, asset, status=400)


@manager_required
@require_POST
def asset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_object_or_404(Asset, pk=pk)
    title = asset.title
    try:
        services.asset_delete(actor=request.user, asset=asset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage:enablement_asset_edit", pk=pk)
    messages.success(request, f"“{title}” was removed from the library. Lessons that linked to it keep their text.")
    return redirect("manage:enablement_assets")


@manager_required
def asset_file(request: HttpRequest, pk: int) -> HttpResponse:
    """An asset's file, as a download (channel managers only; partners use their portal link, which checks who may
    see it and counts the view)."""
    asset = get_object_or_404(Asset, pk=pk)
    if not asset.file:
        raise Http404("This asset has no file.")
    try:
        return private_file_response(asset.file, download_name=asset.file_name)
    except OSError:
        messages.error(request, "The file is missing from storage. Upload it again.")
        return redirect("manage:enablement_asset_edit", pk=pk)
