"""Catalogue API: odd input is a JSON 4xx, never a 500 or an HTML page (issue 13, finding 9).

Each case runs twice: through the whole middleware stack, and without the platform's input guard
(if there is one), so the API itself holds even when nothing in front of it filters.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import override_settings

from services.api.errors import json_error

BASE = settings.BASE_DOMAIN
HUGE = "1" * 100_000
ARABIC_123 = "%D9%A1%D9%A2%D9%A3"  # ١٢٣, Arabic-Indic digits: int() accepts them
ARABIC_1 = "%D9%A1"
SUPERSCRIPT_2 = "%C2%B2"  # ²: str.isdigit() is True, int() refuses it

WITHOUT_GUARD = [m for m in settings.MIDDLEWARE if not m.endswith("InputGuardMiddleware")]


def host(slug: str) -> str:
    return f"{slug}.{BASE}" if slug else BASE


@pytest.fixture(params=["full stack", "api alone"])
def api_client(request, client):
    """The test client, once with every middleware, once without the input guard."""
    if request.param == "full stack":
        yield client
    else:
        with override_settings(MIDDLEWARE=WITHOUT_GUARD):
            yield client


def get(api_client, url: str, slug: str = "erkelenz"):
    return api_client.get(url, HTTP_HOST=host(slug), raise_request_exception=False)


def assert_json_error(response, statuses: set[int]) -> dict:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    return body


@pytest.mark.parametrize(
    "key",
    [
        "abc",
        "a%00b",
        "%00",
        HUGE,
        ARABIC_123,
        "%D9%A1" * 14,  # fourteen Arabic-Indic ones: matches \d{14}, not a LeiKa key
        "99050012104000xyz",  # a real key plus junk: was cut to 14 characters and found
        "990500121040001",
        "9905001210400",
        "%20" + "99050012104000",
    ],
)
@pytest.mark.parametrize("slug", ["erkelenz", "kreis", ""])
def test_malformed_service_key_is_a_json_404(api_client, db, key, slug):
    response = get(api_client, f"/api/v1/services/{key}/", slug)
    body = assert_json_error(response, {400, 404})
    if response.status_code == 400:  # only the platform's guard, for the NUL byte
        assert "\x00" in key or "%00" in key
    else:
        assert body["detail"] == "Leistung nicht gefunden"


def test_real_service_key_still_answers(client, db):
    response = client.get("/api/v1/services/99050012104000/", HTTP_HOST=host("erkelenz"))
    assert response.status_code == 200 and response.json()["leika_key"] == "99050012104000"


@pytest.mark.parametrize(
    "path",
    ["/api/", "/api/v1/", "/api/v1/nothing/", "/api/v2/services/", "/api/v1/services/1/2/"],
)
def test_unknown_api_path_is_a_json_404(api_client, db, path):
    assert_json_error(get(api_client, path), {404})
    assert_json_error(get(api_client, path, ""), {404})


def test_api_path_without_slash_still_redirects(client, db):
    response = client.get("/api/v1/services", HTTP_HOST=host("erkelenz"))
    assert response.status_code == 301 and response["Location"].endswith("/api/v1/services/")


NUL_CASES = [
    ("/api/v1/services/?q=abc%00def", "q", "erkelenz"),
    ("/api/v1/services/?topic=a%00", "topic", "erkelenz"),
    ("/api/v1/services/?life_situation=%00", "life_situation", "kreis"),
    ("/api/v1/services/?online_level=online%00", "online_level", "erkelenz"),
    ("/api/v1/services/?offered=true%00", "offered", "erkelenz"),
    ("/api/v1/services/?page=1%00", "page", ""),
    ("/api/v1/services/?page_size=%0020", "page_size", ""),
    ("/api/v1/services/?unknown=%00", "unknown", "erkelenz"),
    ("/api/v1/finder/?service=99050012104000%00&municipality=gangelt", "service", "kreis"),
    ("/api/v1/finder/?service=99050012104000&municipality=gangelt%00", "municipality", ""),
    ("/api/v1/offices/?x=%00", "x", "gangelt"),
    ("/api/v1/services/export/?as=csv%00", "as", "gangelt"),
    ("/api/v1/services/99050012104000/?lang=%00", "lang", "erkelenz"),
]


@pytest.mark.parametrize(("url", "parameter", "slug"), NUL_CASES)
def test_nul_byte_in_any_query_parameter_is_a_json_400_naming_it(
    api_client, db, url, parameter, slug
):
    body = assert_json_error(get(api_client, url, slug), {400})
    named = set(body.get("errors", {})) | {body.get("parameter")}
    assert parameter in named, body


NUMERIC_CASES = [
    ("/api/v1/services/?page=" + ARABIC_1, "page"),
    ("/api/v1/services/?page=" + SUPERSCRIPT_2, "page"),
    ("/api/v1/services/?page_size=" + ARABIC_1 + ARABIC_1, "page_size"),
    ("/api/v1/services/?page_size=%EF%BC%95", "page_size"),  # fullwidth 5
    ("/api/v1/services/?page=1.0", "page"),
    ("/api/v1/services/?page=" + "9" * 40, "page"),
    ("/api/v1/finder/?municipality=gangelt&service=" + ARABIC_1 * 14, "service"),
    ("/api/v1/finder/?municipality=gangelt&service=" + SUPERSCRIPT_2 * 14, "service"),
]


@pytest.mark.parametrize(("url", "parameter"), NUMERIC_CASES)
@pytest.mark.parametrize("slug", ["kreis", ""])
def test_non_ascii_digits_in_numeric_parameters_are_a_json_400(
    api_client, db, url, parameter, slug
):
    body = assert_json_error(get(api_client, url, slug), {400})
    assert parameter in body["errors"], body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/services/?q=" + "x" * 100_000,
        "/api/v1/services/?page=" + HUGE,
        "/api/v1/services/?page_size=" + HUGE,
        "/api/v1/services/?topic=" + "a" * 100_000,
        "/api/v1/finder/?municipality=gangelt&service=" + HUGE,
        "/api/v1/finder/?service=99050012104000&municipality=" + "g" * 100_000,
        "/api/v1/services/export/?as=" + "c" * 100_000,
        "/api/v1/offices/?x=" + "c" * 100_000,
        "/api/v1/services/?" + "p" * 100_000 + "=1",
    ],
)
def test_huge_query_values_are_a_json_4xx(api_client, db, url):
    response = get(api_client, url, "kreis" if "/finder/" in url else "gangelt")
    if "/offices/" in url and response.status_code == 200:
        return  # unknown parameters are ignored; only a guard in front may refuse the length
    if url.endswith("=1") and response.status_code == 200:
        return  # same: an unknown parameter name
    assert_json_error(response, {400, 414})


def test_json_error_helper_has_the_api_error_shape():
    response = json_error(400, "Ungültige Parameter.", errors={"q": ["Enthält NUL."]}, status=400)
    assert response.status_code == 400 and response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {
        "detail": "Ungültige Parameter.",
        "errors": {"q": ["Enthält NUL."]},
        "status": 400,
    }
