"""One way from what an author wrote (a page's form, the API's serializer) to the ``Message`` the
send and reply services take."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from exchanges.services.inputs import AttachmentInput, EntityInput, Evaluation, message_of
from selec.core.policy_values import Restrictions


def test_a_message_carries_what_was_written_with_its_files_read_once() -> None:
    report = SimpleUploadedFile("report.txt", b"Plates seen on Friday.", content_type="text/plain")
    person = EntityInput("person", {"names": "Ion Popa"})

    message = message_of(
        subject="Lorry at Giurgiu",
        body="Expected on Friday.",
        restrictions=Restrictions(dissemination=True),
        personal_data=True,
        source_reliability="B",
        information_accuracy="2",
        entities=iter([person]),
        uploads=[report],
    )

    assert message.evaluation == Evaluation("B", "2")
    assert message.restrictions == Restrictions(dissemination=True)
    assert list(message.entities) == [person]
    assert list(message.attachments) == [
        AttachmentInput("report.txt", "text/plain", b"Plates seen on Friday.")
    ]


def test_a_file_without_a_type_stays_so_for_the_service_to_name() -> None:
    untyped = SimpleUploadedFile("scan.pdf", b"%PDF-1.4", content_type="")

    (attachment,) = message_of(
        subject="s", body="b", restrictions=Restrictions(), personal_data=False, uploads=[untyped]
    ).attachments

    assert attachment.filename == "scan.pdf"
    assert attachment.content_type == ""
