"""404 is one answer for a case's objects too, in development mode as in production: a meeting
file or a case hidden from the officer answers as one that does not exist (see
``tests.exchanges.test_views_not_found``)."""

from __future__ import annotations

import pytest

from cases.models import Case, MeetingAttachment
from partners.models import Officer
from tests.cases.scenario import add_meeting, open_case
from tests.exchanges.test_views_not_found import missing_and_hidden_alike

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def mode(request, settings):
    settings.DEBUG = request.param
    return request.param


def test_a_meeting_file_of_a_hidden_case_answers_as_a_missing_one(
    mode: bool, login, lo_ro: Officer, outsider: Officer
) -> None:
    attachment = add_meeting(lo_ro, open_case(lo_ro, "Bulgarian Police")).attachments.get()

    page = missing_and_hidden_alike(
        login(outsider),
        f"/cases/attachments/{attachment.pk}/",
        lambda: MeetingAttachment.objects.filter(pk=attachment.pk).delete(),
    )

    assert b"No case matches" not in page
    if mode:  # the debug page, which shows the message
        assert b"No attachment matches the given query." in page


def test_a_hidden_case_answers_as_a_missing_one(
    mode: bool, login, lo_ro: Officer, outsider: Officer
) -> None:
    case = open_case(lo_ro, "Bulgarian Police", name="Marinov brothers")

    page = missing_and_hidden_alike(
        login(outsider),
        f"/cases/{case.reference}/",
        lambda: Case.objects.filter(pk=case.pk).update(reference="SELEC-RO-0000-0000"),
    )

    assert b"Marinov" not in page
