"""The API's contract for tools nobody here wrote: identifiers that do not follow the reader's
language, JSON only, every answer documented with a typed body, JSON for every address under
/api/, and orderings that are an enum."""

from __future__ import annotations

import json

import pytest
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
TRANSLATED = {"description", "summary"}


def schema_in(language: str) -> dict:
    with translation.override(language):
        return SchemaGenerator().get_schema(request=None, public=True)


def without_prose(node):
    """The schema less its translated prose: what generators turn into names and types."""
    if isinstance(node, dict):
        return {str(k): without_prose(v) for k, v in node.items() if k not in TRANSLATED}
    if isinstance(node, list | tuple):
        return [without_prose(item) for item in node]
    return str(node) if not isinstance(node, bool | int | float | type(None)) else node


@pytest.fixture(scope="module")
def schema():
    return schema_in("en")


@pytest.fixture(scope="module")
def french_schema():
    return schema_in("fr")


def test_identifiers_are_the_same_in_french_and_in_english(schema, french_schema):
    french = without_prose(french_schema)
    english = without_prose(schema)
    assert sorted(french["components"]["schemas"]) == sorted(english["components"]["schemas"])
    assert french == english
    # the prose itself still follows the language
    assert (
        french_schema["paths"][TOKEN]["post"]["summary"]
        != (schema["paths"][TOKEN]["post"]["summary"])
    )


def titles(node, parent=""):
    """Where a ``title`` keyword sits in the schemas (not a property called title)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and parent != "properties":
                yield parent
            yield from titles(value, key)
    elif isinstance(node, list):
        for item in node:
            yield from titles(item, parent)


def test_no_field_label_becomes_a_title(french_schema):
    assert list(titles(french_schema["paths"])) == []
    assert list(titles(french_schema["components"])) == []


def test_the_token_operation_takes_json_only(schema, api, owner):
    assert list(schema["paths"][TOKEN]["post"]["requestBody"]["content"]) == ["application/json"]
    form = api().post(TOKEN, {"username": "alice", "password": "password"}, format="multipart")
    assert form.status_code == 415
    assert "detail" in form.json()
    assert api().post(TOKEN, {"username": "alice", "password": "password"}).status_code == 200


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_every_operation_with_a_body_documents_415_and_typed_400(schema):
    for path, method, operation in operations(schema):
        if "requestBody" in operation:
            assert "415" in operation["responses"], (method, path)
            # One content type each: JSON, or a multipart form where a file is sent (an import).
            content = list(operation["requestBody"]["content"])
            assert content in (["application/json"], ["multipart/form-data"]), (method, path)
            if content == ["multipart/form-data"]:
                fields = operation["requestBody"]["content"][content[0]]["schema"]
                assert "binary" in json.dumps(
                    schema["components"]["schemas"].get(
                        fields.get("$ref", "").rsplit("/", 1)[-1], fields
                    )
                ), (method, path)
        if "400" in operation["responses"]:
            body = operation["responses"]["400"]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ValidationError"}, (method, path)
    shape = schema["components"]["schemas"]["ValidationError"]
    assert shape["properties"]["non_field_errors"]["items"] == {"type": "string"}


def test_every_error_answer_has_a_typed_body(schema):
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                assert "$ref" in response["content"]["application/json"]["schema"], (
                    method,
                    path,
                    code,
                )


def test_deleting_a_partnership_documents_its_409_with_the_current_version(schema):
    responses = schema["paths"]["/api/v1/partnerships/{partnership_id}/"]["delete"]["responses"]
    assert responses["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }
    assert "current_version" in schema["components"]["schemas"]["Conflict"]["properties"]


def test_429_documents_retry_after(schema, api, owner, settings):
    assert "Retry-After" in schema["paths"][TOKEN]["post"]["responses"]["429"]["headers"]


def test_a_throttled_token_request_says_when_to_try_again(api, owner, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    # The class keeps the rates it read at import: patched here, and put back after the test.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"auth-token": "1/minute"})
    api().post(TOKEN, {"username": "alice", "password": "password"})
    response = api().post(TOKEN, {"username": "alice", "password": "password"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "detail" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/partnerships/abc/",
        "/api/v1/no-such-thing/",
        "/api/nowhere",
        "/api/v1/partnerships/1/commitments/x/",
    ],
)
def test_every_unknown_address_under_api_answers_json(api, editor, path):
    response = api(editor).get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Non trouvé."}


def test_an_unknown_method_answers_json(api, editor, partnership):
    response = api(editor).put("/api/v1/partnerships/", {})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_an_unknown_method_on_the_schema_or_docs_answers_json_too(client, path):
    response = client.post(path, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert "GET" in response["Allow"]


def test_ordering_values_are_an_enum(schema):
    parameters = schema["paths"]["/api/v1/partnerships/"]["get"]["parameters"]
    (ordering,) = [p for p in parameters if p["name"] == "ordering"]
    assert {"title", "-title", "agreed_level", "-created_at"} <= set(ordering["schema"]["enum"])


def test_an_unknown_ordering_is_a_400(api, editor, partnership):
    client = api(editor)
    assert client.get("/api/v1/partnerships/", {"ordering": "-title"}).status_code == 200
    assert client.get("/api/v1/partnerships/", {"ordering": "title,-created_at"}).status_code == 200
    response = client.get("/api/v1/partnerships/", {"ordering": "password"})
    assert response.status_code == 400
    assert list(response.json()) == ["ordering"]
