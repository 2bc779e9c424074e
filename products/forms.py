"""Forms of the product pages: they parse what the analyst typed into the services' inputs; the
rules (who may receive a product, who reviews it) stay in ``products.services`` and
``products.policy``, whose errors are shown back on the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from analytics.policy import Table
from analytics.tables import MAX_YEAR, MIN_YEAR
from cases.forms import REPORT_BY_LABELS
from cases.models import Case
from partners.models import Agency
from products.models import FIGURE_RESULT_GROUPINGS, Product, ProductKind, ResultsFigure
from products.services import ProductDetails
from selec.core.form_fields import LabelledForm
from selec.core.policy_values import Restrictions
from selec.core.restriction_fields import Owner, RestrictionsField
from taskforces.models import CrimeArea

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})

# The statistics tables by their page's names (``analytics.tables`` titles them so).
TABLE_LABELS = {
    Table.TOTALS: _("Exchanges per channel (over years)"),
    Table.CRIME_TYPES: _("Exchanges initiated by member countries per type of crime (one year)"),
    Table.PARTIES: _("Exchanges per party (one year; not for observers)"),
    Table.TASK_FORCES: _("Exchanges per task force (over years)"),
}


class AgencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.party.code}, {obj.party.get_status_display()})"


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.reference} {obj.name}"


class ProductDetailsForm(LabelledForm):
    """What the author writes about a product: drafting and editing it."""

    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period from"), widget=_DATE)
    period_end = forms.DateField(label=_("Period to"), widget=_DATE)
    crime_areas = forms.ModelMultipleChoiceField(
        label=_("Crime areas"),
        queryset=CrimeArea.objects.order_by("position"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    audience = AgencyChoiceField(
        label=_("Audience"),
        queryset=Agency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The agencies it is published to; their National Focal Points read it too. "
            "Observers receive no personal data and only the strategic tables; an operational "
            "analysis goes only to the agencies taking part in its case. Checked at publication."
        ),
    )
    personal_data = forms.BooleanField(
        label=_("Contains personal data"),
        required=False,
        help_text=_("An operational analysis of a case carrying personal data does too."),
    )
    restrictions = RestrictionsField(
        owner=Owner.YOU,
        help_text=_("H0 (the Convention's purpose) applies to everything."),
        text_help=_("Leave empty for none."),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = agencies  # type: ignore[attr-defined]

    def details(self) -> ProductDetails:
        data = self.cleaned_data
        return ProductDetails(
            title=data["title"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            crime_area_ids=[a.pk for a in data["crime_areas"]],
            audience_ids=[a.pk for a in data["audience"]],
            restrictions=data["restrictions"],
            personal_data=data["personal_data"],
        )

    @staticmethod
    def initial_of(product: Product) -> dict[str, Any]:
        return {
            "title": product.title,
            "period_start": product.period_start,
            "period_end": product.period_end,
            "crime_areas": list(product.crime_areas.values_list("pk", flat=True)),
            "audience": list(product.audience.values_list("pk", flat=True)),
            "personal_data": product.personal_data,
            "restrictions": Restrictions.of(product),
        }


class ProductDraftForm(ProductDetailsForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ProductKind.choices)
    case = CaseChoiceField(
        label=_("Case (operational analysis)"),
        queryset=Case.objects.none(),
        required=False,
        empty_label="—",
        help_text=_(
            "The joint investigation or regional operation an operational analysis is about."
        ),
    )
    field_order = ["kind", "case"]

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]


class SectionForm(LabelledForm):
    heading = forms.CharField(label=_("Heading"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 10})
    )


class FigureForm(LabelledForm):
    table = forms.ChoiceField(
        label=_("Statistics table or operation results"),
        choices=[*((t.value, TABLE_LABELS[t]) for t in Table), *ResultsFigure.choices],
    )
    first_year = forms.IntegerField(label=_("From year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    last_year = forms.IntegerField(
        label=_("To year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=_("A one-year table shows this year."),
    )
    grouping = forms.ChoiceField(
        label=_("Columns of the operation results"),
        choices=[(g.value, REPORT_BY_LABELS[g]) for g in FIGURE_RESULT_GROUPINGS],
        required=False,
        help_text=_(
            "Operation results only: the totals of every operation, per series and year or per "
            "year (what observers may read too)."
        ),
    )
    series = forms.CharField(
        label=_("Operation series"),
        required=False,
        max_length=60,
        help_text=_('e.g. "Mirage"; leave empty for every operation.'),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)


class NoteForm(LabelledForm):
    note = forms.CharField(
        label=_("What the author should change"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class WithdrawForm(LabelledForm):
    reason = forms.CharField(
        label=_("Why it is withdrawn (its readers are told)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
