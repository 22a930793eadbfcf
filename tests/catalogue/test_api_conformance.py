"""The published OpenAPI schema tells the truth about every answer of the catalogue API.

Walks every operation of the schema the API serves itself (`/api/schema/`), calls it on a
municipality's host, the district's host and the public host with valid values of each
documented parameter and with odd ones (NUL bytes, 100 kB, "²", Arabic-Indic digits, …), and
checks each answer as schemathesis would: never a 5xx, only documented status codes and content
types, and a body valid against the documented schema for that status. Deterministic: the
values are fixed, not generated.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import jsonschema
import pytest
from django.conf import settings

from services.local.models import LocalService
from services.models import LifeSituation, Service, Topic

BASE = settings.BASE_DOMAIN
HOSTS = [f"erkelenz.{BASE}", f"kreis.{BASE}", BASE]
# Values any parameter may be sent, whatever its documented type
ODD_VALUES = [
    "",
    " ",
    "\x00",
    "abc\x00def",
    "x" * 100_000,
    "²",
    "١",
    "١٢٣٤٥٦٧٨٩٠١٢٣٤",
    "-1",
    "0",
    "1.5",
    "9" * 30,
    "null",
    "äöü ß",
    "<script>",
    "' OR 1=1 --",
]


@pytest.fixture
def schema(client, db) -> dict:
    response = client.get("/api/schema/?format=json", HTTP_HOST=HOSTS[0])
    assert response.status_code == 200
    document = json.loads(response.content)
    public = json.loads(client.get("/api/schema/?format=json", HTTP_HOST=BASE).content)
    assert public == document, "one contract on every host"
    return document


@pytest.fixture
def valid_values(in_tenant, db) -> dict[str, list[str]]:
    """Per parameter name: values a well-behaved client sends (from the demo data)."""
    with in_tenant("erkelenz"):
        with_office = (
            LocalService.objects.filter(offered=True, office__isnull=False)
            .order_by("service__leika_key")
            .values_list("service__leika_key", flat=True)
            .first()
        )
    assert with_office, "the demo data has a local service with an office"
    first_topic = Topic.objects.order_by("slug").values_list("slug", flat=True).first()
    first_situation = LifeSituation.objects.order_by("slug").values_list("slug", flat=True).first()
    any_service = Service.objects.order_by("pk").first()
    return {
        "leika_key": [with_office, "99050012104000", any_service.leika_key],
        "q": ["Personalausweis", "Hund anmelden", ""],
        "topic": [first_topic],
        "life_situation": [first_situation],
        "online_level": ["information", "online", "automated"],
        "offered": ["true", "false"],
        "page": ["1", "2"],
        "page_size": ["1", "100"],
        "service": ["99050012104000", "99036008007000"],
        "municipality": ["wassenberg", "05370036"],
        "as": ["json", "csv"],
        # GET /api/v1/appointments/slots/ (services.api.appointments); optional: [0] unused
        "office": ["", "00000000-0000-0000-0000-000000000000"],
        "from": ["", "2026-01-01"],
        "to": ["", "2026-01-31"],
    }


# --- OpenAPI 3.0 schema objects as JSON Schema ----------------------------------------------


def json_schema(node: object, document: dict) -> object:
    """Resolve `$ref`s and turn OpenAPI's `nullable` into JSON Schema's null type."""
    if isinstance(node, list):
        return [json_schema(item, document) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: object = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]  # type: ignore[index]
        return json_schema(copy.deepcopy(target), document)
    converted = {key: json_schema(value, document) for key, value in node.items()}
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


# --- requests -------------------------------------------------------------------------------


def operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete", "head", "options"}:
                yield path, method, operation


def calls(path: str, operation: dict, valid: dict[str, list[str]]) -> Iterator[tuple[str, dict]]:
    """(path, query) pairs: the required parameters valid, then each parameter varied alone
    over its valid and its odd values."""
    parameters = operation.get("parameters", [])
    for parameter in parameters:
        assert parameter["name"] in valid, f"no valid example for {parameter['name']}"
    base = {
        p["name"]: valid[p["name"]][0] for p in parameters if p.get("required") or p["in"] == "path"
    }
    yield _fill(path, base)
    yield _fill(path, {**base, "unknown": "a\x00b"})  # every endpoint refuses NUL, even here
    for parameter in parameters:
        name = parameter["name"]
        for value in valid[name][1:] + ODD_VALUES:
            yield _fill(path, {**base, name: value})


def _fill(path: str, values: dict[str, str]) -> tuple[str, dict]:
    query = dict(values)
    for name in list(query):
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", quote(query.pop(name), safe=""))
    return path, query


def check(document: dict, operation: dict, response, label: str) -> None:
    status = str(response.status_code)
    assert response.status_code < 500, f"{label}: {status} {response.content[:300]!r}"
    documented = operation["responses"]
    assert status in documented or "default" in documented, f"{label}: undocumented {status}"
    content = documented.get(status, documented.get("default"))["content"]
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type in content, f"{label}: {status} as {media_type}, documented {list(content)}"
    if media_type != "application/json":
        return
    body = json.loads(response.content)
    schema = json_schema(content[media_type]["schema"], document)
    error = jsonschema.exceptions.best_match(jsonschema.Draft7Validator(schema).iter_errors(body))
    assert error is None, (
        f"{label}: {status} body does not match the schema at "
        f"{'/'.join(map(str, error.absolute_path)) or 'top level'}: {error.message[:300]}"
    )


def test_every_query_parameter_is_documented_with_a_type(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            assert parameter["schema"].get("type") or parameter["schema"].get("enum"), (
                f"{method.upper()} {path}: parameter {parameter['name']} has no type"
            )
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                assert response["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, f"{method.upper()} {path}: {status} is not the one error shape"


def test_every_answer_matches_the_published_schema(client, schema, valid_values):
    seen: dict[str, set[str]] = {}
    for path, method, operation in operations(schema):
        for hostname in HOSTS:
            for url, query in calls(path, operation, valid_values):
                label = f"{method.upper()} {hostname}{url}?{urlencode(query)[:80]}"
                response = getattr(client, method)(
                    url, query, HTTP_HOST=hostname, raise_request_exception=False
                )
                check(schema, operation, response, label)
                seen.setdefault(f"{method.upper()} {path}", set()).add(str(response.status_code))
    # the walk reached the answers that matter, not only errors
    for operation_id, statuses in seen.items():
        assert "200" in statuses and "400" in statuses, (operation_id, statuses)
    for path in ("/api/v1/services/{leika_key}/", "/api/v1/offices/", "/api/v1/finder/"):
        assert "404" in seen[f"GET {path}"], path
