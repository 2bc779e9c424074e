"""Requests under concurrency: references recorded at the same moment are consecutive and never
repeated (the counter row's lock); the last two answers given at once complete the request
(the request row's lock)."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.management import call_command
from django.utils import timezone

from partners.models import Officer
from selec.core.models import Notification
from subjects.models import Decision, SubjectNotificationKind, SubjectRequest
from subjects.services_answers import subject_item_answer
from tests.helpers import at_once
from tests.subjects.scenario import a_request, two_providers_hold_one_man

pytestmark = pytest.mark.django_db

AT_ONCE = 6


@pytest.mark.django_db(transaction=True)
def test_requests_recorded_at_once_get_consecutive_references(unreachable_broker) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)  # a transactional test starts empty
    found = {o.username: o for o in Officer.objects.select_related("agency__party")}
    two_providers_hold_one_man(found["lo.ro"], found["lo.bg"], found["lo.tr"])
    dpo = found["dpo"]

    errors = at_once(*(lambda: a_request(dpo) for _ in range(AT_ONCE)))

    assert errors == []
    year = timezone.localdate().year
    references = sorted(SubjectRequest.objects.values_list("reference", flat=True))
    assert references == [f"DSR-{year}-{n:04d}" for n in range(1, AT_ONCE + 1)]
    # Each forwarded to both providers, once.
    assert {r.items.count() for r in SubjectRequest.objects.all()} == {2}


@pytest.mark.django_db(transaction=True)
def test_the_last_two_answers_given_at_once_complete_the_request(unreachable_broker) -> None:
    call_command("seed_demo", "--personas-only", verbosity=0)
    found = {o.username: o for o in Officer.objects.select_related("agency__party")}
    two_providers_hold_one_man(found["lo.ro"], found["lo.bg"], found["lo.tr"])
    for _ in range(3):  # a race: several rounds, so that a missing lock shows
        request = a_request(found["dpo"])
        items = {
            i.provider_agency.name: i.pk for i in request.items.select_related("provider_agency")
        }

        # Each sees the other's item pending unless they are taken one after the other.
        errors = at_once(
            *(
                partial(
                    subject_item_answer,
                    officer=found[username],
                    item_id=items[agency],
                    decision=Decision.NO_DATA,
                    answer="",
                )
                for username, agency in (
                    ("lo.ro", "Romanian Police"),
                    ("lo.bg", "Bulgarian Police"),
                )
            )
        )

        assert errors == []
        request.refresh_from_db()
        assert request.answered_at is not None
        completed = Notification.objects.filter(
            kind=SubjectNotificationKind.COMPLETED, object_id=str(request.pk)
        )
        assert [n.officer.username for n in completed] == ["dpo"]
