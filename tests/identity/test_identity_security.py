"""Every forged, stale or misdirected login is refused with a clear page and a log entry,
never a session."""

from __future__ import annotations

import base64
import re
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from saml2 import BINDING_HTTP_POST
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

from kreisportal.identity import saml
from kreisportal.identity.levels import LEVELS
from tests.support.sso import Browser, idp_login, query

BASE = settings.BASE_DOMAIN
PUBLIC = f"{BASE}:8000"
ERKELENZ = f"erkelenz.{BASE}:8000"


def _start(browser: Browser, tenant_host: str = ERKELENZ) -> str:
    """Begin a login; returns the IdP URL carrying the signed AuthnRequest."""
    start = browser.get(f"http://{tenant_host}/konto/anmelden/?next=/konto/")
    return browser.get(start["Location"])["Location"]


def _authn_request_id(idp_url: str) -> str:
    encoded = parse_qs(urlsplit(idp_url).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15).decode()
    return xml.split(' ID="', 1)[1].split('"', 1)[0]


def _response(
    idp,
    request_id: str,
    *,
    audience: str | None = None,
    sign: bool = True,
    in_response_to: str | None = None,
) -> str:
    persona = {
        "urn:oid:1.3.6.1.4.1.25484.494450.3": ["sandbox-bpk2-mallory"],
        "urn:oid:2.5.4.4": ["Mallory"],
    }
    response = idp.create_authn_response(
        persona,
        in_response_to=in_response_to or request_id,
        destination=f"{saml.public_base()}/saml/acs/",
        sp_entity_id=audience or saml.sp_entity_id(),
        userid="sandbox-bpk2-mallory",
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="sandbox-bpk2-mallory"),
        authn={"class_ref": LEVELS["high"][0], "authn_auth": saml.idp_entity_id()},
        sign_assertion=sign,
        sign_response=sign,
    )
    return base64.b64encode(str(response).encode()).decode()


def _post(browser: Browser, encoded: str):
    return browser.post(f"http://{PUBLIC}/saml/acs/", {"SAMLResponse": encoded})


def _assert_refused(browser: Browser, response, caplog, text: str):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert any("login refused" in r.getMessage() for r in caplog.records)
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 302  # no session anywhere


@pytest.fixture
def browser(db):
    return Browser()


def test_valid_response_is_accepted_once_then_refused_as_replay(browser, caplog):
    idp_url = _start(browser)
    acs_url, encoded = idp_login(browser, idp_url)
    assert _post(browser, encoded).status_code == 302
    other = Browser()
    _start(other)  # a fresh login in another browser, then the captured response replayed
    replay = other.post(f"http://{PUBLIC}/saml/acs/", {"SAMLResponse": encoded})
    assert replay.status_code == 400
    assert any("login refused" in r.getMessage() for r in caplog.records)


def test_tampered_attribute_is_refused(browser, caplog):
    acs_url, encoded = idp_login(browser, _start(browser))
    xml = base64.b64decode(encoded).decode().replace("Mustermann", "Musterfrau")
    _assert_refused(
        browser, _post(browser, base64.b64encode(xml.encode()).decode()), caplog, "ungültig"
    )


def test_forged_signature_is_refused(browser, caplog, tmp_path, settings):
    request_id = _authn_request_id(_start(browser))
    settings.KREISPORTAL_HOME = tmp_path  # the forger has keys of its own
    forger = saml.Server(
        config=saml.IdPConfig().load(saml._idp_settings(saml._metadata_pair(saml.public_base())[0]))
    )
    _assert_refused(browser, _post(browser, _response(forger, request_id)), caplog, "ungültig")


def test_unsigned_assertion_is_refused(browser, caplog):
    request_id = _authn_request_id(_start(browser))
    _assert_refused(
        browser,
        _post(browser, _response(saml.sandbox_idp(), request_id, sign=False)),
        caplog,
        "ungültig",
    )


def test_wrong_audience_is_refused(browser, caplog):
    """A correctly signed response, but made out to another service provider."""
    from saml2.metadata import entity_descriptor

    other_entity = "https://other-sp.example/metadata"
    other_settings = {**saml._sp_settings(None), "entityid": other_entity}
    other_meta = str(entity_descriptor(saml.SPConfig().load(other_settings)))
    idp_settings = saml._idp_settings(saml.sp_metadata())
    idp_settings["metadata"]["inline"].append(other_meta)
    idp = saml.Server(config=saml.IdPConfig().load(idp_settings))
    request_id = _authn_request_id(_start(browser))
    encoded = _response(idp, request_id, audience=other_entity)
    _assert_refused(browser, _post(browser, encoded), caplog, "ungültig")


def test_wrong_in_response_to_is_refused(browser, caplog):
    _start(browser)
    encoded = _response(saml.sandbox_idp(), "_not-our-request", in_response_to="_not-our-request")
    _assert_refused(browser, _post(browser, encoded), caplog, "ungültig")


def test_expired_response_is_refused(browser, caplog, monkeypatch):
    request_id = _authn_request_id(_start(browser))
    encoded = _response(saml.sandbox_idp(), request_id)
    from saml2 import time_util

    real_now = time_util.utc_now
    monkeypatch.setattr(time_util, "utc_now", lambda: real_now() + 3600)
    _assert_refused(browser, _post(browser, encoded), caplog, "ungültig")


def test_reused_code_and_code_on_another_tenant_are_refused(browser, caplog):
    start = browser.get(f"http://{ERKELENZ}/konto/anmelden/?next=/konto/")
    acs_url, encoded = idp_login(browser, browser.get(start["Location"])["Location"])
    callback = _post(browser, encoded)["Location"]
    params = query(callback)
    # presented to Gangelt first: refused (and Gangelt has no such login state either)
    gangelt = Browser()
    gangelt.get(f"http://gangelt.{BASE}:8000/konto/anmelden/")
    state = gangelt.client(f"gangelt.{BASE}:8000").session["login_state"]
    wrong = gangelt.get(
        f"http://gangelt.{BASE}:8000/konto/rueckkehr/?code={params['code']}&state={state}"
    )
    assert wrong.status_code == 400 and "gilt nicht für dieses Portal" in wrong.content.decode()
    # a misdirected code is burnt by the refusal (broker.py): Erkelenz cannot use it any more
    burnt = browser.get(callback)
    assert burnt.status_code == 400 and "bereits verwendet" in burnt.content.decode()
    # a code used once is refused the second time
    start = browser.get(f"http://{ERKELENZ}/konto/anmelden/?next=/konto/")
    callback = browser.get(start["Location"])["Location"]  # the broker's session: no IdP
    assert browser.get(callback).status_code == 302
    browser.get(f"http://{ERKELENZ}/konto/anmelden/")  # new state in the session
    state = browser.client(ERKELENZ).session["login_state"]
    code = query(callback)["code"]
    again = browser.get(f"http://{ERKELENZ}/konto/rueckkehr/?code={code}&state={state}")
    assert again.status_code == 400 and "bereits verwendet" in again.content.decode()


def test_callback_without_our_state_is_refused(browser):
    response = browser.get(f"http://{ERKELENZ}/konto/rueckkehr/?code=abc&state=xyz")
    assert response.status_code == 400


def test_session_cookie_flags(browser):
    response = browser.get(f"http://{ERKELENZ}/konto/anmelden/")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # `secure` follows SECURE_COOKIES, which production sets (plain http here)
    assert cookie["secure"] == ("" if not settings.SESSION_COOKIE_SECURE else True)


def test_sign_out_needs_post_with_csrf(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.get("/konto/abmelden/", HTTP_HOST=ERKELENZ).status_code == 405
    assert client.post("/konto/abmelden/", HTTP_HOST=ERKELENZ).status_code == 403


def test_login_start_is_rate_limited(browser, settings):
    from kreisportal.identity import views

    statuses = set()
    # twice the limit plus two: at least one per-minute window overflows even across a boundary
    for _ in range(2 * views.RATE_LIMIT + 2):
        response = browser.get(
            f"http://{PUBLIC}/auth/start/?tenant=erkelenz&state=abcdefghij&next=/konto/"
        )
        statuses.add(response.status_code)
    assert 429 in statuses


def test_sp_metadata_is_one_entity_for_the_whole_deployment(client, db):
    response = client.get("/saml/metadata/", HTTP_HOST=PUBLIC)
    xml = response.content.decode()
    assert response.status_code == 200 and f'entityID="{saml.sp_entity_id()}"' in xml
    assert "AssertionConsumerService" in xml and BINDING_HTTP_POST in xml
    assert "X509Certificate" in xml and 'AuthnRequestsSigned="true"' in xml
    # tenants have no SP of their own
    assert client.get("/saml/metadata/", HTTP_HOST=ERKELENZ).status_code == 404


def test_authn_request_asks_for_a_minimum_level_and_carries_the_akdb_extension(browser):
    encoded = parse_qs(urlsplit(_start(browser)).query)["SAMLRequest"][0]
    xml = zlib.decompress(base64.b64decode(encoded), -15).decode()
    assert 'Comparison="minimum"' in xml and "STORK-QAA-Level-1" in xml
    assert "AuthenticationRequest" in xml and "OrganizationDisplayName" in xml
    assert "Stadt Erkelenz" in xml and "urn:oid:2.5.4.42" in xml


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "javascript:alert(1)"]
)
def test_next_parameters_cannot_redirect_off_site(target):
    from kreisportal.http import safe_local_path

    assert safe_local_path(target) == "/konto/"
    assert safe_local_path("/leistungen/") == "/leistungen/"


def test_an_answer_posted_from_another_site_is_posted_again_from_ours(browser, caplog):
    """BundID's page posts the answer cross-site: the browser keeps our SameSite=Lax session
    cookie back. The ACS reads and stores nothing then, and posts the same answer on to itself
    (the real browser's journey: tests/identity/test_sign_in_flow.py)."""
    from django.test import Client

    from kreisportal.identity.models import ConsumedAssertion

    _, encoded = idp_login(browser, _start(browser))
    consumed = ConsumedAssertion.objects.count()
    without_cookie = Client(HTTP_HOST=PUBLIC).post(
        "/saml/acs/", {"SAMLResponse": encoded}, HTTP_HOST=PUBLIC
    )
    html = without_cookie.content.decode()
    assert without_cookie.status_code == 200 and "data-auto-submit" in html
    assert re.search(r'<form method="post" action="/saml/acs/"', html)
    assert f'name="SAMLResponse" value="{encoded}"' in html
    assert '<input type="hidden" name="kp_resent" value="1">' in html
    assert not without_cookie.cookies  # no new session: the citizen's own must come along
    assert "no-store" in without_cookie["Cache-Control"]
    assert ConsumedAssertion.objects.count() == consumed
    # posted on from our site, the session cookie comes along and the login completes
    done = browser.post(f"http://{PUBLIC}/saml/acs/", {"SAMLResponse": encoded, "kp_resent": "1"})
    assert done.status_code == 302 and done["Location"].startswith(f"http://{ERKELENZ}/")


def test_a_posted_on_answer_still_without_cookie_is_refused_not_posted_again(browser, caplog):
    """Cookies blocked: the answer comes back without the cookie once more. Refused, no loop."""
    from django.test import Client

    _, encoded = idp_login(browser, _start(browser))
    again = Client(HTTP_HOST=PUBLIC).post(
        "/saml/acs/", {"SAMLResponse": encoded, "kp_resent": "1"}, HTTP_HOST=PUBLIC
    )
    assert again.status_code == 400 and "data-auto-submit" not in again.content.decode()
    assert "Ihr Browser keine Cookies dieses Portals sendet" in again.content.decode()


def test_a_same_site_post_without_cookie_is_not_posted_again(browser):
    """Only a cross-site POST (or a browser that does not say) is posted on: from our own
    site, a missing cookie cannot come along the second time either."""
    from django.test import Client

    _, encoded = idp_login(browser, _start(browser))
    answer = Client(HTTP_HOST=PUBLIC).post(
        "/saml/acs/", {"SAMLResponse": encoded}, HTTP_HOST=PUBLIC, HTTP_SEC_FETCH_SITE="same-site"
    )
    assert answer.status_code == 400 and "data-auto-submit" not in answer.content.decode()


def test_the_posted_on_answer_is_still_bound_to_the_browser_that_started_the_login(browser, caplog):
    """An attacker's own valid answer, posted on with the victim's cookie (the re-post makes
    the ACS reachable by a same-site POST from any page): its InResponseTo names no request of
    the victim's session, so the victim is not signed in as the attacker."""
    attacker = Browser()
    _, attackers_answer = idp_login(attacker, _start(attacker))
    _start(browser)  # the victim's own login, outstanding in the victim's session
    posted_on = browser.post(
        f"http://{PUBLIC}/saml/acs/", {"SAMLResponse": attackers_answer, "kp_resent": "1"}
    )
    _assert_refused(browser, posted_on, caplog, "Die Anmeldeantwort ist ungültig")


def test_what_the_re_post_page_echoes_is_escaped(browser):
    from django.test import Client

    hostile = '"><script>alert(1)</script>'
    answer = Client(HTTP_HOST=PUBLIC).post(
        "/saml/acs/", {"SAMLResponse": hostile, "RelayState": hostile}, HTTP_HOST=PUBLIC
    )
    html = answer.content.decode()
    assert answer.status_code == 200 and "<script>alert(1)</script>" not in html
    assert html.count("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;") == 2
