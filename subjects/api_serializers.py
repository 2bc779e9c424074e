"""The bodies the data subject request endpoints take and give. They check shapes (the
identifiers by the entity rules, through ``subjects.identifiers``); the services decide the
rest."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from exchanges.entity_rules import MAX_TEXT
from hits.blind_index import TokenKind
from selec.core.api_fields import TextField
from subjects.identifiers import Identifiers
from subjects.models import (
    ANSWER_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Decision,
    ItemStatus,
    RequestKind,
    RequestStatus,
)

_TOKEN_KINDS = [kind.value for kind in TokenKind]

# --- Input ----------------------------------------------------------------------------------


class PersonIdentifiersSerializer(serializers.Serializer):
    """The person's identifiers: names with the date of birth, a document number, or both."""

    names = TextField(
        max_length=MAX_TEXT,
        required=False,
        allow_blank=True,
        help_text="As the person gives them, in any script (Cyrillic, Greek, Latin).",
    )
    date_of_birth = serializers.DateField(
        required=False, allow_null=True, help_text="Required with the names."
    )
    nationality = TextField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="ISO 3166 alpha-2 (or XK); stands for the document's issuing country.",
    )
    document_number = TextField(max_length=MAX_TEXT, required=False, allow_blank=True)
    document_country = TextField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="The document's issuing country, if not the nationality.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        problems = Identifiers.of(attrs).problems()
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


class SubjectSearchSerializer(serializers.Serializer):
    subject = PersonIdentifiersSerializer()

    def identifiers(self) -> Identifiers:
        return Identifiers.of(self.validated_data["subject"])


class SubjectRequestCreateSerializer(SubjectSearchSerializer):
    kind = serializers.ChoiceField(choices=RequestKind.choices)
    received_on = serializers.DateField()
    due_on = serializers.DateField(
        required=False, allow_null=True, help_text="Left out: 30 days after received_on."
    )
    note = TextField(
        max_length=NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="How the request came in (kept encrypted).",
    )


class SubjectAnswerSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=Decision.choices,
        help_text="access: access_given, refused or no_data; rectification: rectified, refused "
        "or no_data; erasure: erased, refused or no_data.",
    )
    answer = TextField(
        max_length=ANSWER_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="What is given to the person and how, or the grounds of a refusal (required "
        "for access_given and refused). Only the DPO reads it.",
    )


# --- Output ---------------------------------------------------------------------------------
# No docstrings below: the schema would show them.


class SubjectMatchSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The exchange's reference.")
    agency_id = serializers.IntegerField(help_text="The provider agency.")
    agency = serializers.CharField(source="agency_name")
    party = serializers.CharField(source="party_code")
    sent_at = serializers.DateTimeField()
    crime_area = serializers.CharField()
    erased = serializers.BooleanField(help_text="Its content is erased: nothing to forward.")
    erased_at = serializers.DateTimeField(allow_null=True)
    matched = serializers.ListField(
        child=serializers.ChoiceField(choices=_TOKEN_KINDS),
        help_text="Which identifiers matched: person (name and date of birth), document_number.",
    )
    matched_labels = serializers.ListField(child=serializers.CharField())


class SubjectSearchResultSerializer(serializers.Serializer):
    exchanges = serializers.IntegerField()
    providers = serializers.IntegerField(help_text="Provider agencies.")
    matches = SubjectMatchSerializer(many=True, help_text="By provider, then oldest first.")


class SubjectRequestSerializer(serializers.Serializer):
    reference = serializers.CharField(source="request.reference")
    kind = serializers.ChoiceField(source="request.kind", choices=RequestKind.choices)
    status = serializers.ChoiceField(
        choices=RequestStatus.choices,
        help_text="answered when every item is; overdue while one is pending after due_on.",
    )
    received_on = serializers.DateField(source="request.received_on")
    due_on = serializers.DateField(source="request.due_on")
    created_at = serializers.DateTimeField(source="request.created_at")
    created_by = serializers.CharField(source="request.created_by.username")
    answered_at = serializers.DateTimeField(source="request.answered_at", allow_null=True)
    items_total = serializers.IntegerField(help_text="Exchanges the request was forwarded for.")
    items_answered = serializers.IntegerField()


class SubjectItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.pk")
    exchange = serializers.CharField(source="item.exchange.reference")
    matched = serializers.ListField(
        source="item.matched", child=serializers.ChoiceField(choices=_TOKEN_KINDS)
    )
    due_on = serializers.DateField(source="item.due_on")
    status = serializers.ChoiceField(source="item.status", choices=ItemStatus.choices)
    overdue = serializers.BooleanField()
    decision = serializers.CharField(
        source="item.decision", help_text="Empty while pending; else a Decision."
    )
    answer = serializers.CharField(source="item.answer")
    answered_by = serializers.CharField(
        source="item.answered_by.username", allow_null=True, default=None
    )
    answered_at = serializers.DateTimeField(source="item.answered_at", allow_null=True)


class SubjectRequestItemSerializer(SubjectItemSerializer):
    agency_id = serializers.IntegerField(source="item.provider_agency_id")
    agency = serializers.CharField(source="item.provider_agency.name")
    party = serializers.CharField(source="item.provider_agency.party.code")


class SubjectRequestDetailSerializer(SubjectRequestSerializer):
    subject = serializers.DictField(
        source="request.identifiers",
        child=serializers.CharField(),
        help_text="The identifiers as recorded.",
    )
    note = serializers.CharField(source="request.note")
    items = SubjectRequestItemSerializer(many=True)


class SubjectQueueItemSerializer(SubjectItemSerializer):
    request = serializers.CharField(source="item.request.reference")
    kind = serializers.ChoiceField(source="item.request.kind", choices=RequestKind.choices)
