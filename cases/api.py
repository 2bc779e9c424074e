"""The cases endpoints of the REST API (under /api/v1/cases/).

The same services, selectors and policy as the pages: 404 for a case the caller may not see
(as for one that does not exist), 403 where they may see it but not act, 400 with the fields'
errors for input the rules refuse. Reading a case's content (the detail, its meetings and
results) is the audited consultation; downloading an attachment, the audited disclosure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    OperationalMeeting,
    Result,
    SeizureItem,
    SeizureUnit,
)
from cases.selectors import (
    CaseFilter,
    CasePage,
    attachment_of_case,
    case_get_for_officer,
    case_list,
    case_meeting,
    case_meetings,
    case_page,
    case_result,
    case_results,
)
from cases.services import (
    CaseDetails,
    SeizureInput,
    case_change_status,
    case_consult,
    case_create,
    case_invite,
    meeting_add,
    meeting_attachment_download,
    result_record,
)
from exchanges.api import (
    MAX_ID,
    HandlingSerializer,
    RestrictionsSerializer,
    api_answers,
    api_parsed,
)
from exchanges.forms_thread import attachment_inputs
from partners.auth import officer_of
from partners.models import Party
from selec.core.api_parsers import JSONParser
from selec.core.files import download_response
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce

TAG = "cases"
_BODY_PARSERS = [JSONParser, MultiPartParser, FormParser]
_REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-RO-2026-0001"
)


# --- Input ----------------------------------------------------------------------------------


def _ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=200,
        help_text=help_text,
    )


def _party_codes(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=16),
        required=False,
        default=list,
        max_length=100,
        help_text=help_text,
    )


class CaseCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    name = serializers.CharField(max_length=120)
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (CaseStatus.PLANNED, CaseStatus.ACTIVE)],
        default=CaseStatus.PLANNED.value,
        help_text="A case opens as planned or active.",
    )
    started_on = serializers.DateField()
    ended_on = serializers.DateField(required=False, allow_null=True)
    task_force = serializers.SlugRelatedField(
        slug_field="code", queryset=TaskForce.objects.all(), required=False, allow_null=True
    )
    crime_area = serializers.SlugRelatedField(
        slug_field="code", queryset=CrimeArea.objects.all(), required=False, allow_null=True
    )
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    restrictions = RestrictionsSerializer(required=False)
    personal_data = serializers.BooleanField(
        default=False, help_text="Observers may take part only in a case without personal data."
    )
    agencies = _ids("Participating agencies besides the lead (see agencies/).")
    analysts = _ids("Officer ids of SELEC analysts to name on the case.")
    lead_agency = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="For a SELEC analyst only: the agency that leads the case. An officer of an "
        "agency leads the cases they open.",
    )

    def details(self) -> CaseDetails:
        data = self.validated_data
        given = data.get("restrictions") or {}
        return CaseDetails(
            name=data["name"],
            started_on=data["started_on"],
            ended_on=data.get("ended_on"),
            task_force_id=data["task_force"].pk if data.get("task_force") else None,
            crime_area_id=data["crime_area"].pk if data.get("crime_area") else None,
            description=data["description"],
            restrictions=Restrictions(
                evidence=given.get("evidence", False),
                dissemination=given.get("dissemination", False),
                text=given.get("text", "").strip(),
            ),
            personal_data=data["personal_data"],
        )


class CaseStatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=CaseStatus.choices,
        help_text="planned → active or closed; active → action_day or closed; action_day → "
        "active or closed; closed → active (reopened).",
    )


class CaseInviteSerializer(serializers.Serializer):
    agencies = _ids("Agencies to invite (their parties join with them).")
    parties = _party_codes(
        "Codes of parties to invite on their own: their National Focal Points follow the case."
    )
    analysts = _ids("Officer ids of SELEC analysts to name.")


class MeetingCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    held_until = serializers.DateField(required=False, allow_null=True)
    place = serializers.CharField(max_length=120)
    parties = _party_codes("Codes of the participating parties that attended (RO, BG...).")
    decisions = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=20_000
    )
    minutes = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100_000
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class SeizureInputSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=SeizureItem.choices)
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=3, min_value=Decimal("0.001"), help_text="Above zero."
    )
    unit = serializers.ChoiceField(choices=SeizureUnit.choices)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )


def _count() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=2_000_000_000, default=0)


class ResultCreateSerializer(serializers.Serializer):
    party = serializers.CharField(
        max_length=16, help_text="Code of the reporting party (yours, unless you lead the case)."
    )
    reported_on = serializers.DateField()
    persons_arrested = _count()
    persons_identified = _count()
    persons_charged = _count()
    victims_identified = _count()
    victims_assisted = _count()
    victims_repatriated = _count()
    vehicles_seized = _count()
    seizures = serializers.ListField(
        child=SeizureInputSerializer(), required=False, default=list, max_length=50
    )


class ListParamsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)


# --- Output ---------------------------------------------------------------------------------
# Output-only serializers; choice values are plain strings here so that each choice set names
# one input component of the schema.


class CaseSerializer(serializers.Serializer):
    """A case's metadata: what lists show, never its description."""

    reference = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    lead_party = serializers.CharField(source="lead_party.code")
    participants = serializers.ListField(child=serializers.CharField())
    task_force = serializers.CharField(allow_null=True)
    crime_area = serializers.CharField(allow_null=True)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    handling_codes = serializers.ListField(child=serializers.CharField())
    restrictions = HandlingSerializer(source="*")
    personal_data = serializers.BooleanField()
    url = serializers.URLField()

    def to_representation(self, case: Case) -> dict[str, Any]:
        return {
            "reference": case.reference,
            "name": case.name,
            "kind": case.kind,
            "status": case.status,
            "lead_party": case.lead_party.code,
            "participants": self.context["participants"][case.pk],
            "task_force": case.task_force.code if case.task_force_id else None,  # type: ignore[union-attr]
            "crime_area": case.crime_area.code if case.crime_area_id else None,  # type: ignore[union-attr]
            "started_on": case.started_on.isoformat(),
            "ended_on": case.ended_on.isoformat() if case.ended_on else None,
            "handling_codes": case.handling_codes,
            "restrictions": HandlingSerializer(case).data,
            "personal_data": case.personal_data,
            "url": reverse(
                "api-case-detail",
                kwargs={"reference": case.reference},
                request=self.context.get("request"),
            ),
        }


class AgencyOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ParticipantSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    lead = serializers.BooleanField()
    agencies = AgencyOutSerializer(many=True)


class AnalystSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()


class MeetingAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.URLField()


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    held_on = serializers.DateField()
    held_until = serializers.DateField(allow_null=True)
    place = serializers.CharField()
    parties = serializers.ListField(child=serializers.CharField())
    decisions = serializers.CharField()
    minutes = serializers.CharField()
    attachments = MeetingAttachmentSerializer(many=True)

    def to_representation(self, meeting: OperationalMeeting) -> dict[str, Any]:
        request = self.context.get("request")
        return {
            "id": meeting.pk,
            "held_on": meeting.held_on.isoformat(),
            "held_until": meeting.held_until.isoformat() if meeting.held_until else None,
            "place": meeting.place,
            "parties": [p.code for p in meeting.parties.all()],
            "decisions": meeting.decisions,
            "minutes": meeting.minutes,
            "attachments": [
                {
                    "id": a.pk,
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "size": a.size,
                    "sha256": a.sha256,
                    "url": reverse(
                        "api-case-attachment",
                        kwargs={"reference": self.context["reference"], "pk": a.pk},
                        request=request,
                    ),
                }
                for a in meeting.attachments.all()
            ],
        }


class SeizureOutSerializer(serializers.Serializer):
    item = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=None, decimal_places=3)
    unit = serializers.CharField()
    description = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    persons_arrested = serializers.IntegerField()
    persons_identified = serializers.IntegerField()
    persons_charged = serializers.IntegerField()
    victims_identified = serializers.IntegerField()
    victims_assisted = serializers.IntegerField()
    victims_repatriated = serializers.IntegerField()
    vehicles_seized = serializers.IntegerField()


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    party = serializers.CharField(source="party.code")
    reported_on = serializers.DateField()
    reported_by = serializers.CharField(source="reported_by.username")
    counts = CountsSerializer(source="*")
    seizures = SeizureOutSerializer(source="seizures.all", many=True)


class PartyTotalsSerializer(serializers.Serializer):
    party = serializers.CharField(source="party.code")
    counts = CountsSerializer()


class ItemTotalSerializer(serializers.Serializer):
    item = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=None, decimal_places=3)


class TotalsSerializer(serializers.Serializer):
    by_party = PartyTotalsSerializer(many=True)
    overall = CountsSerializer()
    by_item = ItemTotalSerializer(many=True)


class TimelineEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    type = serializers.CharField(help_text="exchange or meeting")
    reference = serializers.CharField(
        required=False, help_text="The exchange's reference (exchanges you may see only)."
    )
    kind = serializers.CharField(required=False)
    sender_party = serializers.CharField(required=False)
    meeting = serializers.IntegerField(required=False)
    place = serializers.CharField(required=False)


class CaseDetailSerializer(CaseSerializer):
    """Metadata and content, from the audited consultation."""

    description = serializers.CharField()
    parties = ParticipantSerializer(many=True)
    analysts = AnalystSerializer(many=True)
    timeline = TimelineEntrySerializer(many=True)
    meetings = MeetingSerializer(many=True)
    results = ResultSerializer(many=True)
    totals = TotalsSerializer()
    permissions = serializers.ListField(
        child=serializers.CharField(), help_text="What you may do: view, manage, add_meeting..."
    )

    def to_representation(self, page: CasePage) -> dict[str, Any]:  # type: ignore[override]
        case = page.case
        data = CaseSerializer(case, context=self.context).data
        timeline = []
        for entry in page.timeline:
            if entry.exchange is not None:
                timeline.append(
                    {
                        "at": entry.at.isoformat(),
                        "type": "exchange",
                        "reference": entry.exchange.reference,
                        "kind": entry.exchange.kind,
                        "sender_party": entry.exchange.sender_agency.party.code,
                    }
                )
            elif entry.meeting is not None:
                timeline.append(
                    {
                        "at": entry.at.isoformat(),
                        "type": "meeting",
                        "meeting": entry.meeting.pk,
                        "place": entry.meeting.place,
                    }
                )
        return {
            **data,
            "description": case.description,
            "parties": [
                {
                    "code": party.code,
                    "name": party.name,
                    "status": party.status,
                    "lead": party.pk == case.lead_party_id,
                    "agencies": [{"id": a.pk, "name": a.name} for a in agencies],
                }
                for party, agencies in page.participation
            ],
            "analysts": [
                {"id": o.pk, "username": o.username, "name": o.get_full_name()}
                for o in page.analysts
            ],
            "timeline": timeline,
            "meetings": MeetingSerializer(page.meetings, many=True, context=self.context).data,
            "results": ResultSerializer(page.results, many=True).data,
            "totals": TotalsSerializer(
                {
                    "by_party": page.totals_by_party,
                    "overall": page.totals_overall,
                    "by_item": page.totals_by_item,
                }
            ).data,
            "permissions": sorted(p.value.removesuffix("_case") for p in page.perms),
        }


def _participant_codes(cases: list[Case]) -> dict[int, list[str]]:
    """The participants' codes of the cases (prefetched by ``case_list``; one query per case
    otherwise, as for the one case a write answers with)."""
    return {
        case.pk: sorted({case.lead_party.code, *(p.code for p in case.participants.all())})
        for case in cases
    }


def _case_body(request: Request, case: Case) -> dict[str, Any]:
    context = {"request": request, "participants": _participant_codes([case])}
    return CaseSerializer(case, context=context).data


def _party_ids(
    codes: list[str], *, field: str = "parties", unknown: str = "Unknown party codes."
) -> list[int]:
    """The ids of the parties the codes name; 400 on the ``field`` if one names none."""
    ids = dict(Party.objects.filter(code__in=set(codes)).values_list("code", "pk"))
    if len(ids) != len(set(codes)):
        raise serializers.ValidationError({field: [unknown]})
    return list(ids.values())


def _case(request: Request, reference: str) -> Case:
    return case_get_for_officer(officer_of(request), reference=reference)


# --- Views ----------------------------------------------------------------------------------


class CaseListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("kind", OpenApiTypes.STR, enum=CaseKind.values),
            OpenApiParameter("status", OpenApiTypes.STR, enum=CaseStatus.values),
        ],
        responses=api_answers({200: CaseSerializer(many=True)}),
        description="The cases you take part in (your agency's, your country's for an NFP "
        "officer, those naming you as analyst), newest first; metadata only.",
    )
    def get(self, request: Request) -> Response:
        params = ListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = CaseFilter(
            kind=params.validated_data.get("kind", ""),
            status=params.validated_data.get("status", ""),
        )
        cases = case_list(officer_of(request), query)
        context = {"request": request, "participants": _participant_codes(cases)}
        return Response(CaseSerializer(cases, many=True, context=context).data)

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
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class CaseDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_retrieve",
        parameters=[_REFERENCE],
        responses=api_answers({200: CaseDetailSerializer}, body=False),
        description="The case with its participants, timeline (the linked exchanges you may "
        "see and the meetings), meetings, results and totals. Audited as a consultation.",
    )
    def get(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        case = _case(request, reference)
        perms = case_consult(officer=officer, case=case)
        page = case_page(officer, case, perms)
        context = {
            "request": request,
            "reference": case.reference,
            "participants": {case.pk: sorted(p.code for p in page.parties)},
        }
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


class CaseMeetingsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = _BODY_PARSERS

    @extend_schema(
        tags=[TAG],
        operation_id="cases_meetings_list",
        parameters=[_REFERENCE],
        responses=api_answers({200: MeetingSerializer(many=True)}, body=False),
        description="The case's operational meetings, oldest first (audited as a consultation).",
    )
    def get(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        case_consult(officer=officer_of(request), case=case)
        meetings = case_meetings(case)
        context = {"request": request, "reference": case.reference}
        return Response(MeetingSerializer(meetings, many=True, context=context).data)

    @extend_schema(
        tags=[TAG],
        operation_id="cases_meetings_create",
        parameters=[_REFERENCE],
        request={
            "application/json": MeetingCreateSerializer,
            "multipart/form-data": MeetingCreateSerializer,
        },
        responses=api_answers({201: MeetingSerializer}),
        description="Add an operational meeting (participating agencies and named analysts). "
        "Attachments come with multipart/form-data.",
    )
    def post(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        data = api_parsed(MeetingCreateSerializer, request).validated_data
        meeting = meeting_add(
            officer=officer_of(request),
            case=case,
            held_on=data["held_on"],
            held_until=data.get("held_until"),
            place=data["place"],
            party_ids=_party_ids(data["parties"]),
            decisions=data["decisions"],
            minutes=data["minutes"],
            attachments=attachment_inputs(data["attachments"]),
        )
        shown = case_meeting(case, meeting.pk)
        body = MeetingSerializer(
            shown, context={"request": request, "reference": case.reference}
        ).data
        return Response(body, status=status.HTTP_201_CREATED)


class CaseResultsView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="cases_results_list",
        parameters=[_REFERENCE],
        responses=api_answers({200: ResultSerializer(many=True)}, body=False),
        description="The results reported in the case, oldest first (audited as a "
        "consultation); the totals are in the case's detail.",
    )
    def get(self, request: Request, reference: str) -> Response:
        case = _case(request, reference)
        case_consult(officer=officer_of(request), case=case)
        return Response(ResultSerializer(case_results(case), many=True).data)

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
        (party_id,) = _party_ids([data["party"]], field="party", unknown="Unknown party code.")
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
        responses=api_answers({(200, "*/*"): OpenApiTypes.BINARY}, body=False),
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
