"""The serializers of the cases endpoints (``cases.api``): one per request body (input) and per
answer (output), declared for the schema.

Input serializers only parse: the rules are the services' and the policy's, whose refusals the
views answer with 400 on the fields. Output serializers shape what the selectors read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    MeetingAttachment,
    OperationalMeeting,
    SeizureItem,
    SeizureUnit,
)
from cases.selectors import CasePage, TimelineEntry
from cases.services import FIRST_DAY, LAST_DAY, CaseDetails
from exchanges.api_inputs import MAX_ID
from exchanges.api_outputs import HandlingSerializer
from selec.core.api_fields import (
    DayField,
    DecimalTextField,
    FlagField,
    InstantField,
    OptionalCodeField,
    TextField,
)
from selec.core.restriction_fields import UNRESTRICTED, RestrictionsSerializer
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


def _day(help_text: str, **kwargs: Any) -> DayField:
    # The range is the services' rule (``cases.services.day_errors``); a date-time format has no
    # bounds in the schema, so its description says it.
    return DayField(
        help_text=f"{help_text} From {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.",
        **kwargs,
    )


def _party_codes(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=TextField(max_length=16),
        required=False,
        default=list,
        max_length=100,
        help_text=help_text,
    )


class CaseCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    name = TextField(max_length=120)
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in (CaseStatus.PLANNED, CaseStatus.ACTIVE)],
        default=CaseStatus.PLANNED.value,
        help_text="A case opens as planned or active.",
    )
    started_on = _day("The case's first day.")
    ended_on = _day("Its last day; left out or null: not known.", required=False, allow_null=True)
    task_force = OptionalCodeField(
        queryset=TaskForce.objects.all(),
        help_text="Code of the task force (see task-forces/). Left out, null or empty: none.",
    )
    crime_area = OptionalCodeField(
        queryset=CrimeArea.objects.all(),
        help_text="Code of the crime area (see crime-areas/). Left out, null or empty: none.",
    )
    series = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=60,
        help_text="The operation's series (Mirage: Mirage 2003, Mirage 2004...), compared by "
        "the results report; a public label, never a target's name.",
    )
    description = TextField(required=False, allow_blank=True, default="", max_length=20_000)
    restrictions = RestrictionsSerializer(default=UNRESTRICTED)
    personal_data = FlagField(
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
        return CaseDetails(
            name=data["name"],
            series=data["series"],
            started_on=data["started_on"],
            ended_on=data.get("ended_on"),
            task_force_id=data["task_force"].pk if data.get("task_force") else None,
            crime_area_id=data["crime_area"].pk if data.get("crime_area") else None,
            description=data["description"],
            restrictions=data["restrictions"],
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
    """A meeting as multipart/form-data, with its attachments. A form has no null: a meeting of
    one day leaves ``held_until`` out (an empty value is refused, as it is no day)."""

    held_on = _day("The meeting's (first) day.")
    held_until = _day(
        "Its last day, for a meeting of several days (left out: one day).", required=False
    )
    place = TextField(max_length=120)
    parties = _party_codes("Codes of the participating parties that attended (RO, BG...).")
    decisions = TextField(required=False, allow_blank=True, default="", max_length=20_000)
    minutes = TextField(required=False, allow_blank=True, default="", max_length=100_000)
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=20
    )


class MeetingCreateJsonSerializer(MeetingCreateSerializer):
    """A meeting as JSON (attachments: send multipart/form-data)."""

    held_until = _day(
        "Its last day, for a meeting of several days (left out or null: one day).",
        required=False,
        allow_null=True,
    )
    # DRF removes a declared field set to None in a subclass; the stubs cannot say so.
    attachments = None  # type: ignore[assignment]


class SeizureInputSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=SeizureItem.choices)
    quantity = DecimalTextField(
        max_digits=14,
        decimal_places=3,
        min_value=Decimal("0.001"),
        help_text="Above zero, as a string: 12.5, 300.",
    )
    unit = serializers.ChoiceField(choices=SeizureUnit.choices)
    currency = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=3,
        help_text="For the unit currency (an amount of money): its ISO 4217 code, e.g. EUR. "
        "Empty for every other unit.",
    )
    description = TextField(required=False, allow_blank=True, default="", max_length=300)


def _count() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=2_000_000_000, default=0)


class ResultCreateSerializer(serializers.Serializer):
    party = TextField(
        max_length=16, help_text="Code of the reporting party (yours, unless you lead the case)."
    )
    reported_on = _day("The day the results were reported.")
    persons_arrested = _count()
    persons_identified = _count()
    persons_charged = _count()
    victims_identified = _count()
    victims_assisted = _count()
    victims_repatriated = _count()
    vehicles_seized = _count()
    persons_convicted = _count()
    investigations_opened = _count()
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
    series = serializers.CharField(help_text="The operation's series; empty for none.")
    kind = serializers.CharField()
    status = serializers.CharField()
    lead_party = serializers.CharField(source="lead_party.code")
    participants = serializers.SerializerMethodField()
    task_force = serializers.CharField(source="task_force.code", allow_null=True)
    crime_area = serializers.CharField(source="crime_area.code", allow_null=True)
    started_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    handling_codes = serializers.ListField(child=serializers.CharField())
    restrictions = HandlingSerializer(source="*")
    personal_data = serializers.BooleanField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api-case-detail", lookup_field="reference"
    )

    def get_participants(self, case: Case) -> list[str]:
        """The lead's code and the participants' (prefetched by ``case_rows``)."""
        return sorted({case.lead_party.code, *(p.code for p in case.participants.all())})


class AgencyOutSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class ParticipantSerializer(serializers.Serializer):
    """A participating party (``CasePage.participation``) with its agencies."""

    code = serializers.CharField(source="party.code")
    name = serializers.CharField(source="party.name")
    status = serializers.CharField(source="party.status")
    lead = serializers.BooleanField()
    agencies = AgencyOutSerializer(many=True)


class AnalystSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    username = serializers.CharField()
    name = serializers.CharField(source="get_full_name")


class MeetingAttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, attachment: MeetingAttachment) -> str:
        # Under the case's address: the meeting's case is the one the view found (its reference
        # in the context), not read again for each attachment.
        return reverse(
            "api-case-attachment",
            kwargs={"reference": self.context["reference"], "pk": attachment.pk},
            request=self.context.get("request"),
        )


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    held_on = serializers.DateField()
    held_until = serializers.DateField(allow_null=True)
    place = serializers.CharField()
    parties = serializers.SerializerMethodField(help_text="Codes of the parties that attended.")
    decisions = serializers.CharField()
    minutes = serializers.CharField()
    attachments = MeetingAttachmentSerializer(source="attachments.all", many=True)

    def get_parties(self, meeting: OperationalMeeting) -> list[str]:
        return [party.code for party in meeting.parties.all()]  # prefetched, by code


class SeizureOutSerializer(serializers.Serializer):
    item = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=None, decimal_places=3)
    unit = serializers.CharField()
    currency = serializers.CharField(help_text="ISO 4217 code for the unit currency; else empty.")
    description = serializers.CharField()


class CountsSerializer(serializers.Serializer):
    persons_arrested = serializers.IntegerField()
    persons_identified = serializers.IntegerField()
    persons_charged = serializers.IntegerField()
    victims_identified = serializers.IntegerField()
    victims_assisted = serializers.IntegerField()
    victims_repatriated = serializers.IntegerField()
    vehicles_seized = serializers.IntegerField()
    persons_convicted = serializers.IntegerField()
    investigations_opened = serializers.IntegerField()


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
    currency = serializers.CharField(help_text="ISO 4217 code for the unit currency; else empty.")
    quantity = serializers.DecimalField(max_digits=None, decimal_places=3)


class CountedSerializer(serializers.Serializer):
    """Counted from every exchange linked to the case, not typed."""

    information_exchanged = serializers.IntegerField(help_text="Every linked exchange once.")
    requests_initiated = serializers.IntegerField(help_text="The requests for assistance.")


class TotalsSerializer(serializers.Serializer):
    """The totals of a ``CasePage``."""

    by_party = PartyTotalsSerializer(source="totals_by_party", many=True)
    overall = CountsSerializer(source="totals_overall")
    by_item = ItemTotalSerializer(source="totals_by_item", many=True)
    counted = CountedSerializer()


class TimelineEntrySerializer(serializers.Serializer):
    """A ``TimelineEntry``: the fields of its exchange, or of its meeting (the others absent)."""

    at = InstantField()
    type = serializers.SerializerMethodField(help_text="exchange or meeting")
    reference = serializers.CharField(
        source="exchange.reference",
        required=False,
        help_text="The exchange's reference (exchanges you may see only).",
    )
    kind = serializers.CharField(source="exchange.kind", required=False)
    sender_party = serializers.CharField(source="exchange.sender_agency.party.code", required=False)
    meeting = serializers.IntegerField(source="meeting.pk", required=False)
    place = serializers.CharField(source="meeting.place", required=False)

    def get_type(self, entry: TimelineEntry) -> str:
        return "exchange" if entry.exchange is not None else "meeting"


class CaseDetailSerializer(CaseSerializer):
    """Metadata and content, from the audited consultation: a ``CasePage``, whose case gives
    the metadata fields (read from ``page.case``, see ``get_fields``)."""

    description = serializers.CharField(source="case.description")
    parties = serializers.SerializerMethodField()
    analysts = AnalystSerializer(many=True)
    timeline = TimelineEntrySerializer(many=True)
    meetings = MeetingSerializer(many=True)
    results = ResultSerializer(many=True)
    totals = TotalsSerializer(source="*")
    permissions = serializers.SerializerMethodField(
        help_text="What you may do: view, manage, add_meeting..."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # The metadata fields are the list's, declared once there; here they read the page's
        # case. Method fields take the page itself (``get_participants`` below).
        fields = super().get_fields()
        for name in CaseSerializer._declared_fields:
            field = fields[name]
            if not isinstance(field, serializers.SerializerMethodField):
                source = field.source or name
                field.source = "case" if source == "*" else f"case.{source}"
        return fields

    def get_participants(self, page: CasePage) -> list[str]:  # type: ignore[override]
        """The participating parties the page read, the lead among them: no query more."""
        return sorted(p.code for p in page.parties)

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_parties(self, page: CasePage) -> Any:
        return ParticipantSerializer(
            [
                {"party": party, "agencies": agencies, "lead": party.pk == page.case.lead_party_id}
                for party, agencies in page.participation
            ],
            many=True,
        ).data

    def get_permissions(self, page: CasePage) -> list[str]:
        return sorted(p.value.removesuffix("_case") for p in page.perms)
