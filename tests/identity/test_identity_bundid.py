"""BundID as its interface description specifies it: attributes by OID with each attribute's own
trust level, OnlineServiceId and OrganizationDisplayName per request, and re-authentication
(ForceAuthn) for binding steps at "substanziell" or higher. The IdP is the sandbox IdP or a
forged one at the HTTP boundary (signed responses posted to the ACS)."""

from __future__ import annotations

import base64
import re
import time
import zlib
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.conf import settings
from django.test import RequestFactory
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID

from kreisportal.identity import levels, saml, stepup
from services.accounts.access import (
    TrustCheck,
    consume_step_up,
    step_up_check,
    step_up_redirect,
    trust_check,
)
from services.accounts.models import Citizen
from tenants.models import Tenant
from tests.identity.test_identity_oidc import FakeProvider, provider  # noqa: F401 - the fake OIDC IdP
from tests.support.sso import Browser, idp_login, query, sign_in

BASE = settings.BASE_DOMAIN
PUBLIC = f"{BASE}:8000"
ERKELENZ = f"erkelenz.{BASE}:8000"
LEIKA = "99050012104000"  # a 14-digit LeiKa key (Hundesteuer Anmeldung)
ISSUE_OIDS = {
    "2.5.4.42",
    "2.5.4.4",
    "0.9.2342.19200300.100.1.3",
    "2.5.4.16",
    "2.5.4.17",
    "2.5.4.7",
    "1.2.40.0.10.2.1.1.55",
    "1.2.40.0.10.2.1.1.225577",
    "1.3.6.1.4.1.25484.494450.3",
    "1.2.40.0.10.2.1.1.261.94",
    "2.5.4.18",
    "1.3.6.1.4.1.25484.494450.4",
}


@pytest.fixture
def browser(db):
    return Browser()


def _authn_request(idp_url: str) -> str:
    encoded = parse_qs(urlsplit(idp_url).query)["SAMLRequest"][0]
    return zlib.decompress(base64.b64decode(encoded), -15).decode()


def _broker_start(browser: Browser, **params: str):
    query_string = "&".join(f"{k}={v}" for k, v in params.items())
    return browser.get(f"http://{PUBLIC}/auth/start/?{query_string}")


def test_request_names_service_and_tenant_and_asks_every_oid(browser):
    forced = _broker_start(
        browser,
        tenant="erkelenz",
        level="substantial",
        state="s" * 20,
        next="/antraege/hundesteuer/",
        service=LEIKA,
        force="1",
    )
    assert forced.status_code == 302
    xml = _authn_request(forced["Location"])
    assert 'ForceAuthn="true"' in xml
    assert re.search(rf"OnlineServiceId[^>]*>{LEIKA}<", xml)
    assert re.search(r"OrganizationDisplayName[^>]*>Stadt Erkelenz<", xml)
    assert "STORK-QAA-Level-3" in xml and 'Comparison="minimum"' in xml
    requested = set(re.findall(r'RequestedAttribute Name="urn:oid:([0-9.]+)"', xml))
    assert requested == ISSUE_OIDS
    required = re.findall(r'Name="urn:oid:([0-9.]+)" RequiredAttribute="true"', xml)
    assert required == ["1.3.6.1.4.1.25484.494450.3"]  # only bPK2 is indispensable

    plain = _broker_start(browser, tenant="erkelenz", level="basic", state="t" * 20)
    xml = _authn_request(plain["Location"])
    assert "ForceAuthn" not in xml
    assert re.search(r"OnlineServiceId[^>]*>kreisportal:erkelenz<", xml)

    assert (
        _broker_start(browser, tenant="erkelenz", state="u" * 20, service="123").status_code == 400
    )
    no_service = _broker_start(browser, tenant="erkelenz", state="v" * 20, force="1")
    assert no_service.status_code == 400
    assert "immer einer Leistung" in no_service.content.decode()


def test_sandbox_attributes_by_oid_and_the_mailbox_handle(browser, in_tenant):
    sign_in(browser, ERKELENZ, persona="erika", level="substantial")
    with in_tenant("erkelenz"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-erika-0001")
        # stored as a delivery address for the ZBP channel, never used to find the citizen
        assert citizen.mailbox_handle == "sandbox-postkorb-erika-0001"
        assert citizen.street == "Heidestraße 17"


def _forged_response(request_id: str, *, class_ref: str, assurance: str, instant=None) -> str:
    idp = saml.sandbox_idp()
    idp.attribute_levels = {
        "urn:oid:2.5.4.4": "HOCH",
        "urn:oid:0.9.2342.19200300.100.1.3": "UNTERGEORDNET",
    }
    authn = {"class_ref": class_ref, "authn_auth": saml.idp_entity_id()}
    if instant is not None:
        authn["authn_instant"] = instant
    response = idp.create_authn_response(
        {
            "urn:oid:1.3.6.1.4.1.25484.494450.3": ["sandbox-bpk2-forged-7"],
            "urn:oid:2.5.4.4": ["Probe"],
            "urn:oid:0.9.2342.19200300.100.1.3": ["p@sandbox.example"],
            "urn:oid:1.2.40.0.10.2.1.1.261.94": [assurance],
            "urn:oid:1.2.40.0.10.2.1.1.225577": ["DE"],
            "urn:oid:2.5.4.18": ["postkorb-forged-7"],
        },
        in_response_to=request_id,
        destination=f"{saml.public_base()}/saml/acs/",
        sp_entity_id=saml.sp_entity_id(),
        userid="sandbox-bpk2-forged-7",
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text="sandbox-bpk2-forged-7"),
        authn=authn,
        sign_assertion=True,
        sign_response=True,
    )
    return base64.b64encode(str(response).encode()).decode()


def _request_id(idp_url: str) -> str:
    return _authn_request(idp_url).split(' ID="', 1)[1].split('"', 1)[0]


def test_the_lower_of_context_and_trust_level_attribute_counts(browser, in_tenant):
    start = browser.get(f"http://{ERKELENZ}/konto/anmelden/?next=/konto/")
    idp_url = browser.get(start["Location"])["Location"]
    encoded = _forged_response(
        _request_id(idp_url), class_ref="STORK-QAA-Level-4", assurance="STORK-QAA-Level-1"
    )
    back = browser.post(f"http://{PUBLIC}/saml/acs/", {"SAMLResponse": encoded})
    assert back.status_code == 302
    identity = browser.client(PUBLIC).session["identity"]
    assert identity["level"] == "basic"
    assert identity["attribute_levels"] == {"family_name": "high", "email": "basic"}
    assert identity["nationality"] == "DE" and identity["assurance"] == "STORK-QAA-Level-1"
    assert browser.get(back["Location"]).status_code == 302
    with in_tenant("erkelenz"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-forged-7")
        assert citizen.trust_level == "basic"
        assert citizen.mailbox_handle == "postkorb-forged-7"


def test_forced_login_answered_with_an_old_authentication_is_refused(browser, caplog):
    forced = _broker_start(
        browser,
        tenant="erkelenz",
        level="substantial",
        state="w" * 20,
        next="/konto/",
        service=LEIKA,
        force="1",
    )
    encoded = _forged_response(
        _request_id(forced["Location"]),
        class_ref="STORK-QAA-Level-3",
        assurance="STORK-QAA-Level-3",
        instant=int(time.time()) - 3600,  # the IdP's single sign-on from an hour ago
    )
    refused = browser.post(f"http://{PUBLIC}/saml/acs/", {"SAMLResponse": encoded})
    assert refused.status_code == 400
    assert "erneute Anmeldung wurde vom Identitätsprovider nicht bestätigt" in (
        refused.content.decode()
    )
    assert any("ForceAuthn" in record.getMessage() for record in caplog.records)


def _tenant_request(browser: Browser, path: str, citizen: Citizen):
    request = RequestFactory().get(path, HTTP_HOST=ERKELENZ)
    request.session = browser.client(ERKELENZ).session
    request.tenant = Tenant.objects.get(slug="erkelenz")
    request.user = citizen.user
    return request


def test_binding_step_re_authenticates_for_its_service_only(browser, in_tenant):
    sign_in(browser, ERKELENZ, persona="erika", level="substantial")
    # single sign-on still works for browsing at the same level
    again = _broker_start(browser, tenant="erkelenz", level="substantial", state="x" * 20)
    assert "/konto/rueckkehr/" in again["Location"]

    with in_tenant("erkelenz"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-erika-0001")
        form_page = "/antraege/hundesteuer/"
        request = _tenant_request(browser, form_page, citizen)
        check = step_up_check(request, service_key=LEIKA, required="substantial")
        assert not check.ok  # signed in at substanziell, but not re-authenticated for it
        assert trust_check(request, "substantial").ok  # browsing is fine
        start = step_up_redirect(request, check)
        request.session.save()
    broker = browser.get(start["Location"])
    assert "/sandbox-idp/sso/" in broker["Location"]  # the broker's SSO is not reused
    page = browser.get(broker["Location"]).content.decode()
    assert "Erneute Anmeldung verlangt" in page
    assert "Stadt Erkelenz" in page and f"Online-Dienst {LEIKA}" in page
    assert "ELSTER-Zertifikat, STORK-QAA-Level-3" in page
    assert "Benutzername und Passwort, STORK-QAA-Level-1" in page
    assert "Online-Ausweis (eID), STORK-QAA-Level-4" in page
    acs_url, response = idp_login(browser, broker["Location"], "erika")
    back = browser.post(acs_url, {"SAMLResponse": response})
    landed = browser.get(back["Location"])
    assert landed.status_code == 302
    next_path = landed["Location"]
    assert next_path.startswith(f"{form_page}?{stepup.PARAM}=")

    with in_tenant("erkelenz"):
        proof = query(next_path)[stepup.PARAM]
        assert stepup.verify(proof, tenant_slug="gangelt", pseudonym=citizen.pseudonym) is None
        assert stepup.verify(proof, tenant_slug="erkelenz", pseudonym="someone-else") is None
        request = _tenant_request(browser, next_path, citizen)
        assert step_up_check(request, service_key=LEIKA, required="substantial").ok
        request.session.save()
        # remembered for this service (the submission's POST carries no proof) …
        later = _tenant_request(browser, form_page, citizen)
        assert step_up_check(later, service_key=LEIKA, required="substantial").ok
        # … but not for another service, nor above the level reached
        assert not step_up_check(later, service_key="99001001000000", required="substantial").ok
        assert not step_up_check(later, service_key=LEIKA, required="high").ok
        # a proof for another service does not count for this one
        other = _tenant_request(browser, f"/x/?{stepup.PARAM}={proof}", citizen)
        assert not step_up_check(other, service_key="99001001000000", required="substantial").ok
        consume_step_up(later, LEIKA)
        assert not step_up_check(later, service_key=LEIKA, required="substantial").ok
        # below substanziell there is no step-up: the session's level decides
        assert step_up_check(later, service_key=LEIKA, required="basic").ok


def test_trust_level_names_say_how_one_signs_in():
    assert levels.describe("basic") == (
        "basisregistriert – Benutzername und Passwort (STORK-QAA-Level-1)"
    )
    assert levels.describe("substantial") == (
        "substanziell – ELSTER-Zertifikat (STORK-QAA-Level-3)"
    )
    assert levels.describe("high") == "hoch – Online-Ausweis (eID) (STORK-QAA-Level-4)"
    assert not levels.needs_step_up("basic")
    assert levels.needs_step_up("substantial") and levels.needs_step_up("high")
    check = TrustCheck(required="substantial", reached="basic", next_path="/")
    assert check.required_description == "substanziell – ELSTER-Zertifikat (STORK-QAA-Level-3)"


def _oidc_code(fake: FakeProvider, params: dict, *, auth_time: int | None) -> str:
    now = int(time.time())
    claims = {
        "iss": fake.issuer,
        "aud": "kreisportal",
        "sub": "oidc-person-42",
        "iat": now,
        "exp": now + 300,
        "nonce": params["nonce"],
        "acr": "http://eidas.europa.eu/LoA/substantial",
        "family_name": "Offen",
    }
    if auth_time is not None:
        claims["auth_time"] = auth_time
    token = jwt.encode(claims, fake.key, algorithm="RS256", headers={"kid": "k1"})
    code = f"code-{now}-{auth_time}"
    fake.codes[code] = {"id_token": token, "challenge": params["code_challenge"]}
    return code


@pytest.mark.parametrize("auth_time", ["fresh", "old", "missing"])
def test_oidc_binding_step_asks_for_a_new_login_and_checks_auth_time(
    db,
    provider,  # noqa: F811 - the fixture imported from tests.identity.test_identity_oidc
    auth_time,
):
    browser = Browser()
    start = _broker_start(
        browser,
        tenant="erkelenz",
        level="substantial",
        state="y" * 20,
        next="/antraege/hundesteuer/",
        service=LEIKA,
        force="1",
    )
    params = query(start["Location"])
    assert params["prompt"] == "login" and params["max_age"] == "0"
    instant = {"fresh": int(time.time()), "old": int(time.time()) - 3600, "missing": None}
    code = _oidc_code(provider, params, auth_time=instant[auth_time])
    back = browser.get(f"http://{PUBLIC}/oidc/callback/?code={code}&state={params['state']}")
    if auth_time == "fresh":
        assert back.status_code == 302
        next_path = query(back["Location"])["next"]
        assert next_path.startswith(f"/antraege/hundesteuer/?{stepup.PARAM}=")
    else:
        assert back.status_code == 400
