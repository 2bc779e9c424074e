"""The API's description: the OpenAPI 3 schema and Swagger UI, both for verified callers.

Swagger UI comes from drf-spectacular-sidecar, under /static/ (the deployment network is
closed: no CDN). The split view serves its initialiser as a script of its own (``?script``),
so the page needs no inline script; its one inline ``<style>`` is allowed by its hash, on this
page only.
"""

from __future__ import annotations

import base64
import hashlib
import re

from csp.decorators import csp_update
from django.core.exceptions import ImproperlyConfigured
from django.template.backends.django import Template as DjangoTemplate
from django.template.loader import get_template
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import selec.api_schema  # noqa: F401  (registers the authentication schemes)


def _inline_style_hashes(template_name: str) -> list[str]:
    """CSP sources for the ``<style>`` elements of a template that has no tags inside them."""
    template = get_template(template_name)
    if not isinstance(template, DjangoTemplate):
        raise ImproperlyConfigured(f"{template_name} is not a template of Django's engine.")
    source = template.template.source
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in re.findall(r"<style>(.*?)</style>", source, flags=re.DOTALL)
    ]


docs_view = csp_update(
    {"style-src": _inline_style_hashes(SpectacularSwaggerSplitView.template_name)}
)(SpectacularSwaggerSplitView.as_view(url_name="api-schema"))

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
]
