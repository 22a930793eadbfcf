"""Bad input gets a clear 4xx, never a 500 (issue: privacy and hardening).

The route walk takes every URL pattern of both URL confs from Django's resolver (not a hand-kept
list) and sends each one the inputs that used to break views: a NUL byte in the path and in query
parameters, non-ASCII digits ("²" passes `str.isdigit()`, not `int()`), very long values and a
deeply nested JSON body, anonymously and as a signed-in citizen.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

BASE = settings.BASE_DOMAIN
KREIS = f"kreis.{BASE}"
ERKELENZ = f"erkelenz.{BASE}"
GANGELT = f"gangelt.{BASE}"

pytestmark = pytest.mark.django_db

# query parameter names the views read, plus some they do not
PARAMETERS = (
    "q", "flur", "flurstueck", "gemarkung", "adresse", "page", "p", "limit", "offset", "ags",
    "leika", "service", "gemeinde", "tenant", "level", "state", "code", "next", "zurueck",
    "zahlung", "abbruch", "status", "formular", "zustaendig", "letter", "format", "domain",
    "RelayState", "SAMLRequest", "SAMLResponse", "language", "x",
)  # fmt: skip
# percent-encoded query values: odd digits, huge numbers, unbalanced escapes, bad UTF-8
ODD_VALUES = tuple(
    quote(value) for value in ("²", "١٢٣", "-1", "9" * 40, "ä" * 60, "{}", "\u202e")
) + ("%", "%ED%A0%80", "%FF")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _sample_paths(route: str, segment: str) -> list[str]:
    """Concrete paths for a route, with `segment` wherever a string parameter goes."""
    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"<int:[^>]+>", "1", path)
    path = re.sub(r"<path:[^>]+>", f"{segment}/{segment}", path)
    path = re.sub(r"<(?:str|slug|uuid):[^>]+>|<[a-z_]+>", segment, path)
    path = path.replace(r"(\d+)", "1").replace("(.*)", segment).replace("(.*/)?", f"{segment}/")
    path = path.replace(r"((?:[\w\-]+/)*)", f"{segment}/")
    return ["/" + path]


def routes(urlconf: str) -> list[str]:
    return sorted(set(_walk(get_resolver(urlconf).url_patterns)))


TENANT_ROUTES = routes("kreisportal.urls_tenant")
PUBLIC_ROUTES = routes("kreisportal.urls_public")
DISTRICT_ADMIN_ROUTES = routes("kreisportal.urls_admin")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_no_server_error(client: Client, method: str, path: str, host: str, **extra):
    response = getattr(client, method)(path, HTTP_HOST=host, **extra)
    assert response.status_code < 500, (method, host, path[:200], response.status_code)
    return response


@pytest.fixture
def citizen_client(in_tenant):
    from services.accounts.actions import do_sign_in_citizen

    client = Client()
    with in_tenant("kreis"):
        citizen = do_sign_in_citizen(identity={"pseudonym": "fuzz-citizen", "level": "high"})
        client.force_login(citizen.user)
    return client


def _fuzz_route(clients: list[Client], route: str, host: str) -> int:
    sent = 0
    # a route without parameters gives the same path for every segment: request it once
    segment_paths = dict.fromkeys(
        path
        for segment in ("abc", "²", "١٢٣", "a" * 2000, quote("ü ö/..;"))
        for path in _sample_paths(route, segment)
    )
    for client in clients:
        for path in segment_paths:
            _assert_no_server_error(client, "get", path, host)
            sent += 1
        for path in _sample_paths(route, "abc"):
            for value in ODD_VALUES:
                query = "&".join(f"{name}={value}" for name in PARAMETERS)
                _assert_no_server_error(client, "get", f"{path}?{query}", host)
                sent += 1
            # a NUL byte anywhere in the query or the path: refused before any view
            for query in ("q=abc%00def", "x%00=1", f"{PARAMETERS[1]}=%00"):
                answer = _assert_no_server_error(client, "get", f"{path}?{query}", host)
                assert answer.status_code == 400, (path, query, answer.status_code)
                sent += 1
            for nul_path in _sample_paths(route, "a%00b"):
                if "a%00b" in nul_path:
                    answer = _assert_no_server_error(client, "get", nul_path, host)
                    assert answer.status_code == 400, (nul_path, answer.status_code)
                    sent += 1
            # 100 kB in one parameter: too long for any link (414), not a crash
            answer = _assert_no_server_error(client, "get", f"{path}?q={'a' * 100_000}", host)
            assert answer.status_code == 414
            # a long value that is still a plausible link
            _assert_no_server_error(client, "get", f"{path}?q={'Hund ' * 700}", host)
            for body, content_type in (
                ("[" * 100_000 + "]" * 100_000, "application/json"),
                ('{"a":' * 50_000 + "1" + "}" * 50_000, "application/json"),
                ("\x00", "application/json"),
                ("q=abc%00&aktion=einreichen", "application/x-www-form-urlencoded"),
            ):
                _assert_no_server_error(
                    client, "post", path, host, data=body, content_type=content_type
                )
                sent += 1
            sent += 2
    return sent


CITIZEN_ROUTES = [r for r in TENANT_ROUTES if not r.startswith("cms/")]
ADMIN_ROUTES = [r for r in TENANT_ROUTES if r.startswith("cms/")]


@pytest.mark.parametrize("route", CITIZEN_ROUTES)
def test_no_tenant_route_answers_a_server_error_to_bad_input(route, citizen_client):
    assert _fuzz_route([Client(), citizen_client], route, KREIS) > 0


@pytest.mark.parametrize("route", PUBLIC_ROUTES)
def test_no_public_route_answers_a_server_error_to_bad_input(route):
    assert _fuzz_route([Client()], route, BASE) > 0


@pytest.mark.parametrize("route", DISTRICT_ADMIN_ROUTES)
def test_no_district_admin_route_answers_a_server_error_to_bad_input(route):
    assert _fuzz_route([Client()], route, f"admin.{BASE}") > 0


def test_no_admin_route_answers_a_server_error_to_a_nul_byte(client):
    for route in ADMIN_ROUTES:
        for path in _sample_paths(route, "a%00b") + [_sample_paths(route, "abc")[0] + "?q=%00"]:
            answer = _assert_no_server_error(client, "get", path, ERKELENZ)
            if "%00" in path:
                assert answer.status_code == 400, (path, answer.status_code)


def test_the_route_walk_reaches_the_routes_of_the_findings():
    """The walk is not empty by accident: the routes of the reported 500s are in it."""
    for route in (
        "leistungen/",
        "api/v1/services/<str:leika_key>/",
        "finder/",
        "liegenschaftsauskunft/",
        "zahlung/webhooks/<str:name>/",
    ):
        assert route in TENANT_ROUTES
    assert "auth/start/" in PUBLIC_ROUTES


@pytest.mark.parametrize(
    "path,host",
    [
        ("/leistungen/?q=abc%00def", ERKELENZ),
        ("/api/v1/services/a%00b/", ERKELENZ),
        ("/finder/?gemeinde=%00", KREIS),
        ("/liegenschaftsauskunft/?flur=%00", KREIS),
        ("/auth/start/?tenant=%00", BASE),
    ],
)
def test_reported_nul_bytes_are_a_clear_400(client, path, host):
    answer = client.get(path, HTTP_HOST=host)
    assert answer.status_code == 400
    if path.startswith("/api/"):
        assert answer.json()["detail"]
    else:
        assert "unzulässiges Zeichen" in answer.content.decode()


@pytest.mark.parametrize("value", ["²", "١٢", "12²"])
def test_non_ascii_digits_in_the_parcel_search_are_a_form_error(client, value):
    answer = client.get(f"/liegenschaftsauskunft/?flur={quote(value)}", HTTP_HOST=KREIS)
    assert answer.status_code == 400
    assert "keine gültige Nummer" in answer.content.decode()


def test_a_body_over_the_limit_is_refused_with_a_message(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    answer = client.post(
        "/antraege/hund-anmelden/",
        {"aktion": "einreichen", "rasse_oder_mischung": "x" * 4000},
        HTTP_HOST=ERKELENZ,
    )
    assert answer.status_code == 413
    assert "zu groß" in answer.content.decode()


# --- media paths ---------------------------------------------------------------------------


@pytest.fixture
def public_file_of_erkelenz():
    folder = Path(settings.MEDIA_ROOT) / "erkelenz" / "images"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hardening-probe.txt"
    path.write_bytes(b"public file of erkelenz")
    yield "images/hardening-probe.txt"
    path.unlink(missing_ok=True)


def test_public_media_is_served_on_its_own_host_only(client, public_file_of_erkelenz):
    own = client.get(f"/media/erkelenz/{public_file_of_erkelenz}", HTTP_HOST=ERKELENZ)
    assert own.status_code == 200
    assert _body(own) == b"public file of erkelenz"
    other = client.get(f"/media/erkelenz/{public_file_of_erkelenz}", HTTP_HOST=GANGELT)
    assert other.status_code == 404


@pytest.mark.parametrize(
    "template",
    [
        "/media/gangelt/../erkelenz/{name}",
        "/media/gangelt/%2e%2e/erkelenz/{name}",
        "/media/gangelt/%2E%2E/erkelenz/{name}",
        "/media/gangelt/..%2ferkelenz/{name}",
        "/media/gangelt/..%5cerkelenz/{name}",
        "/media/gangelt/.%2e/erkelenz/{name}",
        "/media/gangelt//../erkelenz/{name}",
        "/media/gangelt/./../erkelenz/{name}",
    ],
)
def test_path_traversal_to_another_tenants_media_is_refused(
    client, public_file_of_erkelenz, template
):
    path = template.format(name=public_file_of_erkelenz)
    answer = client.get(path, HTTP_HOST=GANGELT)
    assert answer.status_code in (400, 404), answer.status_code
    assert b"public file of erkelenz" not in _body(answer)
    # the same dot segments on the owner's host are refused too: no `..` at all
    same_host = client.get(path.replace("/gangelt/", "/erkelenz/", 1), HTTP_HOST=ERKELENZ)
    assert same_host.status_code in (400, 404)


# --- hosts --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["bad host", "a/b", "evil.com:abc", "[::1", "evil.com@x"])
def test_an_invalid_host_header_gets_a_400_page_with_security_headers(client, host):
    answer = client.get("/", HTTP_HOST=host)
    assert answer.status_code == 400
    assert answer.content.strip()
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in answer


def test_an_unknown_host_gets_a_404_page_with_security_headers(client):
    answer = client.get("/", HTTP_HOST="nirgendwo.example")
    assert answer.status_code == 404
    assert "Portal nicht gefunden" in answer.content.decode()
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in answer


# --- cached pages and CSRF ---------------------------------------------------------------


def test_a_cached_page_carries_no_csrf_token_and_its_language_switch_works():
    """The first visitor's token used to be cached with the page: the next visitor got no
    cookie and the language switch answered 403. Now the switch needs no token (it only sets
    the display language; kreisportal.views.set_language) and cached pages carry none."""
    first = Client(enforce_csrf_checks=True)
    page = first.get("/", HTTP_HOST=ERKELENZ)
    assert page.status_code == 200
    second = Client(enforce_csrf_checks=True)
    cached = second.get("/", HTTP_HOST=ERKELENZ)
    assert cached["X-Page-Cache"] == "hit"
    assert "csrftoken" not in cached.cookies
    assert "csrfmiddlewaretoken" not in cached.content.decode()
    switched = second.post("/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_HOST=ERKELENZ)
    assert switched.status_code == 302


def test_a_service_address_with_more_than_the_key_is_not_that_service(client, db):
    """The key used to be cut to 14 characters: /leistungen/<key>xyz/ showed the service."""
    from services.models import Service

    key = Service.objects.values_list("leika_key", flat=True).first()
    assert client.get(f"/leistungen/{key}/", HTTP_HOST=ERKELENZ).status_code == 200
    for suffix in ("xyz", "0", "%20"):
        answer = client.get(f"/leistungen/{key}{suffix}/", HTTP_HOST=ERKELENZ)
        assert answer.status_code == 404, suffix
