"""Questionnaires of a threat assessment: the member states contribute to it.

The author of a draft threat assessment writes questions about the product's crime areas and
a deadline, and sends them to the National Focal Points of the member states (the recipient
parties are fixed at sending). Each NFP answers for its own party until the end of the
deadline day; the analysts read every party's answers and take them into the draft as
sections. Who may do what is decided by ``products.policy_questionnaires``.

Questions, answers and the introduction are content: encrypted at rest, as a product's
sections are.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from selec.core.fields import EncryptedTextField


class QuestionnaireAuditEvent(models.TextChoices):
    """The audit events of questionnaires (registered in ``products.apps``)."""

    DRAFTED = "questionnaire.drafted", _("Questionnaire drafted")
    EDITED = "questionnaire.edited", _("Questionnaire edited")
    SENT = "questionnaire.sent", _("Questionnaire sent to the National Focal Points")
    ANSWERED = "questionnaire.answered", _("Questionnaire answered")
    CLOSED = "questionnaire.closed", _("Questionnaire closed")
    CONSULTED = "questionnaire.consulted", _("Questionnaire consulted")
    ANSWERS_USED = "questionnaire.answers_used", _("Questionnaire answers taken into the draft")


class QuestionnaireNotificationKind(models.TextChoices):
    """What officers are notified of about questionnaires (registered in ``products.apps``)."""

    QUESTIONNAIRE_SENT = "questionnaire_sent", _("Questionnaire to answer")


class QuestionnaireStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    # Closed early by its author. A sent questionnaire whose deadline has passed is closed
    # too, without a write: ``products.policy_questionnaires.is_open`` works it out.
    CLOSED = "closed", _("Closed")


class Questionnaire(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    product = models.ForeignKey(
        "products.Product", on_delete=models.CASCADE, related_name="questionnaires"
    )
    # Answers are taken until the end of this day in the installation's time zone.
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=QuestionnaireStatus.choices,
        default=QuestionnaireStatus.DRAFT,
    )
    # What the National Focal Points read above the questions (the purpose, whom to ask).
    intro = EncryptedTextField(_("introduction"), blank=True, default="")
    # The member-state parties it was sent to: fixed at sending.
    parties = models.ManyToManyField("partners.Party", related_name="+", blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft", sent_at__isnull=True)
                | (~models.Q(status="draft") & models.Q(sent_at__isnull=False)),
                name="questionnaire_sent_at_iff_sent",
            ),
        ]
        indexes = [
            # The open questionnaires of a party, soonest deadline first.
            models.Index(F("status"), F("deadline"), F("id"), name="questionnaire_by_deadline"),
        ]

    def __str__(self) -> str:
        return f"questionnaire {self.pk} of product {self.product_id}"


class QuestionnaireQuestion(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    # One of the product's crime areas (checked by the service when the question is written).
    crime_area = models.ForeignKey(
        "taskforces.CrimeArea", on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField()
    text = EncryptedTextField(_("question"))

    class Meta:
        ordering = ["position", "pk"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="one_question_per_position"
            )
        ]

    def __str__(self) -> str:
        return f"question {self.position} of questionnaire {self.questionnaire_id}"


class QuestionnaireAnswer(models.Model):
    """A party's answer to a question: one per party, which its NFP officers edit until the
    deadline (the last to save is recorded)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    question = models.ForeignKey(
        QuestionnaireQuestion, on_delete=models.CASCADE, related_name="answers"
    )
    party = models.ForeignKey("partners.Party", on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("answer"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), default=timezone.now)

    class Meta:
        ordering = ["question", "party"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["question", "party"], name="one_answer_per_party")
        ]

    def __str__(self) -> str:
        return f"answer of party {self.party_id} to question {self.question_id}"
