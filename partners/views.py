from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partners import selectors
from partners.auth import officer_of
from partners.capabilities import capabilities_for


@require_GET
def party_list(request: HttpRequest) -> HttpResponse:
    groups = [
        (label, [(party, capabilities_for(party.status)) for party in parties])
        for label, parties in selectors.parties_grouped_by_status()
    ]
    return render(request, "partners/party_list.html", {"groups": groups})


@require_GET
def agency_list(request: HttpRequest) -> HttpResponse:
    party_code = request.GET.get("party") or None
    agencies = selectors.agencies_for_directory(party_code=party_code)
    return render(
        request, "partners/agency_list.html", {"agencies": agencies, "party_code": party_code}
    )


@require_GET
def officer_list(request: HttpRequest) -> HttpResponse:
    officer = selectors.officer_profile(officer_of(request).pk)
    return render(
        request,
        "partners/officer_list.html",
        {"officers": selectors.colleagues_of(officer), "party": officer.party},
    )
