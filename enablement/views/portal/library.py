"""The content library in the portal: search and filters, an asset's page, its private download. Assets are read
through `selectors.access_asset(partner=request.partner, ...)`: one the partner may not see is a 404, and files
are only ever streamed through the download view after that check (never a public URL)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from enablement import selectors, services
from enablement.forms.portal import LibraryFilterForm
from prm.access import partner_required
from prm.uploads import private_file_response

PER_PAGE = 30


@partner_required
def library(request: HttpRequest) -> HttpResponse:
    products = selectors.asset_products(partner=request.partner)
    form = LibraryFilterForm(request.GET, products=products)
    filters = form.filters()
    assets = selectors.assets_for(partner=request.partner, membership=request.membership, **filters)
    page = Paginator(assets, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "assets": list(page.object_list),
        "is_filtered": bool(filters),
        "my_role": request.membership.role,
        "tab": "library",
    }
    template = "enablement/portal/library.html"
    if request.htmx and request.htmx.target == "library-results" and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


@partner_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An asset's page; opening it counts as a view (once per person per half hour)."""
    asset = selectors.access_asset(partner=request.partner, pk=pk)
    services.asset_record_view(asset=asset, user=request.user, partner=request.partner)
    return render(request, "enablement/portal/asset.html", {"asset": asset, "tab": "library"})


@partner_required
def asset_download(request: HttpRequest, pk: int) -> HttpResponse:
    asset = selectors.access_asset(partner=request.partner, pk=pk)
    if not asset.file:
        raise Http404("Not found")
    try:
        response = private_file_response(asset.file, download_name=asset.file_name)
    except OSError:  # the stored file went missing: say so rather than fail
        messages.error(
            request, "This file cannot be found right now. Tell your channel manager so they can upload it again."
        )
        return redirect("portal:training_asset", pk=asset.pk)
    services.asset_record_view(asset=asset, user=request.user, partner=request.partner)
    return response
