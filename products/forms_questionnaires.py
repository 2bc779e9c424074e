"""Forms of the questionnaire pages: they parse what the analyst and the National Focal Points
typed into the services' inputs; the rules stay in ``products.policy_questionnaires`` and the
services, whose errors are shown back on the fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from products.models_questionnaires import Questionnaire, QuestionnaireQuestion
from products.policy_questionnaires import MAX_QUESTIONS, QUESTION_MAX_LENGTH
from products.services_questionnaires import (
    ANSWER_MAX_LENGTH,
    INTRO_MAX_LENGTH,
    QuestionnaireInput,
)
from selec.core.form_fields import LabelledForm
from taskforces.models import CrimeArea

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _area_field(area: CrimeArea) -> str:
    return f"area_{area.pk}"


class QuestionnaireForm(LabelledForm):
    """The deadline, the introduction, and the questions: one box per crime area of the
    threat assessment, one question per line."""

    deadline = forms.DateField(
        label=_("Deadline"),
        widget=_DATE,
        help_text=_(
            "Answers are taken until the end of this day, Bucharest time (SELEC headquarters), "
            "for every party."
        ),
    )
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=INTRO_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "What the National Focal Points read above the questions: what the answers are for "
            "and whom to ask in their country."
        ),
    )

    def __init__(self, *args: Any, areas: Sequence[CrimeArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for area in self.areas:
            self.fields[_area_field(area)] = forms.CharField(
                # Translators: %(area)s is a crime area ("Drug trafficking").
                label=_("Questions about %(area)s") % {"area": area},
                required=False,
                max_length=QUESTION_MAX_LENGTH * MAX_QUESTIONS,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=_("One question per line; leave empty to ask nothing about this area."),
            )

    def inputs(self) -> QuestionnaireInput:
        data = self.cleaned_data
        questions = [
            (area.pk, line.strip())
            for area in self.areas
            for line in data.get(_area_field(area), "").splitlines()
            if line.strip()
        ]
        return QuestionnaireInput(
            deadline=data["deadline"], intro=data["intro"], questions=questions
        )

    @staticmethod
    def initial_of(questionnaire: Questionnaire) -> dict[str, Any]:
        by_area: dict[str, list[str]] = {}
        for question in questionnaire.questions.all():
            by_area.setdefault(f"area_{question.crime_area_id}", []).append(question.text)
        return {
            "deadline": questionnaire.deadline,
            "intro": questionnaire.intro,
            **{name: "\n".join(texts) for name, texts in by_area.items()},
        }


def answer_field(question: QuestionnaireQuestion) -> str:
    return f"q{question.pk}"


class AnswersForm(LabelledForm):
    """A party's answers: one box per question, filled with what the party answered so far."""

    def __init__(
        self,
        *args: Any,
        questions: Sequence[tuple[QuestionnaireQuestion, str, str]],
        **kwargs: Any,
    ) -> None:
        """``questions``: each question with its crime area's name and the party's answer."""
        super().__init__(*args, **kwargs)
        self.questions = [q for q, _area, _answer in questions]
        for question, area, answer in questions:
            self.fields[answer_field(question)] = forms.CharField(
                label=f"{question.position}. {question.text}",
                required=False,
                max_length=ANSWER_MAX_LENGTH,
                initial=answer,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=area,
            )

    def answers(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data.get(answer_field(q), "") for q in self.questions}


class UseAnswersForm(LabelledForm):
    """Which question's answers go into the draft (none given: every answered question)."""

    question = forms.IntegerField(required=False, widget=forms.HiddenInput)
