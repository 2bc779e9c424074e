"""Whole exchanges in SELEC's UMF-aligned JSON: an exchange as a UMF message, and a UMF message
read into the body a send or a reply takes in SELEC's own JSON.

A message carries the exchange's header (``reference``, ``messageType``, ``sender``,
``recipients``, ``sentAt``, ``dueAt``, ``crimeArea``, ``taskForce``, ``priority``, the handling
codes and the H3 text, ``inReplyTo``), its content (``subject``, ``body``) and its entities in
the UMF entity shape of ``exchanges.umf``.

The export is a renaming of what the API shows (``ExchangeSerializer``'s metadata and the
audited consultation's content), so the two never disagree. The import renames the other way
and leaves every rule to the serializers and services the JSON body goes through: one set of
rules whatever the caller spoke. What the message does not know is refused by name, each
error keyed by the JSON pointer (RFC 6901) of the member it concerns
(``/entities/1/placeOfBirth``). The members SELEC sets itself (``reference``, ``inReplyTo``,
``sender``, ``sentAt``, ``dueAt``, a recipient's ``agencyName`` and ``party``) are read-only:
checked for their form and otherwise ignored, so that a message exported can be sent again as
it is. A reply takes none of the members its parent decides (the kind, the recipients, the
crime area...): they are refused by name rather than silently dropped.

Pure functions: dictionaries in, dictionaries and messages out; no Django model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal

from django.utils.translation import gettext as _

from exchanges.umf import NOT_AN_ENTITY, VERSION, entities_from_umf, entity_to_umf

Form = Literal["send", "reply"]
SEND: Form = "send"
REPLY: Form = "reply"

UMF_VERSION = "umfVersion"
HANDLING_CODES = "handlingCodes"
HANDLING_TEXT = "handlingText"
EVALUATION = "evaluation"
ENTITIES = "entities"
RECIPIENTS = "recipients"
SENDER = "sender"
AGENCY_ID = "agencyId"
AGENCY_NAME = "agencyName"
PARTY = "party"
# The handling codes: H0 (none of the others) alone, or any of H1 to H3.
H0, H1, H2, H3 = "H0", "H1", "H2", "H3"
HANDLING = (H0, H1, H2, H3)
# The key of an error about the whole body, as the API keys the errors of no field.
NOT_A_MEMBER = NOT_AN_ENTITY

# UMF member -> the member of SELEC's JSON body, for the members renamed and passed on as
# they are (their values are the serializers' to check).
COMMON_MEMBERS: Mapping[str, str] = {
    "subject": "subject",
    "body": "body",
    "personalData": "personal_data",
}
# Members only a send takes: a reply goes to the other side of its thread, with its parent's
# kind, crime area, task force, priority and case.
SEND_MEMBERS: Mapping[str, str] = {
    "messageType": "kind",
    "crimeArea": "crime_area",
    "taskForce": "task_force",
    "priority": "priority",
    "caseReference": "case",
}
EVALUATION_MEMBERS: Mapping[str, str] = {
    "sourceReliability": "source_reliability",
    "informationAccuracy": "information_accuracy",
}
# Set by SELEC when the exchange is sent: shown, never taken. Each with its JSON type.
READ_ONLY: Mapping[str, tuple[type, ...]] = {
    "reference": (str,),
    "inReplyTo": (str, type(None)),
    "sentAt": (str,),
    "dueAt": (str,),
}
AGENCY_MEMBERS = (AGENCY_ID, AGENCY_NAME, PARTY)

Errors = dict[str, list[str]]


def pointer(*steps: object) -> str:
    """The JSON pointer (RFC 6901) of a member: ``pointer("entities", 1, "vin")`` gives
    ``/entities/1/vin``; ``~`` and ``/`` in a name are escaped as the RFC says."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in steps)


def known_members(form: Form) -> list[str]:
    """The members a message of this form may carry, in the export's order."""
    members = [UMF_VERSION, *READ_ONLY, SENDER]
    if form == SEND:
        members += [RECIPIENTS, *SEND_MEMBERS]
    return [*members, HANDLING_CODES, HANDLING_TEXT, *COMMON_MEMBERS, EVALUATION, ENTITIES]


# --- Ours -> UMF ----------------------------------------------------------------------------


def _agency(shown: Mapping[str, Any]) -> dict[str, Any]:
    return {AGENCY_ID: shown["id"], AGENCY_NAME: shown["name"], PARTY: shown["party"]}


def message_to_umf(
    shown: Mapping[str, Any],
    *,
    subject: str,
    body: str,
    entities: list[tuple[str, Mapping[str, Any]]],
) -> dict[str, Any]:
    """An exchange as a UMF message. ``shown``: the exchange's metadata as the API shows it
    (``ExchangeSerializer``'s data); the content is the audited consultation's."""
    restrictions = shown["restrictions"]
    evaluation = shown["evaluation"]
    return {
        UMF_VERSION: VERSION,
        "reference": shown["reference"],
        "inReplyTo": shown["in_reply_to"],
        "messageType": shown["kind"],
        SENDER: _agency(shown["sender_agency"]),
        RECIPIENTS: [_agency(receipt["agency"]) for receipt in shown["recipients"]],
        "sentAt": shown["sent_at"],
        "dueAt": shown["due_at"],
        "crimeArea": shown["crime_area"],
        "taskForce": shown["task_force"],
        "priority": shown["priority"],
        HANDLING_CODES: list(shown["handling_codes"]),
        HANDLING_TEXT: restrictions["text"],
        "personalData": shown["personal_data"],
        EVALUATION: {umf: evaluation[ours] for umf, ours in EVALUATION_MEMBERS.items()},
        "subject": subject,
        "body": body,
        ENTITIES: [entity_to_umf(kind, attributes) for kind, attributes in entities],
    }


# --- UMF -> ours ----------------------------------------------------------------------------


def message_from_umf(document: Any, *, form: Form) -> tuple[dict[str, Any], Errors]:
    """A UMF message as the body of a send or a reply in SELEC's JSON, or the errors keyed by
    JSON pointer. Only the names and the handling codes change; the values go on as given, for
    the serializers and services to judge as they judge SELEC's JSON."""
    if not isinstance(document, Mapping):
        return {}, {NOT_A_MEMBER: [_("A UMF message is a JSON object.")]}
    errors: Errors = {}
    body: dict[str, Any] = {}
    _check_version(document, errors)
    renamed = {**COMMON_MEMBERS, **(SEND_MEMBERS if form == SEND else {})}
    for name, value in document.items():
        if name in renamed:
            body[renamed[name]] = value
        elif name in READ_ONLY:
            if not isinstance(value, READ_ONLY[name]):
                errors[pointer(name)] = [_wrong_type(READ_ONLY[name])]
        elif name == SENDER:
            _check_agency(value, (SENDER,), errors, read_only=True)
        elif name == RECIPIENTS and form == SEND:
            body["recipients"] = _recipients(value, errors)
        elif name == EVALUATION:
            body["evaluation"] = _evaluation(value, errors)
        elif name == ENTITIES:
            body["entities"] = _entities(value, errors)
        elif name in (UMF_VERSION, HANDLING_CODES, HANDLING_TEXT):
            continue
        elif name in SEND_MEMBERS or name == RECIPIENTS:
            errors[pointer(name)] = [_not_in_a_reply(name)]
        else:
            errors[pointer(name)] = [_unknown_member(name, form)]
    restrictions = _restrictions(document, errors)
    if restrictions is not None:
        body["restrictions"] = restrictions
    return body, errors


def _check_version(document: Mapping[str, Any], errors: Errors) -> None:
    if UMF_VERSION not in document:
        errors[pointer(UMF_VERSION)] = [
            _('Required: the UMF version of the message, "%(version)s".') % {"version": VERSION}
        ]
    elif document[UMF_VERSION] != VERSION:
        errors[pointer(UMF_VERSION)] = [
            _('SELEC reads UMF version "%(version)s" only.') % {"version": VERSION}
        ]


def _check_agency(
    value: Any, at: tuple[object, ...], errors: Errors, *, read_only: bool
) -> Any | None:
    """An agency ({"agencyId", "agencyName", "party"}): the id, when it is to be read (a
    recipient's; a sender's is read-only). Unknown names are refused, the others checked for
    their form."""
    if not isinstance(value, Mapping):
        errors[pointer(*at)] = [_("must be an object with %(member)s.") % {"member": AGENCY_ID}]
        return None
    for name, member in value.items():
        if name not in AGENCY_MEMBERS:
            errors[pointer(*at, name)] = [
                _("Unknown member %(name)s of an agency; known: %(known)s.")
                % {"name": repr(name), "known": ", ".join(AGENCY_MEMBERS)}
            ]
        elif name != AGENCY_ID and not isinstance(member, str):
            errors[pointer(*at, name)] = [_wrong_type((str,))]
    if AGENCY_ID not in value:
        errors[pointer(*at, AGENCY_ID)] = [_("Required: the agency's id (see agencies/).")]
        return None
    if read_only:
        agency_id = value[AGENCY_ID]
        if isinstance(agency_id, bool) or not isinstance(agency_id, int):
            errors[pointer(*at, AGENCY_ID)] = [_wrong_type((int,))]
        return None
    return value[AGENCY_ID]


def _recipients(value: Any, errors: Errors) -> Any:
    """The recipients' agency ids; a value that is no list goes on for the serializer to
    refuse, as it refuses one in SELEC's JSON."""
    if not isinstance(value, list):
        return value
    ids = []
    for position, recipient in enumerate(value):
        ids.append(_check_agency(recipient, (RECIPIENTS, position), errors, read_only=False))
    return ids


def _evaluation(value: Any, errors: Errors) -> Any:
    if not isinstance(value, Mapping):
        return value
    evaluation = {}
    for name, member in value.items():
        if name in EVALUATION_MEMBERS:
            evaluation[EVALUATION_MEMBERS[name]] = member
        else:
            errors[pointer(EVALUATION, name)] = [
                _("Unknown member %(name)s of an evaluation; known: %(known)s.")
                % {"name": repr(name), "known": ", ".join(EVALUATION_MEMBERS)}
            ]
    return evaluation


def _entities(value: Any, errors: Errors) -> Any:
    converted, found = entities_from_umf(value)
    if isinstance(found, list):
        errors[pointer(ENTITIES)] = found
        return value
    for position, entity_errors in found.items():
        for path, messages in entity_errors.items():
            errors[pointer(ENTITIES, position, *_steps(path))] = messages
    return converted


def _steps(umf_path: str) -> list[str]:
    """The steps of an entity's UMF path (``document[0].issuingCountry``): document, 0,
    issuingCountry. An error of the whole entity has none."""
    if umf_path == NOT_AN_ENTITY:
        return []
    steps: list[str] = []
    for step in umf_path.split("."):
        name, _bracket, index = step.partition("[")
        steps.append(name)
        if index:
            steps.append(index.rstrip("]"))
    return steps


def _restrictions(document: Mapping[str, Any], errors: Errors) -> dict[str, Any] | None:
    """The handling codes and the H3 text as SELEC's restrictions (H1 evidence, H2
    dissemination, the H3 text), or None when the message gives neither: no restriction of its
    own (a reply keeps its parent's)."""
    if HANDLING_CODES not in document and HANDLING_TEXT not in document:
        return None
    codes = document.get(HANDLING_CODES, [H0])
    text = document.get(HANDLING_TEXT, "")
    if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
        errors[pointer(HANDLING_CODES)] = [_("must be a list of handling codes, H0 to H3.")]
        return None
    problems = _code_problems(codes)
    if problems:
        errors[pointer(HANDLING_CODES)] = problems
        return None
    if not isinstance(text, str):
        # The serializer says what is wrong with it, as for SELEC's JSON.
        return {"evidence": H1 in codes, "dissemination": H2 in codes, "text": text}
    if H3 in codes and not text.strip():
        errors[pointer(HANDLING_TEXT)] = [_("H3 needs its text: write the restriction.")]
    elif text.strip() and H3 not in codes:
        errors[pointer(HANDLING_TEXT)] = [
            _("A text applies under H3 only: add H3 to the handling codes, or leave it out.")
        ]
    return {"evidence": H1 in codes, "dissemination": H2 in codes, "text": text}


def _code_problems(codes: list[str]) -> list[str]:
    problems = [
        _("Unknown handling code %(code)s; known: %(known)s.")
        % {"code": repr(code), "known": ", ".join(HANDLING)}
        for code in codes
        if code not in HANDLING
    ]
    if len(set(codes)) != len(codes):
        problems.append(_("Each handling code once."))
    if H0 in codes and len(codes) > 1:
        problems.append(_("H0 means none of H1 to H3: give it alone."))
    return problems


# --- Errors of SELEC's JSON, in the message's terms -------------------------------------------

# SELEC's member -> the UMF member, for the errors the serializers and services give.
_UMF_OF: Mapping[str, str] = {
    ours: umf for umf, ours in {**COMMON_MEMBERS, **SEND_MEMBERS}.items()
} | {"recipients": RECIPIENTS, "evaluation": EVALUATION, "entities": ENTITIES}
_UMF_OF_EVALUATION = {ours: umf for umf, ours in EVALUATION_MEMBERS.items()}


def errors_in_umf(detail: Any) -> Errors:
    """The errors of a send or a reply in SELEC's JSON (a serializer's, nested; a service's,
    by field), keyed by the JSON pointer of the UMF member each concerns. Keys that are
    pointers already (the message's own errors) stay."""
    errors: Errors = {}
    for path, messages in _flattened(detail, ()):
        errors.setdefault(_pointer_of(path), []).extend(messages)
    return errors


def _flattened(detail: Any, path: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], list[str]]]:
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            yield from _flattened(value, (*path, str(key)))
    elif isinstance(detail, list) and all(isinstance(item, str) for item in detail):
        yield path, [str(item) for item in detail]
    elif isinstance(detail, list):
        for position, item in enumerate(detail):
            if item:
                yield from _flattened(item, (*path, str(position)))
    else:
        yield path, [str(detail)]


def _pointer_of(path: tuple[str, ...]) -> str:
    if not path or path[0] == NOT_A_MEMBER:
        return NOT_A_MEMBER
    head, rest = path[0], path[1:]
    if head.startswith("/"):
        return head
    if head == "restrictions":
        return pointer(HANDLING_TEXT if rest[:1] == ("text",) else HANDLING_CODES)
    if head == "evaluation" and rest and rest[0] in _UMF_OF_EVALUATION:
        return pointer(EVALUATION, _UMF_OF_EVALUATION[rest[0]])
    if head == "recipients" and rest and rest[0].isdigit():
        return pointer(RECIPIENTS, rest[0], AGENCY_ID)
    if head == "entities" and rest and rest[0].isdigit():
        return pointer(ENTITIES, rest[0])
    return pointer(_UMF_OF.get(head, head))


# --- Messages -------------------------------------------------------------------------------


def _wrong_type(types: tuple[type, ...]) -> str:
    if types == (str,):
        return _("must be text.")
    if types == (int,):
        return _("must be a whole number.")
    return _("must be text or null.")


def _not_in_a_reply(name: str) -> str:
    # Translators: %(name)s is a member of the message (messageType, recipients...), quoted.
    return _(
        "A reply does not take %(name)s: it goes to the other side of its thread with its "
        "parent's kind, crime area, task force, priority and case."
    ) % {"name": repr(name)}


def _unknown_member(name: str, form: Form) -> str:
    # Translators: %(name)s is the member given, quoted; %(known)s the UMF member names,
    # which are not translated.
    return _(
        "Unknown member %(name)s of a UMF message: SELEC would neither show nor keep it; "
        "known: %(known)s."
    ) % {"name": repr(name), "known": ", ".join(known_members(form))}
