"""Whether the labels of a rendered page belong to the controls drawn beside them.

Pico, the stylesheet, draws a checkbox or radio on one line with the label that follows it
(``[type=checkbox] ~ label``): a bare box rendered after its own label sits beside the next
field's label, and an officer ticks the wrong one. So a box must be inside its own label, and
every ``<label for=...>`` must name the control it describes.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.test.html import Element, parse_html

# The elements a <label> can be for (HTML's "labelable elements").
LABELABLE = frozenset({"button", "input", "meter", "output", "progress", "select", "textarea"})
BOXES = frozenset({"checkbox", "radio"})


def _walk(
    element: Element, ancestors: tuple[Element, ...] = ()
) -> Iterator[tuple[Element, tuple[Element, ...]]]:
    yield element, ancestors
    for child in element.children:
        if isinstance(child, Element):
            yield from _walk(child, (*ancestors, element))


def _attributes(element: Element) -> dict[str, str | None]:
    return dict(element.attributes)


def text_of(element: Element) -> str:
    parts = [c if isinstance(c, str) else text_of(c) for c in element.children]
    return " ".join(" ".join(parts).split())


def _controls_inside(label: Element) -> list[Element]:
    return [e for e, _ in _walk(label) if e is not label and e.name in LABELABLE]


def label_problems(html: str) -> list[str]:
    """What is wrong with the page's labels, one sentence each; empty when nothing is."""
    walked = list(_walk(parse_html(html)))
    by_id: dict[str, Element] = {}
    problems: list[str] = []
    for element, _ in walked:
        element_id = _attributes(element).get("id")
        if element_id:
            if element_id in by_id:
                problems.append(f"two elements have the id {element_id!r}")
            by_id[element_id] = element
    for element, ancestors in walked:
        attributes = _attributes(element)
        if element.name == "label":
            target_id = attributes.get("for")
            name = text_of(element)
            if target_id is not None:
                target = by_id.get(target_id)
                if target is None:
                    problems.append(f"label {name!r} is for {target_id!r}, which is not there")
                elif target.name not in LABELABLE or _attributes(target).get("type") == "hidden":
                    problems.append(f"label {name!r} is for a <{target.name}>, not a control")
            for inner in _controls_inside(element):
                if target_id is not None and _attributes(inner).get("id") != target_id:
                    problems.append(f"label {name!r} holds a control it is not for")
        if element.name == "input" and attributes.get("type") in BOXES:
            labels = [a for a in ancestors if a.name == "label"]
            box = attributes.get("name")
            if not labels:
                problems.append(
                    f"{attributes.get('type')} {box!r} is outside its label: it is drawn "
                    "beside the label that follows it"
                )
            elif _attributes(labels[-1]).get("for", attributes.get("id")) != attributes.get("id"):
                problems.append(f"{attributes.get('type')} {box!r} is inside another's label")
    return problems


def control_labelled(html: str, label_text: str) -> dict[str, str | None]:
    """The attributes of the control that the one label starting with ``label_text`` is for."""
    walked = list(_walk(parse_html(html)))
    labels = [e for e, _ in walked if e.name == "label" and text_of(e).startswith(label_text)]
    assert len(labels) == 1, f"{len(labels)} labels read {label_text!r}"
    target_id = _attributes(labels[0]).get("for")
    controls = [
        e for e, _ in walked if e.name in LABELABLE and _attributes(e).get("id") == target_id
    ]
    assert target_id, f"label {label_text!r} names no control"
    assert len(controls) == 1, f"label {label_text!r} is for {target_id!r}: not one control"
    return _attributes(controls[0])
