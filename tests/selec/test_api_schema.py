"""The API's description: the OpenAPI schema is valid without a warning, and it and Swagger UI
are served to verified callers, Swagger UI from our own static files under the strict CSP."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from partners.models import Officer
from tests.helpers import issued_token

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"


def _token_client(officer: Officer) -> APIClient:
    _, plain = issued_token(officer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def test_the_schema_of_every_api_view_validates_without_a_warning(tmp_path) -> None:
    # --fail-on-warn: a view whose serializer or parameters drf-spectacular cannot describe
    # fails here rather than publishing a vague schema.
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "SELEC Exchange API"
    for path in [
        "/api/v1/parties/",
        "/api/v1/agencies/{id}/",
        "/api/v1/crime-areas/",
        "/api/v1/task-forces/{code}/",
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/read/",
    ]:
        assert path in schema["paths"], path


def test_the_schema_documents_the_token_header_and_the_verified_session(lo_ro: Officer) -> None:
    client = APIClient()
    client.force_authenticate(user=lo_ro)
    schema = client.get(SCHEMA, {"format": "json"}).json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "A personal API token, prefixed: `Token selec_...`.",
    }
    assert schemes["cookieAuth"]["in"] == "cookie"
    assert {"tokenAuth": []} in schema["paths"]["/api/v1/parties/"]["get"]["security"]


def test_a_caller_with_a_token_gets_the_schema_as_yaml_or_json(lo_ro: Officer) -> None:
    client = _token_client(lo_ro)
    as_yaml = client.get(SCHEMA)
    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert yaml.safe_load(as_yaml.content)["openapi"].startswith("3.")
    as_json = client.get(SCHEMA, HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert as_json.status_code == 200
    assert json.loads(as_json.content)["info"]["version"] == "1"


def test_a_verified_browser_session_gets_the_schema(login, obs_at: Officer) -> None:
    response = login(obs_at).get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/notifications/" in response.json()["paths"]


def test_the_schema_and_the_docs_refuse_a_caller_without_credentials(client) -> None:
    assert client.get(SCHEMA).status_code == 401
    assert client.get(DOCS).status_code == 401


def _docs(login, officer: Officer):
    browser = login(officer)
    response = browser.get(DOCS)
    assert response.status_code == 200
    return browser, response


def test_the_docs_load_swagger_ui_from_our_static_files_only(login, lo_ro: Officer) -> None:
    browser, response = _docs(login, lo_ro)
    html = response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not re.search(r"(src|href)=[\"']?(https?:)?//", html), "an asset from another host"
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    for name in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"]:
        url = next(asset for asset in assets if asset.endswith(name))
        assert url.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/"), url
        assert browser.get(url).status_code == 200, url


def test_the_docs_page_needs_no_inline_script_and_its_initialiser_is_a_script(
    login, lo_ro: Officer
) -> None:
    browser, response = _docs(login, lo_ro)
    html = response.content.decode()
    # Every <script> has a src: the strict script-src 'self' runs them all.
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == []
    initialiser = re.search(r"<script src=\"([^\"]*\?[^\"]*script[^\"]*)\"", html)
    assert initialiser is not None
    script = browser.get(initialiser.group(1).replace("&amp;", "&"))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert '"/api/schema/"' in script.content.decode()


def test_the_docs_are_served_under_the_csp_widened_only_by_their_own_style_hash(
    login, lo_ro: Officer
) -> None:
    _, response = _docs(login, lo_ro)
    policy = dict(
        [*directive.split(" ", 1), ""][:2]
        for directive in (part.strip() for part in response["Content-Security-Policy"].split(";"))
        if directive
    )
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    styles = policy["style-src"].split()
    assert styles[0] == "'self'"
    assert styles[1:]
    assert all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", s) for s in styles[1:])
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_other_pages_keep_the_strict_style_policy(login, lo_ro: Officer) -> None:
    response = login(lo_ro).get("/notifications/")
    assert "style-src 'self';" in response["Content-Security-Policy"] + ";"
    assert "sha256-" not in response["Content-Security-Policy"]


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
    ]


def test_every_operation_documents_every_status_it_may_answer(lo_ro: Officer) -> None:
    # A conformance fuzzer counts a status the schema does not list as a defect: every route may
    # answer 401, 403 and 429; one that reads input 400; one on something its path names 404.
    client = APIClient()
    client.force_authenticate(user=lo_ro)
    schema = client.get(SCHEMA, {"format": "json"}).json()
    for method, path, operation in _operations(schema):
        documented = set(operation["responses"])
        parameters = operation.get("parameters", [])
        expected = {"401", "403", "429"}
        if any(p["in"] == "path" for p in parameters):
            expected.add("404")
        if "requestBody" in operation or any(p["in"] == "query" for p in parameters):
            expected.add("400")
        assert expected <= documented, (method, path, sorted(expected - documented))


def test_the_error_answers_are_described_as_json_objects(lo_ro: Officer) -> None:
    client = APIClient()
    client.force_authenticate(user=lo_ro)
    schema = client.get(SCHEMA, {"format": "json"}).json()
    agencies = schema["paths"]["/api/v1/agencies/"]["get"]["responses"]
    agency = schema["paths"]["/api/v1/agencies/{id}/"]["get"]["responses"]
    statistics = schema["paths"]["/api/v1/statistics/{table}/"]["get"]["responses"]
    assert agencies["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Errors"
    }
    assert agency["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Detail"
    }
    # Errors are JSON even where the success may be a file.
    assert set(statistics["400"]["content"]) == {"application/json"}


FORM_BODIES = ("multipart/form-data", "application/x-www-form-urlencoded")


def test_no_form_body_is_offered_null_which_a_form_cannot_send(lo_ro: Officer) -> None:
    # A form's values are all text: a client told a member may be null sends the word, and
    # was refused. None is said there by leaving the member out (or empty, where so described).
    client = APIClient()
    client.force_authenticate(user=lo_ro)
    schema = client.get(SCHEMA, {"format": "json"}).json()
    components = schema["components"]["schemas"]
    nullable = []
    forms = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media_type in FORM_BODIES:
                if media_type not in content:
                    continue
                forms += 1
                body = content[media_type]["schema"]
                name = body["$ref"].rsplit("/", 1)[-1]
                properties = components[name]["properties"]
                nullable += [
                    (method, path, media_type, member)
                    for member, spec in properties.items()
                    if spec.get("nullable")
                ]
    assert forms >= 3  # sends, replies, meetings at least
    assert not nullable


def schema_of(schema: dict, path: str) -> list[dict]:
    """The query parameters of the path's GET."""
    return [p for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"]


# Who may call each list whose choices the schema lets be empty.
EMPTY_CHOICE_CALLERS = {
    "/api/v1/exchanges/": "lo_ro",
    "/api/v1/cases/": "lo_ro",
    "/api/v1/inaccuracy-flags/": "lo_ro",
    "/api/v1/review/": "lo_ro",
    "/api/v1/audit/events/": "dpo",
}


def test_every_choice_the_schema_lets_be_empty_is_taken_empty_as_left_out(request) -> None:
    client = APIClient()
    client.force_authenticate(user=request.getfixturevalue("lo_ro"))
    schema = client.get(SCHEMA, {"format": "json"}).json()
    offered = {
        (path, parameter["name"])
        for path, operations in schema["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
        if "Empty: as when left out." in parameter.get("description", "")
    }
    for path, name in offered:
        accepted = next(p["schema"] for p in schema_of(schema, path) if p["name"] == name)
        blank = {"type": "string", "enum": [""]}
        assert "" in accepted.get("enum", []) or blank in accepted.get("anyOf", []), (path, name)
    assert {path for path, _ in offered} == set(EMPTY_CHOICE_CALLERS)
    # A parameter that refuses the empty value says so, and is not offered it.
    statistics_format = next(
        p for p in schema_of(schema, "/api/v1/statistics/{table}/") if p["name"] == "format"
    )
    assert statistics_format["schema"]["minLength"] == 1
    assert ("/api/v1/statistics/{table}/", "format") not in offered
    for path, name in sorted(offered):
        caller = APIClient()
        caller.force_authenticate(user=request.getfixturevalue(EMPTY_CHOICE_CALLERS[path]))
        empty = caller.get(path, {name: ""})
        left_out = caller.get(path)
        assert empty.status_code == left_out.status_code == 200, (path, name, empty.content)
        # The audit log lists its own searches, each one a new event: not compared.
        if path != "/api/v1/audit/events/":
            assert empty.content == left_out.content, (path, name)
