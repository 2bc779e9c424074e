"""The purpose an officer gave for a thread the first time they opened it.

Consultations are logged (``exchanges.services.consultation``); the law asks that the log also
say why. The purpose is asked once per officer and thread, not on every page: it is kept here,
encrypted (an officer may name a case or a person), and the first consultation's audit event
carries it as its justification (``carried_at`` says when).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from selec.core.fields import EncryptedTextField

PURPOSE_MAX_LENGTH = 300


class ConsultationPurpose(models.Model):
    # The row key the encrypted field's associated data binds it to.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The thread's first message (a thread's members share one purpose).
    thread = models.ForeignKey(
        "exchanges.Exchange", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    purpose = EncryptedTextField(
        _("purpose"),
        max_length=PURPOSE_MAX_LENGTH,
        validators=[MaxLengthValidator(PURPOSE_MAX_LENGTH)],
    )
    given_at = models.DateTimeField()
    # When a consultation's audit event first carried the purpose as its justification (null:
    # none yet); the later consultations say it is on record.
    carried_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Leads with the thread: also the index of a thread's purposes (access reports).
            models.UniqueConstraint(fields=["thread", "officer"], name="one_purpose_per_thread")
        ]

    def __str__(self) -> str:
        return f"purpose of officer {self.officer_id} for thread {self.thread_id}"
