"""Forms of the case pages. They parse what the officer typed into the services' inputs; the
rules (who may be invited, whose results an officer records, which status comes next) stay in
``cases.services`` and ``cases.policy``, whose errors are shown back on the fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import CaseKind, CaseStatus, Result, SeizureItem, SeizureUnit
from cases.policy import TRANSITIONS, ReportBy
from cases.results_report import ReportQuery
from cases.services import CaseDetails
from cases.services_results import SeizureInput
from exchanges.forms import recipient_choices
from exchanges.services.inputs import attachments_of
from partners.models import Agency, Officer, Party
from selec.core.form_fields import LabelledForm, MultipleFileField
from selec.core.policy_values import Restrictions, normalised_text
from selec.core.restriction_fields import Owner, RestrictionsField
from taskforces.models import CrimeArea, TaskForce

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
BLANK: list[tuple[str, StrOrPromise]] = [("", "—")]


class CaseFilterForm(LabelledForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[*BLANK, *CaseKind.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[*BLANK, *CaseStatus.choices], required=False
    )


def analyst_choices(analysts: Iterable[Officer]) -> list[tuple[int, str]]:
    return [(o.pk, o.get_full_name() or o.username) for o in analysts]


def party_choices(parties: Iterable[Party]) -> list[tuple[int, str]]:
    return [(p.pk, f"{p.name} ({p.code})") for p in parties]


class CaseDetailsForm(LabelledForm):
    """What the lead writes about a case: opening and editing it."""

    name = forms.CharField(
        label=_("Name"), max_length=120, help_text=_('The operation\'s name, e.g. "Tara".')
    )
    series = forms.CharField(
        label=_("Operation series"),
        max_length=60,
        required=False,
        help_text=_(
            'For an operation repeated over the years, its series ("Mirage" for Mirage 2003 and '
            "Mirage 2004): the results report compares them. Shown to observers: never a "
            "target's name."
        ),
    )
    started_on = forms.DateField(
        label=_("Starts on"),
        widget=_DATE,
        help_text=_(
            "The case's reference and its results count in this day's year, also for an "
            "operation of past years entered now."
        ),
    )
    ended_on = forms.DateField(
        label=_("Ends on"), widget=_DATE, required=False, help_text=_("Leave empty if open-ended.")
    )
    task_force = forms.ModelChoiceField(
        label=_("Task force"),
        queryset=TaskForce.objects.all(),
        required=False,
        empty_label=_("None"),
    )
    crime_area = forms.ModelChoiceField(
        label=_("Crime area"), queryset=CrimeArea.objects.all(), required=False, empty_label="—"
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Stored encrypted; only the case's participants read it."),
    )
    personal_data = forms.BooleanField(
        label=_("Carries personal data"),
        required=False,
        help_text=_(
            "Observers may take part only in a case without personal data (an exchange with "
            "personal data linked to the case counts too)."
        ),
    )
    restrictions = RestrictionsField(
        owner=Owner.LEAD,
        help_text=_("H0 (the Convention's purpose) applies to everything."),
        text_help=_("Leave empty for none."),
    )

    def details(self) -> CaseDetails:
        data = self.cleaned_data
        return CaseDetails(
            name=data["name"],
            series=data["series"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
            task_force_id=data["task_force"].pk if data["task_force"] else None,
            crime_area_id=data["crime_area"].pk if data["crime_area"] else None,
            description=normalised_text(data["description"]),
            restrictions=data["restrictions"],
            personal_data=data["personal_data"],
        )

    @staticmethod
    def initial_of(case: Any) -> dict[str, Any]:
        return {
            "name": case.name,
            "series": case.series,
            "started_on": case.started_on,
            "ended_on": case.ended_on,
            "task_force": case.task_force_id,
            "crime_area": case.crime_area_id,
            "description": case.description,
            "personal_data": case.personal_data,
            "restrictions": Restrictions.of(case),
        }


class CaseCreateForm(CaseDetailsForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=CaseKind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A regional operation carries warnings, feedback and seizure reports besides "
            "requests and information."
        ),
    )
    status = forms.ChoiceField(
        label=_("Opens as"),
        choices=[(s.value, s.label) for s in (CaseStatus.PLANNED, CaseStatus.ACTIVE)],
        initial=CaseStatus.PLANNED.value,
        widget=forms.RadioSelect,
    )
    lead_agency = forms.TypedChoiceField(
        label=_("Lead agency"),
        coerce=int,
        required=False,
        help_text=_("The agency that leads the case; its party's agencies manage it."),
    )
    agencies = forms.TypedMultipleChoiceField(
        label=_("Participating agencies"),
        coerce=int,
        required=False,
        help_text=_(
            "Your agency takes part as the lead. Their parties join with them; each party's "
            "National Focal Point follows the case. Hold Ctrl (Cmd on a Mac) to choose several."
        ),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    analysts = forms.TypedMultipleChoiceField(
        label=_("Analysts"),
        coerce=int,
        required=False,
        help_text=_("SELEC analysts who support the case: they see it, add meetings and results."),
    )

    field_order = ["kind", "name", "series", "status", "lead_agency", "agencies", "analysts"]

    def __init__(
        self,
        *args: Any,
        agencies: Iterable[Agency],
        analysts: Iterable[Officer],
        names_lead: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agencies = list(agencies)
        self.fields["agencies"].choices = recipient_choices(agencies)  # type: ignore[attr-defined]
        self.fields["analysts"].choices = analyst_choices(analysts)  # type: ignore[attr-defined]
        if names_lead:
            self.fields["lead_agency"].required = True
            self.fields["lead_agency"].choices = BLANK + recipient_choices(agencies)  # type: ignore[attr-defined]
            self.fields["agencies"].help_text = _(
                "Besides the lead agency. Their parties join with them; each party's National "
                "Focal Point follows the case. You are named as the case's analyst."
            )
        else:
            del self.fields["lead_agency"]


class StatusForm(LabelledForm):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        following = TRANSITIONS.get(current, frozenset())
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label) for s in CaseStatus if s.value in following
        ]


class InviteForm(LabelledForm):
    agencies = forms.TypedMultipleChoiceField(
        label=_("Agencies to invite"),
        coerce=int,
        required=False,
        help_text=_(
            "Their parties join with them. Observers may join only while the case carries no "
            "personal data. Hold Ctrl (Cmd on a Mac) to choose several."
        ),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )
    parties = forms.TypedMultipleChoiceField(
        label=_("Parties to invite without an agency"),
        coerce=int,
        required=False,
        help_text=_("Their National Focal Points follow the case; no agency of theirs acts in it."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    analysts = forms.TypedMultipleChoiceField(
        label=_("Analysts to name"), coerce=int, required=False
    )

    def __init__(
        self,
        *args: Any,
        agencies: Iterable[Agency],
        parties: Iterable[Party],
        analysts: Iterable[Officer],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = recipient_choices(agencies)  # type: ignore[attr-defined]
        self.fields["parties"].choices = party_choices(parties)  # type: ignore[attr-defined]
        self.fields["analysts"].choices = analyst_choices(analysts)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("agencies") or data.get("parties") or data.get("analysts")):
            raise forms.ValidationError(_("Choose the agencies, parties or analysts to invite."))
        return data


class MeetingForm(LabelledForm):
    held_on = forms.DateField(label=_("Held on"), widget=_DATE)
    held_until = forms.DateField(
        label=_("Until"),
        widget=_DATE,
        required=False,
        help_text=_("For a meeting of several days."),
    )
    place = forms.CharField(label=_("Place"), max_length=120)
    parties = forms.TypedMultipleChoiceField(
        label=_("Participating parties"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Stored encrypted."),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Stored encrypted."),
    )
    attachments = MultipleFileField(label=_("Attachments"))

    def __init__(self, *args: Any, parties: Iterable[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].choices = party_choices(parties)  # type: ignore[attr-defined]
        self.fields["attachments"].help_text = _(
            "Documents, images, spreadsheets; checked and stored encrypted. Files are not kept "
            "when the form is shown again with an error: choose them again."
        )

    def arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "held_until": data["held_until"],
            "place": data["place"],
            "party_ids": data["parties"],
            "decisions": normalised_text(data["decisions"]),
            "minutes": normalised_text(data["minutes"]),
            "attachments": attachments_of(data["attachments"]),
        }


def _verbose_name(name: str) -> StrOrPromise:
    field = Result._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"Result.{name} is not a column")
    return field.verbose_name


COUNT_LABELS = {name: _verbose_name(name) for name in Result.COUNTS}


class ResultForm(LabelledForm):
    party = forms.TypedChoiceField(label=_("Reporting party"), coerce=int)
    reported_on = forms.DateField(label=_("Reported on"), widget=_DATE)

    def __init__(self, *args: Any, parties: Iterable[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parties = list(parties)
        self.fields["party"].choices = party_choices(parties)  # type: ignore[attr-defined]
        if len(parties) == 1:
            self.fields["party"].initial = parties[0].pk
        for name in Result.COUNTS:
            self.fields[name] = forms.IntegerField(
                label=str(COUNT_LABELS[name]).capitalize(),
                min_value=0,
                max_value=2_000_000_000,
                initial=0,
                # Left empty: none (a report names what its country achieved, often not all).
                required=False,
            )

    def counts(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] or 0 for name in Result.COUNTS}


class SeizureForm(LabelledForm):
    item = forms.ChoiceField(label=_("Item"), choices=[*BLANK, *SeizureItem.choices])
    quantity = forms.DecimalField(
        label=_("Quantity"), max_digits=14, decimal_places=3, min_value=0.001
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[*BLANK, *SeizureUnit.choices])
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("For a currency amount: its ISO 4217 code (EUR, USD, RSD)."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=300, help_text=_("Optional.")
    )

    def seizure(self) -> SeizureInput:
        data = self.cleaned_data
        return SeizureInput(
            item=data["item"],
            quantity=data["quantity"],
            unit=data["unit"],
            description=data["description"],
            currency=data["currency"].strip().upper(),
        )


MAX_SEIZURE_LINES = 50
SeizureFormSet = forms.formset_factory(
    SeizureForm,
    extra=2,
    max_num=MAX_SEIZURE_LINES,
    absolute_max=MAX_SEIZURE_LINES,
    validate_max=True,
)


def seizure_inputs(formset: forms.BaseFormSet) -> list[SeizureInput]:
    """The lines of a valid formset that hold something (blank extra rows are ignored)."""
    return [form.seizure() for form in formset.forms if form.has_changed()]


REPORT_BY_LABELS = {
    ReportBy.OPERATION: _("Per operation"),
    ReportBy.SERIES: _("Per series and year"),
    ReportBy.YEAR: _("Per year"),
    ReportBy.PARTY: _("Per reporting party"),
}


class ResultsReportForm(LabelledForm):
    """The results report's grouping and its filters (a GET form: a link repeats it)."""

    by = forms.ChoiceField(label=_("Columns"), required=False)
    series = forms.CharField(
        label=_("Operation series"),
        required=False,
        max_length=60,
        help_text=_('e.g. "Mirage"; leave empty for every operation.'),
    )
    first_year = forms.IntegerField(
        label=_("From year"), required=False, min_value=1900, max_value=2100
    )
    last_year = forms.IntegerField(
        label=_("To year"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args: Any, groupings: Iterable[ReportBy], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groupings = list(groupings)
        self.fields["by"].choices = [(g.value, REPORT_BY_LABELS[g]) for g in groupings]  # type: ignore[attr-defined]
        self.default_by = ReportBy.SERIES if ReportBy.SERIES in groupings else groupings[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first_year"), data.get("last_year")
        if first is not None and last is not None and first > last:
            self.add_error("last_year", _("The range ends before it starts."))
        return data

    def query(self) -> ReportQuery:
        """The report asked for; the default one when the form is not valid."""
        if not self.is_bound or not self.is_valid():
            return ReportQuery(by=self.default_by)
        data = self.cleaned_data
        return ReportQuery(
            by=ReportBy(data["by"] or self.default_by),
            series=" ".join(data["series"].split()),
            first_year=data["first_year"],
            last_year=data["last_year"],
        )
