"""The cases endpoints of the REST API (under /api/v1/cases/).

The same services, selectors and policy as the pages: 404 for a case the caller may not see
(as for one that does not exist), 403 where they may see it but not act, 400 with the fields'
errors for input the rules refuse. Reading a case's content (the detail, its meetings and
results) is the audited consultation; downloading an attachment, the audited disclosure.
The bodies they take and give are declared in ``cases.api_serializers``; the lists are pages of
``selec.core.api_pagination.CursorPage``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import APIView

from cases.api_serializers import (
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseInviteSerializer,
    CaseSerializer,
    CaseStatusChangeSerializer,
    ListParamsSerializer,
    MeetingCreateJsonSerializer,
    MeetingCreateSerializer,
    MeetingSerializer,
    ResultCreateSerializer,
    ResultSerializer,
)
from cases.models import Case, CaseKind, CaseStatus, OperationalMeeting, Result
from cases.selectors import (
    CaseFilter,
    attachment_of_case,
    case_get_for_officer,
    case_meeting,
    case_page,
    case_result,
    case_rows,
    meeting_rows,
    result_rows,
)
from cases.services import case_change_status, case_consult, case_create, case_invite
from cases.services_meetings import meeting_add, meeting_attachment_download
from cases.services_results import SeizureInput, result_record
from exchanges.api_inputs import api_parsed
from exchanges.services.inputs import attachments_of
from partners.auth import officer_of
from partners.models import Party
from selec.core.api_answers import api_answers
from selec.core.api_pagination import CursorPage
from selec.core.api_parsers import JSONParser
from selec.core.files import download_response

TAG = "cases"
_BODY_PARSERS = [JSONParser, MultiPartParser, FormParser]
_REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-RO-2026-0001"
)


def _case_body(request: Request, case: Case) -> dict[str, Any]:
    return CaseSerializer(case, context={"request": request}).data


def _party_ids(codes: list[str], *, field: str = "parties", one: bool = False) -> list[int]:
    """The ids of the parties the codes name; 400 on the ``field`` if one names none (``one``:
    a single code was given)."""
    ids = dict(Party.objects.filter(code__in=set(codes)).values_list("code", "pk"))
    if len(ids) != len(set(codes)):
        unknown = _("Unknown party code.") if one else _("Unknown party codes.")
        raise serializers.ValidationError({field: [unknown]})
    return list(ids.values())


def _case(request: Request, reference: str) -> Case:
    return case_get_for_officer(officer_of(request), reference=reference)


# --- Views ----------------------------------------------------------------------------------


class CaseListView(GenericAPIView[Case]):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=CaseKind.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=CaseStatus.values),
        ],
        responses=api_answers({200: CaseSerializer(many=True)}),
        description="The cases you take part in (your agency's, your country's for an NFP "
        "officer, those naming you as analyst), newest first (by start date); metadata only.",
    )
    def get(self, request: Request) -> Response:
        params = ListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = CaseFilter(
            kind=params.validated_data.get("kind", ""),
            status=params.validated_data.get("status", ""),
        )
        cases = self.paginate_queryset(case_rows(officer_of(request), query))
        return self.get_paginated_response(
            CaseSerializer(cases, many=True, context={"request": request}).data
        )

    @extend_schema(
        tags=[TAG],
        operation_id="cases_create",
        request=CaseCreateSerializer,
        responses=api_answers({201: CaseSerializer}),
        description="Open a joint investigation or regional operation led by your country (a "
        "SELEC analyst names the `lead_agency`). Observers are refused as participants of a "
        "case with personal data.",
    )
    def post(self, request: Request) -> Response:
        serializer = api_parsed(CaseCreateSerializer, request)
        data = serializer.validated_data
        case = case_create(
            officer=officer_of(request),
            kind=data["kind"],
            status=data["status"],
            details=serializer.details(),
            agency_ids=data["agencies"],
            analyst_ids=data["analysts"],
            lead_agency_id=data.get("lead_agency"),
        )
        body = _case_body(request, case)
        return Response(
            body, status=status.HTTP_201_CREATED, headers={"Location": str(body["url"])}
        )


class CaseDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_retrieve",
        parameters=[_REFERENCE],
        responses=api_answers({200: CaseDetailSerializer}, validates=False),
        description="The case with its participants, timeline (the linked exchanges you may "
        "see and the meetings), meetings, results and totals. Audited as a consultation.",
    )
    def get(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        case = _case(request, reference)
        perms = case_consult(officer=officer, case=case)
        page = case_page(officer, case, perms)
        context = {"request": request, "reference": case.reference}
        return Response(CaseDetailSerializer(page, context=context).data)


class CaseStatusView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_status_create",
        parameters=[_REFERENCE],
        request=CaseStatusChangeSerializer,
        responses=api_answers({200: CaseSerializer}),
        description="The lead's agencies move the case to its next status.",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        data = api_parsed(CaseStatusChangeSerializer, request).validated_data
        changed = case_change_status(officer=officer_of(request), case=case, status=data["status"])
        return Response(_case_body(request, changed))


class CaseParticipantsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_participants_create",
        parameters=[_REFERENCE],
        request=CaseInviteSerializer,
        responses=api_answers({200: CaseSerializer}),
        description="The lead's agencies invite agencies, parties on their own (their NFPs "
        "follow the case) and analysts. Observers only to a case without personal data.",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        data = api_parsed(CaseInviteSerializer, request).validated_data
        invited = case_invite(
            officer=officer_of(request),
            case=case,
            agency_ids=data["agencies"],
            party_ids=_party_ids(data["parties"]),
            analyst_ids=data["analysts"],
        )
        return Response(_case_body(request, invited))


def _meeting_input(request: Request) -> type[MeetingCreateSerializer]:
    """The meeting's serializer for the body's media type, as the schema documents each: a form
    body (multipart, or urlencoded) has no null, JSON has null and no files."""
    if html.is_html_input(request.data):
        return MeetingCreateSerializer
    return MeetingCreateJsonSerializer


class CaseMeetingsView(GenericAPIView[OperationalMeeting]):
    permission_classes = [IsAuthenticated]
    parser_classes = _BODY_PARSERS
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="cases_meetings_list",
        parameters=[_REFERENCE],
        responses=api_answers({200: MeetingSerializer(many=True)}),
        description="The case's operational meetings, oldest first (audited as a consultation).",
    )
    def get(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        # The page first: a cursor or limit refused (400) is no consultation to audit.
        meetings = self.paginate_queryset(meeting_rows(case))
        case_consult(officer=officer_of(request), case=case)
        context = {"request": request, "reference": case.reference}
        return self.get_paginated_response(
            MeetingSerializer(meetings, many=True, context=context).data
        )

    @extend_schema(
        tags=[TAG],
        operation_id="cases_meetings_create",
        parameters=[_REFERENCE],
        request={
            "application/json": MeetingCreateJsonSerializer,
            "multipart/form-data": MeetingCreateSerializer,
        },
        responses=api_answers({201: MeetingSerializer}),
        description="Add an operational meeting (participating agencies and named analysts). "
        "Attachments come with multipart/form-data.",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        data = api_parsed(_meeting_input(request), request).validated_data
        meeting = meeting_add(
            officer=officer_of(request),
            case=case,
            held_on=data["held_on"],
            held_until=data.get("held_until"),
            place=data["place"],
            party_ids=_party_ids(data["parties"]),
            decisions=data["decisions"],
            minutes=data["minutes"],
            attachments=attachments_of(data.get("attachments", [])),
        )
        shown = case_meeting(case, meeting.pk)
        body = MeetingSerializer(
            shown, context={"request": request, "reference": case.reference}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class CaseResultsView(GenericAPIView[Result]):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    pagination_class = CursorPage

    @extend_schema(
        tags=[TAG],
        operation_id="cases_results_list",
        parameters=[_REFERENCE],
        responses=api_answers({200: ResultSerializer(many=True)}),
        description="The results reported in the case, oldest first (audited as a "
        "consultation); the totals are in the case's detail.",
    )
    def get(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        # The page first: a cursor or limit refused (400) is no consultation to audit.
        results = self.paginate_queryset(result_rows(case))
        case_consult(officer=officer_of(request), case=case)
        return self.get_paginated_response(ResultSerializer(results, many=True).data)

    @extend_schema(
        tags=[TAG],
        operation_id="cases_results_create",
        parameters=[_REFERENCE],
        request=ResultCreateSerializer,
        responses=api_answers({201: ResultSerializer}),
        description="Record a participating party's results: counts and seizures (item, "
        "quantity above zero, unit). An agency records its own party's; the lead's agencies "
        "and the named analysts any participating party's.",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        data = api_parsed(ResultCreateSerializer, request).validated_data
        (party_id,) = _party_ids([data["party"]], field="party", one=True)
        result = result_record(
            officer=officer_of(request),
            case=case,
            party_id=party_id,
            reported_on=data["reported_on"],
            counts={name: data.get(name, 0) for name in Result.COUNTS},
            seizures=[
                SeizureInput(
                    item=s["item"],
                    quantity=s["quantity"],
                    unit=s["unit"],
                    description=s["description"],
                    currency=s["currency"],
                )
                for s in data["seizures"]
            ],
        )
        shown = case_result(case, result.pk)
        return Response(ResultSerializer(shown).data, status=status.HTTP_201_CREATED)


class CaseAttachmentView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_attachments_retrieve",
        parameters=[_REFERENCE, OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=api_answers({(200, "*/*"): OpenApiTypes.BINARY}, validates=False),
        description="Download a meeting's attachment (audited as a disclosure).",
    )
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        case = _case(request, reference)
        stored, content = meeting_attachment_download(
            officer=officer_of(request), attachment_id=attachment_of_case(case, pk)
        )
        return download_response(
            content, content_type=stored.content_type, filename=stored.filename
        )
