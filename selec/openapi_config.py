"""drf-spectacular's settings (``SPECTACULAR_SETTINGS``), imported by the settings module.

It describes the API at /api/schema/ and shows it at /api/docs/ with Swagger UI from the
sidecar package, served under /static/ (no CDN). Both answer verified callers only.
"""

from typing import Any

SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "SELEC Exchange API",
    "VERSION": "1",
    "DESCRIPTION": (
        "Filing and fetching requests for assistance and information exchanges between the "
        "police and customs liaison officers of the SELEC parties, under the same rules as the "
        "pages: what the caller may not see answers 404, what it may see but not do 403. "
        "Authenticate with a personal API token (`Authorization: Token <token>`, issued by "
        "the officer from their account page after a fresh authenticator code) or, from a browser, a session verified with TOTP. Requests are "
        "throttled per token (API_THROTTLE_RATE); over the rate the answer is 429 with "
        "Retry-After. Every response carries an X-Request-ID header. Writes accept an "
        "Idempotency-Key header: a retry with the same key and body gets the first answer "
        "again (Idempotent-Replayed: true), the same key with another body 422."
    ),
    "SERVE_INCLUDE_SCHEMA": False,
    # Operations are tagged by the first segment after the version: exchanges, parties...
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # validatorUrl: Swagger UI would otherwise send the schema's address to swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "tokenAuth": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "A personal API token, prefixed: `Token selec_...`.",
            }
        }
    },
    # drf-spectacular's own hook (named enums), then the Idempotency-Key of every write and
    # the empty value of every optional query parameter of choices.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "selec.core.api_schema_idempotency.idempotency_key_parameter",
        "selec.core.api_schema_filters.empty_choice_parameters",
    ],
    # Choice fields of the same name with different choices get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "PartyKindEnum": "partners.models.PartyKind",
        "PartyStatusEnum": "partners.models.PartyStatus",
        "AgencyKindEnum": "partners.models.AgencyKind",
        "NotificationKindEnum": "selec.core.notification_kinds.NOTIFICATION_KINDS",
        "ExchangeCreateKindEnum": "exchanges.models.SENT_KINDS",
        "SubjectRequestKindEnum": "subjects.models.RequestKind",
        "SubjectRequestStatusEnum": "subjects.models.RequestStatus",
        "SubjectItemStatusEnum": "subjects.models.ItemStatus",
    },
}
