"""The template tags every page may use."""

from __future__ import annotations

import re
import uuid

from django.template import Context, Template

from selec.core.idempotency import FORM_FIELD


def test_idempotency_key_renders_a_hidden_field_with_a_new_uuid_each_time() -> None:
    template = Template("{% load selec_tags %}{% idempotency_key %}")

    first, second = template.render(Context()), template.render(Context())

    pattern = rf'<input type="hidden" name="{FORM_FIELD}" value="([0-9a-f]{{32}})">'
    keys = [re.fullmatch(pattern, rendered) for rendered in (first, second)]
    assert all(keys), (first, second)
    values = [match.group(1) for match in keys if match]
    assert uuid.UUID(values[0]).version == 4
    assert values[0] != values[1]
