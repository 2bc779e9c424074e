"""How drf-spectacular documents who may call the API (the schemes of partners.api_auth) and
the fields of ours it cannot read by itself.

drf-spectacular finds an extension once its module is imported; ``selec.api_schema_urls``
imports this one, so it is registered whenever the API's URLs are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)

TOKEN_SCHEME = "tokenAuth"  # noqa: S105  (the name of a scheme, not a secret)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """``Authorization: Token <token>``, the scheme defined once in SPECTACULAR_SETTINGS."""

    target_class = "partners.api_auth.ApiTokenAuthentication"
    name = TOKEN_SCHEME

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return settings.SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]["securitySchemes"][TOKEN_SCHEME]


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    """The session cookie of a browser that has passed the TOTP step (CSRF token required
    for writes)."""

    target_class = "partners.api_auth.VerifiedSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The session of a browser logged in with password and TOTP.",
        }


class DecimalTextFieldSchema(OpenApiSerializerFieldExtension):
    """``selec.core.api_fields.DecimalTextField``: a string in the pattern the field reads, the
    only one it takes."""

    target_class = "selec.core.api_fields.DecimalTextField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        return {"type": "string", "format": "decimal", "pattern": self.target.pattern}
