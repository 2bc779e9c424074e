"""The exchanges endpoints of the REST API.

Views parse the request with a serializer into the services' inputs and call the same services
and selectors as the pages: who may do what is decided in ``exchanges.policy`` and enforced by
the services, never here. ``Http404`` (the caller may not know the object), ``PermissionDenied``
(may see it but not do this) and the services' ``ValidationError`` propagate to the API's
exception handler. Lists never carry content; the detail does, after the audited consultation.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from exchanges.case_links import case_links
from exchanges.entity_rules import entity_errors
from exchanges.inbox import page_links, parse_inbox_request
from exchanges.models import (
    DisseminationKind,
    EntityKind,
    Exchange,
    ExchangeKind,
    InformationAccuracy,
    Priority,
    SourceReliability,
)
from exchanges.policy import may_receive_entities
from exchanges.selectors import (
    PAGE_SIZE,
    Direction,
    InboxSort,
    ReceiptStatus,
    attach_receipts,
    attachment_id_of_exchange,
    dissemination_request_for_officer,
    dissemination_requests_on_exchange,
    exchange_for_api,
    exchange_get_for_officer,
    inbox_search,
    references_visible_to,
)
from exchanges.services import (
    AttachmentInput,
    EntityInput,
    Evaluation,
    ExchangeContent,
    Message,
    attachment_download,
    dissemination_request_decide,
    dissemination_request_file,
    exchange_acknowledge,
    exchange_change_restrictions,
    exchange_confirm_restrictions,
    exchange_consult,
    exchange_export_evidence,
    exchange_forward,
    exchange_reply,
    exchange_send,
)
from partners.auth import officer_of
from partners.models import Officer
from selec.core.api_parsers import JSONParser, json_loads
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce

TAG = "exchanges"
_REFERENCE_SHAPE = re.compile(r"[A-Za-z0-9-]{1,20}")
# Database integer keys: a larger number can name nothing (and must not reach the database).
MAX_ID = 2**31 - 1


def _exchange(request: Request, reference: str, *, with_receipts: bool = False) -> Exchange:
    """The exchange the address names, 404 unless the caller may see it. A reference of
    another shape (``SELEC-2026-000123``) names nothing and never reaches the database.
    ``with_receipts`` for an answer that shows the exchange (``ExchangeSerializer`` reads its
    ``listed_receipts``); the actions on it need only the exchange."""
    if not _REFERENCE_SHAPE.fullmatch(reference):
        raise Http404("No exchange matches the given query.")
    if with_receipts:
        return exchange_for_api(officer_of(request), reference=reference)
    return exchange_get_for_officer(officer_of(request), reference=reference)


def may_see_entities(officer: Officer) -> bool:
    """An observer never gets entities, whatever the exchange (rule 1)."""
    agency = officer.agency
    return agency is not None and may_receive_entities(agency.party.status)


# --- Input ----------------------------------------------------------------------------------


class _JSONInForm:
    """Lets a structured field arrive as a JSON string in a multipart/form-data body."""

    def get_value(self, dictionary: Any) -> Any:
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:  # type: ignore[attr-defined]
            return dictionary.get(self.field_name)  # type: ignore[attr-defined]
        return super().get_value(dictionary)  # type: ignore[misc]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            try:
                data = json_loads(data)
            except ValueError as exc:
                raise serializers.ValidationError(f"Not valid JSON: {exc}") from exc
        return super().to_internal_value(data)  # type: ignore[misc]


class RestrictionsSerializer(_JSONInForm, serializers.Serializer):
    evidence = serializers.BooleanField(
        default=False, help_text="H1: not to be disclosed in judicial proceedings."
    )
    dissemination = serializers.BooleanField(
        default=False, help_text="H2: not to be disseminated without the provider's permission."
    )
    text = serializers.CharField(
        default="",
        allow_blank=True,
        max_length=2000,
        help_text="H3: the provider's other restrictions; readers confirm it before the content.",
    )


class EvaluationSerializer(_JSONInForm, serializers.Serializer):
    source_reliability = serializers.ChoiceField(
        choices=SourceReliability.choices, allow_blank=True, default=""
    )
    information_accuracy = serializers.ChoiceField(
        choices=InformationAccuracy.choices, allow_blank=True, default=""
    )


class EntityInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    attributes = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "person: names, aliases (list), date_of_birth (YYYY-MM-DD, not in the future), "
            "nationality, documents (list of {type, number, issuing_country}); vehicle: plate, "
            "vin (17 characters, ISO 3779), make, model, colour; document: type, number, "
            "issuing_country; phone: number (international format, +40 721 000 000); company: "
            "name, registration_number, country; bank_account: iban (check digits verified), "
            "number, bank, holder. Countries are ISO 3166 alpha-2 codes (RO). Any other "
            "attribute is refused."
        ),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        # Each attribute by its standard, and none the kind does not have (the service asks
        # again): the errors keyed by attribute, {"attributes": {"nationality": [...]}}.
        errors = entity_errors(data["kind"], data["attributes"])
        if errors:
            raise serializers.ValidationError({"attributes": errors})
        return data


class EntitiesField(_JSONInForm, serializers.ListField):
    """A list of entities: JSON, or a JSON string in a multipart body."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=EntityInputSerializer(), max_length=300, **kwargs)


def _message(data: dict[str, Any], restrictions: Restrictions) -> Message:
    evaluation = data.get("evaluation") or {}
    return Message(
        subject=data["subject"],
        body=data["body"],
        restrictions=restrictions,
        personal_data=data["personal_data"],
        evaluation=Evaluation(
            source_reliability=evaluation.get("source_reliability", ""),
            information_accuracy=evaluation.get("information_accuracy", ""),
        ),
        entities=[EntityInput(e["kind"], dict(e["attributes"])) for e in data["entities"]],
        attachments=[
            AttachmentInput(
                filename=upload.name,
                content_type=upload.content_type or "",
                content=upload.read(),
            )
            for upload in data["attachments"]
        ],
    )


class MessageInputSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=300)
    body = serializers.CharField(max_length=100_000)
    restrictions = RestrictionsSerializer(required=False)
    personal_data = serializers.BooleanField(default=False)
    evaluation = EvaluationSerializer(required=False)
    entities = EntitiesField(required=False, default=list)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )

    def chosen_restrictions(self) -> Restrictions:
        given = self.validated_data.get("restrictions") or {}
        return Restrictions(
            evidence=given.get("evidence", False),
            dissemination=given.get("dissemination", False),
            text=given.get("text", "").strip(),
        )

    def message(self) -> Message:
        return _message(self.validated_data, self.chosen_restrictions())


class ExchangeCreateSerializer(MessageInputSerializer):
    kind = serializers.ChoiceField(
        choices=[
            (k.value, k.label)
            for k in (
                ExchangeKind.REQUEST,
                ExchangeKind.INFORMATION,
                ExchangeKind.WARNING,
                ExchangeKind.FEEDBACK,
                ExchangeKind.SEIZURE,
            )
        ],
        help_text="warning, feedback and seizure: the messages of a regional operation (with "
        "`case`).",
    )
    case = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=24,
        help_text="Reference of an open case your country takes part in (SELEC-RO-2026-0001).",
    )
    recipients = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=200,
        help_text="Ids of the recipient agencies (see agencies/).",
    )
    crime_area = serializers.SlugRelatedField(slug_field="code", queryset=CrimeArea.objects.all())
    task_force = serializers.SlugRelatedField(
        slug_field="code", queryset=TaskForce.objects.all(), required=False, allow_null=True
    )
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.ROUTINE)


class ReplyInputSerializer(MessageInputSerializer):
    """A reply: its restrictions are added on top of those it inherits from its parent."""


class ForwardSerializer(serializers.Serializer):
    agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=200
    )
    justification = serializers.CharField(max_length=300, allow_blank=True, default="")


class RestrictionsPatchSerializer(serializers.Serializer):
    """The fields given replace the current ones; those left out stay as they are."""

    evidence = serializers.BooleanField(required=False)
    dissemination = serializers.BooleanField(required=False)
    text = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def restrictions(self, exchange: Exchange) -> Restrictions:
        data = self.validated_data
        return Restrictions(
            evidence=data.get("evidence", exchange.restrict_evidence),
            dissemination=data.get("dissemination", exchange.restrict_dissemination),
            text=data.get("text", exchange.restriction_text).strip(),
        )


class DisseminationRequestCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=DisseminationKind.choices,
        help_text="share: lift H2 for the named agencies; evidence: lift H1 for your agency.",
    )
    target_agencies = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=200,
    )
    intended_use = serializers.CharField(max_length=300)
    justification = serializers.CharField(max_length=5000)


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("grant", "Grant"), ("refuse", "Refuse")])
    note = serializers.CharField(max_length=1000, allow_blank=True, default="")


class EvidenceRequestSerializer(serializers.Serializer):
    justification = serializers.CharField(max_length=300)


class ListParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=200, default=PAGE_SIZE)


# --- Output ---------------------------------------------------------------------------------
# Output-only serializers: their fields are not read-only so that the schema marks exactly the
# keys that may be left out (``required=False``) as optional.


class AgencyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    party = serializers.CharField(source="party.code")


class ReceiptSerializer(serializers.Serializer):
    agency = AgencyRefSerializer()
    via = serializers.CharField()
    delivered_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)


class HandlingSerializer(serializers.Serializer):
    evidence = serializers.BooleanField(source="restrict_evidence")
    dissemination = serializers.BooleanField(source="restrict_dissemination")
    text = serializers.CharField(source="restriction_text")


class EvaluationOutSerializer(serializers.Serializer):
    source_reliability = serializers.CharField()
    information_accuracy = serializers.CharField()


class ExchangeSerializer(serializers.Serializer):
    """An exchange's metadata: what lists show, never its content."""

    reference = serializers.CharField()
    kind = serializers.CharField()
    sender_agency = AgencyRefSerializer()
    recipients = ReceiptSerializer(source="listed_receipts", many=True)
    crime_area = serializers.CharField(source="crime_area.code")
    task_force = serializers.SerializerMethodField()
    priority = serializers.CharField()
    sent_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    handling_codes = serializers.ListField(child=serializers.CharField())
    restrictions = HandlingSerializer(source="*")
    evaluation = EvaluationOutSerializer(source="*")
    personal_data = serializers.BooleanField()
    in_reply_to = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    def get_task_force(self, exchange: Exchange) -> str | None:
        if exchange.task_force_id is None:
            return None
        return self.context["task_force_codes"][exchange.task_force_id]

    def get_in_reply_to(self, exchange: Exchange) -> str | None:
        """The parent's reference, when the caller may see the parent."""
        return self.context["references"].get(exchange.in_reply_to_id)

    def get_url(self, exchange: Exchange) -> str:
        return reverse(
            "api-exchange-detail",
            kwargs={"reference": exchange.reference},
            request=self.context.get("request"),
        )


class EntitySerializer(serializers.Serializer):
    kind = serializers.CharField()
    attributes = serializers.DictField(child=serializers.JSONField())


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()


class ExchangeDetailSerializer(ExchangeSerializer):
    """Metadata and content, from the audited consultation. ``entities`` is left out for the
    officers of observer parties."""

    subject = serializers.CharField()
    body = serializers.CharField()
    entities = EntitySerializer(many=True, required=False)
    attachments = AttachmentSerializer(many=True)

    def to_representation(self, instance: ExchangeContent) -> dict[str, Any]:
        data = dict(ExchangeSerializer(instance.exchange, context=self.context).data)
        data["subject"] = instance.subject
        data["body"] = instance.body
        if self.context["may_see_entities"]:
            data["entities"] = EntitySerializer(instance.entities, many=True).data
        data["attachments"] = AttachmentSerializer(instance.attachments, many=True).data
        return data


class ExchangePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExchangeSerializer(many=True)


class AcknowledgedSerializer(serializers.Serializer):
    acknowledged = serializers.IntegerField(help_text="Receipts acknowledged by this call.")


class ForwardedSerializer(serializers.Serializer):
    added = serializers.ListField(
        child=serializers.IntegerField(), help_text="Agencies that received the exchange now."
    )


class DisseminationRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exchange = serializers.CharField(source="exchange.reference")
    kind = serializers.CharField()
    status = serializers.CharField()
    requesting_agency = AgencyRefSerializer()
    target_agencies = AgencyRefSerializer(source="target_agencies.all", many=True)
    intended_use = serializers.CharField()
    justification = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class EvidenceSerializer(serializers.Serializer):
    reference = serializers.CharField()
    provider = serializers.CharField()
    sent_at = serializers.CharField()
    handling = serializers.ListField(child=serializers.CharField())
    evaluation = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField()
    # Left out for officers of observer parties: they never receive entities.
    entities = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()), required=False
    )
    attachments = serializers.ListField(child=serializers.DictField(child=serializers.JSONField()))


class ErrorsSerializer(serializers.Serializer):
    errors = serializers.DictField(
        child=serializers.JSONField(), help_text="Messages by field, each naming its rule."
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


def api_answers(ok: dict[Any, Any], *, body: bool = True) -> dict[Any, Any]:
    """The operation's success answers and the errors every exchange route may give: 400 with
    the fields' errors (when it takes input), 403 (may see, not do) and 404 (may not see)."""
    errors: dict[Any, Any] = {403: DetailSerializer, 404: DetailSerializer}
    if body:
        errors[400] = ErrorsSerializer
    return {**ok, **errors}


def _context(request: Request, exchanges: list[Exchange], **extra: Any) -> dict[str, Any]:
    """What the exchange serializers need, read once for all the rows."""
    officer = officer_of(request)
    return {
        "request": request,
        "references": references_visible_to(officer, [e.in_reply_to_id for e in exchanges]),
        "task_force_codes": dict(TaskForce.objects.values_list("pk", "code"))
        if any(e.task_force_id for e in exchanges)
        else {},
        **extra,
    }


def _metadata(request: Request, exchange: Exchange) -> dict[str, Any]:
    return ExchangeSerializer(exchange, context=_context(request, [exchange])).data


def api_parsed(serializer_class: type[serializers.Serializer], request: Request) -> Any:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer


# --- Views ----------------------------------------------------------------------------------

_BODY_PARSERS = [JSONParser, MultiPartParser, FormParser]
_REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="e.g. SELEC-2026-000123"
)
_FILTERS = [
    OpenApiParameter(
        "reference",
        OpenApiTypes.STR,
        description="A whole reference or its beginning (SELEC-2026-).",
    ),
    OpenApiParameter("direction", OpenApiTypes.STR, enum=[d.value for d in Direction]),
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=[k.value for k in ExchangeKind], description="Kind."
    ),
    OpenApiParameter("priority", OpenApiTypes.STR, enum=[p.value for p in Priority]),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=[s.value for s in ReceiptStatus],
        description="Receipt status of the receipts you follow.",
    ),
    OpenApiParameter("crime_area", OpenApiTypes.STR, description="A crime area code (drugs)."),
    OpenApiParameter("task_force", OpenApiTypes.STR, description="A task force code."),
    OpenApiParameter("overdue", OpenApiTypes.BOOL),
    OpenApiParameter("unread", OpenApiTypes.BOOL, description="Unread by your agency/country."),
    OpenApiParameter("due_today", OpenApiTypes.BOOL),
    OpenApiParameter("sent_from", OpenApiTypes.DATE, description="First day, inclusive."),
    OpenApiParameter("sent_to", OpenApiTypes.DATE, description="Last day, inclusive."),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=[s.value for s in InboxSort]),
    OpenApiParameter(
        "after", OpenApiTypes.STR, description="Cursor: the rows after it (the `next` link)."
    ),
    OpenApiParameter(
        "before", OpenApiTypes.STR, description="Cursor: the rows before it (the `previous` link)."
    ),
    OpenApiParameter("limit", OpenApiTypes.INT, description="Rows per page, 1 to 200 (50)."),
]


class ExchangeListView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = _BODY_PARSERS

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_list",
        parameters=_FILTERS,
        responses=api_answers({200: ExchangePageSerializer}),
        description="The exchanges of your agency (an NFP officer: of your country), filtered "
        "as in the inbox and paged by cursor on the sent time. No content.",
    )
    def get(self, request: Request) -> Response:
        officer = officer_of(request)
        params = ListParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        parsed = parse_inbox_request(request.query_params, officer=officer)
        if parsed.form.errors:
            raise serializers.ValidationError(parsed.form.errors)
        page = inbox_search(
            officer,
            parsed.query,
            after=parsed.after,
            before=parsed.before,
            limit=params.validated_data["limit"],
        )
        previous, next_ = page_links(request.query_params, page)
        exchanges = [row.exchange for row in page.rows]
        absolute = request.build_absolute_uri(request.path)
        return Response(
            {
                "next": absolute + next_.url if next_ else None,
                "previous": absolute + previous.url if previous else None,
                "results": ExchangeSerializer(
                    exchanges, many=True, context=_context(request, exchanges)
                ).data,
            }
        )

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_create",
        request={
            "application/json": ExchangeCreateSerializer,
            "multipart/form-data": ExchangeCreateSerializer,
        },
        responses=api_answers({201: ExchangeSerializer}),
        description="Send a request for assistance or an information exchange. Attachments "
        "come with multipart/form-data (`restrictions`, `evaluation` and `entities` then as "
        "JSON strings).",
    )
    def post(self, request: Request) -> Response:
        serializer = api_parsed(ExchangeCreateSerializer, request)
        data = serializer.validated_data
        exchange = exchange_send(
            officer=officer_of(request),
            kind=data["kind"],
            recipient_agency_ids=data["recipients"],
            crime_area_id=data["crime_area"].pk,
            task_force_id=data["task_force"].pk if data.get("task_force") else None,
            priority=data["priority"],
            message=serializer.message(),
            case_id=_case_id(request, data.get("case")),
        )
        exchange = exchange_for_api(officer_of(request), pk=exchange.pk)
        body = _metadata(request, exchange)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


def _case_id(request: Request, reference: str | None) -> int | None:
    """The case a send names, among the open cases the caller may link to; another reference
    is refused as naming no case of theirs."""
    if not reference:
        return None
    case_id = case_links().id_for(officer_of(request), reference)
    if case_id is None:
        raise serializers.ValidationError(
            {
                "case": [
                    "No open joint investigation or regional operation of yours has this reference."
                ]
            }
        )
    return case_id


class ExchangeDetailView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_retrieve",
        parameters=[_REFERENCE],
        responses=api_answers({200: ExchangeDetailSerializer}, body=False),
        description="The exchange with its content. Marks your receipt read and writes the "
        "consultation to the audit log. Under H3, 403 until you confirm the restriction "
        "(POST .../restrictions/confirm/).",
    )
    def get(self, request: Request, reference: str) -> Response:
        officer = officer_of(request)
        exchange = _exchange(request, reference, with_receipts=True)
        content = exchange_consult(officer=officer, exchange=exchange)
        context = _context(request, [exchange], may_see_entities=may_see_entities(officer))
        return Response(ExchangeDetailSerializer(content, context=context).data)


class _OnExchange(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def exchange(self, request: Request, reference: str) -> Exchange:
        """The exchange acted on, without its receipts: an answer that shows an exchange
        reads it again with ``exchange_for_api`` (a reply, the changed restrictions)."""
        return _exchange(request, reference)


class ReplyView(_OnExchange):
    parser_classes = _BODY_PARSERS

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_replies_create",
        parameters=[_REFERENCE],
        request={
            "application/json": ReplyInputSerializer,
            "multipart/form-data": ReplyInputSerializer,
        },
        responses=api_answers({201: ExchangeSerializer}),
        description="Reply in the thread; the reply carries at least the parent's restrictions. "
        "It passes the same rules as a send (an observer sends no personal data; personal data "
        "reaches no observer: 400 naming the rule, nothing saved); 201 with the reply, which "
        "its author can GET at its `url`.",
    )
    def post(self, request: Request, reference: str) -> Response:
        parent = self.exchange(request, reference)
        serializer = api_parsed(ReplyInputSerializer, request)
        reply = exchange_reply(
            officer=officer_of(request), parent=parent, message=serializer.message()
        )
        reply = exchange_for_api(officer_of(request), pk=reply.pk)
        body = _metadata(request, reply)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": body["url"]})


class AcknowledgeView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_acknowledge",
        parameters=[_REFERENCE],
        request=None,
        responses=api_answers({200: AcknowledgedSerializer}, body=False),
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        count = exchange_acknowledge(officer=officer_of(request), exchange=exchange)
        return Response({"acknowledged": count})


class ForwardView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_forward",
        parameters=[_REFERENCE],
        request=ForwardSerializer,
        responses=api_answers({200: ForwardedSerializer}),
        description="Forward to further agencies; under H2 only to those the provider granted "
        "(403 otherwise). Personal data reaches no observer and nothing reaches a former member "
        "(400 naming the agency, nothing saved).",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(ForwardSerializer, request).validated_data
        added = exchange_forward(
            officer=officer_of(request),
            exchange=exchange,
            agency_ids=data["agencies"],
            justification=data["justification"],
        )
        return Response({"added": added})


class RestrictionsView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_restrictions_update",
        parameters=[_REFERENCE],
        request=RestrictionsPatchSerializer,
        responses=api_answers({200: ExchangeSerializer}),
        description="The provider changes the restrictions, code by code: each code added (H1, "
        "H2, a new or changed H3 text) applies at once to the exchange and every reply derived "
        "from it; each code removed applies to the exchange only. Both are notified.",
    )
    def patch(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        serializer = api_parsed(RestrictionsPatchSerializer, request)
        changed = exchange_change_restrictions(
            officer=officer_of(request),
            exchange=exchange,
            restrictions=serializer.restrictions(exchange),
        )
        # The row the service changed, under its lock, is the one shown: not read a third
        # time. Its crime area is the one loaded above (a change of restrictions leaves it).
        changed.crime_area = exchange.crime_area
        attach_receipts([changed])
        return Response(_metadata(request, changed))


class RestrictionsConfirmView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_restrictions_confirm",
        parameters=[_REFERENCE],
        request=None,
        responses=api_answers(
            {204: OpenApiResponse(description="Confirmed; the content is open to you.")},
            body=False,
        ),
        description="Confirm having read the provider's H3 text (needed before the content).",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        exchange_confirm_restrictions(officer=officer_of(request), exchange=exchange)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_attachments_retrieve",
        parameters=[_REFERENCE, OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses=api_answers({(200, "*/*"): OpenApiTypes.BINARY}, body=False),
        description="Download an attachment (audited as a disclosure).",
    )
    def get(self, request: Request, reference: str, pk: int) -> HttpResponse:
        exchange = self.exchange(request, reference)
        stored, content = attachment_download(
            officer=officer_of(request), attachment_id=attachment_id_of_exchange(exchange, pk)
        )
        response = HttpResponse(content, content_type=stored.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=stored.filename
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class EvidenceView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_evidence_create",
        parameters=[_REFERENCE],
        request=EvidenceRequestSerializer,
        responses=api_answers({200: EvidenceSerializer}),
        description="Export the exchange for use as evidence (audited); refused under H1 until "
        "the provider grants it.",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(EvidenceRequestSerializer, request).validated_data
        bundle = exchange_export_evidence(
            officer=officer_of(request), exchange=exchange, justification=data["justification"]
        )
        if not may_see_entities(officer_of(request)):
            bundle.pop("entities", None)
        return Response(bundle, headers={"Cache-Control": "private, no-store"})


class DisseminationRequestsView(_OnExchange):
    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_dissemination_requests_list",
        parameters=[_REFERENCE],
        responses=api_answers({200: DisseminationRequestSerializer(many=True)}, body=False),
        description="The provider sees every request on its exchange; others their agency's.",
    )
    def get(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        rows = dissemination_requests_on_exchange(officer_of(request), exchange)
        return Response(DisseminationRequestSerializer(rows, many=True).data)

    @extend_schema(
        tags=[TAG],
        operation_id="exchanges_dissemination_requests_create",
        parameters=[_REFERENCE],
        request=DisseminationRequestCreateSerializer,
        responses=api_answers({201: DisseminationRequestSerializer}),
        description="Ask the provider to lift H2 (share with named agencies) or H1 (evidence).",
    )
    def post(self, request: Request, reference: str) -> Response:
        exchange = self.exchange(request, reference)
        data = api_parsed(DisseminationRequestCreateSerializer, request).validated_data
        filed = dissemination_request_file(
            officer=officer_of(request),
            exchange=exchange,
            kind=data["kind"],
            target_agency_ids=data["target_agencies"],
            intended_use=data["intended_use"],
            justification=data["justification"],
        )
        rows = dissemination_requests_on_exchange(officer_of(request), exchange)
        shown = next(r for r in rows if r.pk == filed.pk)
        return Response(DisseminationRequestSerializer(shown).data, status=status.HTTP_201_CREATED)


class DisseminationDecisionView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    @extend_schema(
        tags=[TAG],
        operation_id="dissemination_requests_decision",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        request=DecisionSerializer,
        responses=api_answers({200: DisseminationRequestSerializer}),
        description="The provider grants or refuses a pending request.",
    )
    def post(self, request: Request, pk: int) -> Response:
        officer = officer_of(request)
        found = dissemination_request_for_officer(officer, pk)
        data = api_parsed(DecisionSerializer, request).validated_data
        decided = dissemination_request_decide(
            officer=officer, request=found, grant=data["decision"] == "grant", note=data["note"]
        )
        rows = dissemination_requests_on_exchange(officer, decided.exchange)
        shown = next(r for r in rows if r.pk == decided.pk)
        return Response(DisseminationRequestSerializer(shown).data)
