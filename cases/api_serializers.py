"""The serializers of the cases endpoints (``cases.api``): one per request body (input) and per
answer (output), declared for the schema.

Input serializers only parse: the rules are the services' and the policy's, whose refusals the
views answer with 400 on the fields. Output serializers shape what the selectors read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers
from rest_framework.reverse import reverse

from cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    OperationalMeeting,
    SeizureItem,
    SeizureUnit,
)
from cases.selectors import CasePage
from cases.services import CaseDetails
from exchanges.api_inputs import MAX_ID, RestrictionsSerializer
from exchanges.api_outputs import HandlingSerializer
from selec.core.policy_values import Restrictions
from taskforces.models import CrimeArea, TaskForce

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
            "task_force": case.task_force.code if case.task_force is not None else None,
            "crime_area": case.crime_area.code if case.crime_area is not None else None,
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
        timeline: list[dict[str, str | int]] = []
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
