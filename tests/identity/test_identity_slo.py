"""SAML 2.0 Single Logout at the HTTP boundary, with the sandbox IdP (pysaml2's Server) as the
identity provider: "Abmelden (überall)" asks the IdP too and says what happened; the IdP's
LogoutRequest ends that citizen's portal sessions; forged, unsigned and unexpected messages are
refused and change nothing.

The messages are real SAML: HTTP-Redirect binding (deflated, base64 `SAMLRequest` or
`SAMLResponse`, `SigAlg` rsa-sha256 and `Signature` over the query string, the SAML profile's
section 3.4.4.1) and HTTP-POST binding (base64 XML with an enveloped XML signature)."""

from __future__ import annotations

import base64
import json
import re
import zlib
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.core import signing
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NameID
from saml2.samlp import (
    STATUS_SUCCESS,
    STATUS_UNKNOWN_PRINCIPAL,
    logout_request_from_string,
    logout_response_from_string,
)

from kreisportal.identity import saml, slo
from kreisportal.identity.broker import issue_logout_proof, redeem_logout_proof
from kreisportal.identity.models import SamlLogin, TenantSession
from tests.support.sso import Browser, query, sign_in

BASE = settings.BASE_DOMAIN
PUBLIC = f"{BASE}:8000"
ERKELENZ = f"erkelenz.{BASE}:8000"
HEINSBERG = f"heinsberg.{BASE}:8000"
ERIKA = "sandbox-bpk2-erika-0001"
MAX = "sandbox-bpk2-max-0002"


@pytest.fixture
def browser(db):
    return Browser()


def _logins(visitor: Browser):
    """The SAML logins of this browser's broker session (browser tests elsewhere may leave
    committed rows of their own)."""
    cookie = visitor.client(PUBLIC).cookies.get(settings.SESSION_COOKIE_NAME)
    return SamlLogin.objects.filter(broker_session_key=cookie.value if cookie else "-")


def _signed_in(visitor: Browser, tenant_host: str) -> bool:
    return visitor.get(f"http://{tenant_host}/konto/").status_code == 200


def _decoded(url: str, kind: str) -> str:
    """The XML of a Redirect-binding message."""
    encoded = parse_qs(urlsplit(url).query)[kind][0]
    return zlib.decompress(base64.b64decode(encoded), -15).decode()


def _local(url: str) -> str:
    """An absolute URL on the public host, as the test client's path."""
    parts = urlsplit(url)
    return f"http://{PUBLIC}{parts.path}{'?' + parts.query if parts.query else ''}"


def _sign_out_at_tenant(visitor: Browser, tenant_host: str = ERKELENZ):
    """The tenant's "Abmelden (überall)" (POST) and the broker's answer to its redirect."""
    out = visitor.post(f"http://{tenant_host}/konto/abmelden/", {})
    assert out.status_code == 302 and "/auth/logout/" in out["Location"]
    return visitor.get(out["Location"])


def _forger(tmp_path, settings):
    """An IdP with the sandbox's entity id but keys of its own."""
    metadata = saml._metadata_pair(saml.public_base())[0]
    settings.KREISPORTAL_HOME = tmp_path
    return saml.Server(config=saml.IdPConfig().load(saml._idp_settings(metadata)))


def _idp_logout_request(idp, *, name_id: str, binding: str, sign: bool = True) -> dict:
    """A LogoutRequest of `idp` for the SP, as the query (Redirect) or form (POST) data."""
    location = f"{saml.public_base()}/saml/slo/"
    sign_post = sign and binding == BINDING_HTTP_POST
    request_id, request = idp.create_logout_request(
        location,
        saml.sp_entity_id(),
        name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=name_id),
        sign=sign_post,
        sign_alg=slo.SIGALG,
        digest_alg=slo.DIGEST,
    )
    if binding == BINDING_HTTP_POST:
        return {"SAMLRequest": base64.b64encode(str(request).encode()).decode()}
    info = idp.apply_binding(binding, str(request), location, "", sign=sign, sigalg=slo.SIGALG)
    return {k: v[0] for k, v in parse_qs(urlsplit(dict(info["headers"])["Location"]).query).items()}


# --- metadata ---------------------------------------------------------------------------------


def test_both_metadata_advertise_single_logout(browser):
    sp = browser.get(f"http://{PUBLIC}/saml/metadata/").content.decode()
    for binding in (BINDING_HTTP_REDIRECT, BINDING_HTTP_POST):
        assert re.search(
            rf'SingleLogoutService Binding="{binding}" Location="[^"]*/saml/slo/"', sp
        ), sp
    idp = browser.get(f"http://{PUBLIC}/sandbox-idp/metadata/").content.decode()
    assert re.search(
        rf'SingleLogoutService Binding="{BINDING_HTTP_REDIRECT}" Location="[^"]*/sandbox-idp/slo/"',
        idp,
    )


# --- SP-initiated -----------------------------------------------------------------------------


def test_sign_out_everywhere_ends_the_idp_session_too(browser):
    sign_in(browser, ERKELENZ)
    start = browser.get(f"http://{HEINSBERG}/konto/anmelden/")
    browser.get(browser.get(start["Location"])["Location"])  # single sign-on, no IdP
    assert _signed_in(browser, ERKELENZ) and _signed_in(browser, HEINSBERG)
    with_session = _logins(browser).get()
    broker_key = with_session.broker_session_key
    assert with_session.session_index and ERIKA not in str(with_session.__dict__)

    to_idp = _sign_out_at_tenant(browser)
    # the portal sessions end before the IdP is asked
    assert not _signed_in(browser, ERKELENZ) and not _signed_in(browser, HEINSBERG)
    assert to_idp.status_code == 302 and "/sandbox-idp/slo/?SAMLRequest=" in to_idp["Location"]
    query = parse_qs(urlsplit(to_idp["Location"]).query)
    assert query["SigAlg"] == [slo.SIGALG] and query["Signature"][0]
    request = logout_request_from_string(_decoded(to_idp["Location"], "SAMLRequest"))
    assert request.name_id.text == ERIKA
    assert [index.text for index in request.session_index] == [with_session.session_index]
    assert request.issuer.text == saml.sp_entity_id()
    assert not SamlLogin.objects.filter(broker_session_key=broker_key).exists()

    # the sandbox IdP ends its own session and answers, signed, over the Redirect binding
    answer = browser.get(_local(to_idp["Location"]))
    assert answer.status_code == 302 and "/saml/slo/?SAMLResponse=" in answer["Location"]
    assert answer.cookies[slo.SANDBOX_COOKIE].value == ""  # deleted
    response = logout_response_from_string(_decoded(answer["Location"], "SAMLResponse"))
    assert response.in_response_to == request.id
    assert response.status.status_code.value == STATUS_SUCCESS

    done = browser.get(_local(answer["Location"]))
    assert done.status_code == 302 and done["Location"] == f"http://{ERKELENZ}/konto/abgemeldet/"
    page = browser.get(done["Location"]).content.decode()
    assert "allen anderen Portalen" in page and "Identitätsprovider" in page
    # the same answer again: nothing outstanding any more
    assert browser.get(_local(answer["Location"])).status_code == 400

    # the next "Anmelden" reaches the IdP's persona page, with no session there
    start = browser.get(f"http://{ERKELENZ}/konto/anmelden/")
    idp_page = browser.get(browser.get(start["Location"])["Location"])
    assert idp_page.status_code == 200 and "Testperson wählen" in idp_page.content.decode()
    assert "angemeldet als" not in idp_page.content.decode()


def test_the_sandbox_idp_shows_its_own_session(browser):
    """The sandbox IdP remembers who signed in there (as BundID does); Single Logout ends that
    (see above). A request for a higher level brings the citizen back to it."""
    sign_in(browser, ERKELENZ)
    start = browser.get(f"http://{HEINSBERG}/konto/anmelden/?level=high")
    idp_page = browser.get(browser.get(start["Location"])["Location"]).content.decode()
    assert "Beim Sandbox-Identitätsprovider angemeldet als" in idp_page
    assert "Erika Mustermann" in idp_page


def test_idp_refusal_is_said_honestly(browser):
    """The IdP's session belongs to someone else: it answers UnknownPrincipal, keeps it, and
    the citizen learns that the portals are signed out but the IdP may not be."""
    sign_in(browser, ERKELENZ)
    idp_client = browser.client(PUBLIC)
    idp_client.cookies[slo.SANDBOX_COOKIE] = signing.dumps(
        json.dumps({"name_id": MAX, "label": "Max Beispiel"}), salt=slo.SANDBOX_SALT
    )
    to_idp = _sign_out_at_tenant(browser)
    answer = browser.get(_local(to_idp["Location"]))
    assert slo.SANDBOX_COOKIE not in answer.cookies  # its own session stays
    response = logout_response_from_string(_decoded(answer["Location"], "SAMLResponse"))
    assert response.status.status_code.status_code.value == STATUS_UNKNOWN_PRINCIPAL
    page = browser.get(_local(answer["Location"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sie sind in den Portalen abgemeldet" in text
    assert "hat die Abmeldung nicht bestätigt" in text and "kann noch bestehen" in text
    assert not _signed_in(browser, ERKELENZ)


def test_an_idp_without_single_logout_is_said_honestly(browser, settings, tmp_path):
    metadata = saml._metadata_pair(saml.public_base())[1]
    without = re.sub(r"<ns\d:SingleLogoutService [^>]*/>", "", metadata)
    assert "SingleLogoutService" not in without
    path = tmp_path / "idp.xml"
    path.write_text(without, encoding="utf-8")
    sign_in(browser, ERKELENZ)
    settings.SAML_IDP_METADATA_FILE = str(path)
    saml._metadata_pair.cache_clear()
    try:
        page = _sign_out_at_tenant(browser)
    finally:
        saml._metadata_pair.cache_clear()
    text = page.content.decode()
    assert page.status_code == 200 and "Der Identitätsanbieter wurde nicht benachrichtigt" in text
    assert "Zurück zum Portal" in text and f'href="http://{ERKELENZ}/"' in text
    assert not _signed_in(browser, ERKELENZ)


def test_logout_response_to_a_request_not_made_here_is_refused(browser):
    other = Browser()
    sign_in(other, ERKELENZ, persona="max")
    to_idp_other = _sign_out_at_tenant(other)
    foreign_answer = other.get(_local(to_idp_other["Location"]))["Location"]

    sign_in(browser, ERKELENZ)
    to_idp = _sign_out_at_tenant(browser)
    # a genuine, signed answer, but to the other browser's request
    refused = browser.get(_local(foreign_answer))
    assert refused.status_code == 400 and "keiner Abmeldung" in refused.content.decode()
    # a signed answer with an InResponseTo nobody sent
    idp = saml.sandbox_idp()
    request = logout_request_from_string(_decoded(to_idp["Location"], "SAMLRequest"))
    request.id = "id-never-sent"
    response = idp.create_logout_response(request, bindings=[BINDING_HTTP_REDIRECT])
    info = idp.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        saml.sp_slo_url(),
        "",
        response=True,
        sign=True,
        sigalg=slo.SIGALG,
    )
    assert browser.get(_local(dict(info["headers"])["Location"])).status_code == 400
    # the genuine answer to this browser's request still completes the logout
    done = browser.get(_local(browser.get(_local(to_idp["Location"]))["Location"]))
    assert done["Location"] == f"http://{ERKELENZ}/konto/abgemeldet/"


def test_forged_or_unsigned_logout_response_is_not_believed(browser, tmp_path, settings):
    sign_in(browser, ERKELENZ)
    to_idp = _sign_out_at_tenant(browser)
    request = logout_request_from_string(_decoded(to_idp["Location"], "SAMLRequest"))
    genuine = browser.get(_local(to_idp["Location"]))["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(genuine).query).items()}
    unsigned = {"SAMLResponse": query["SAMLResponse"]}
    page = browser.get(f"http://{PUBLIC}/saml/slo/?{urlencode(unsigned)}")
    assert page.status_code == 400 and "ungültig" in page.content.decode()
    forger = _forger(tmp_path, settings)
    forged = forger.create_logout_response(
        request, bindings=[BINDING_HTTP_POST], sign=True, sign_alg=slo.SIGALG
    )
    posted = browser.post(
        f"http://{PUBLIC}/saml/slo/",
        {"SAMLResponse": base64.b64encode(str(forged).encode()).decode()},
    )
    assert posted.status_code == 400 and "ungültig" in posted.content.decode()
    unsigned_post = saml.sandbox_idp().create_logout_response(
        request, bindings=[BINDING_HTTP_POST], sign=False
    )
    posted = browser.post(
        f"http://{PUBLIC}/saml/slo/",
        {"SAMLResponse": base64.b64encode(str(unsigned_post).encode()).decode()},
    )
    assert posted.status_code == 400 and "ungültig" in posted.content.decode()
    # none was taken for the answer: the genuine one still is
    done = browser.get(_local(genuine))
    assert done["Location"] == f"http://{ERKELENZ}/konto/abgemeldet/"


def test_a_logout_link_from_elsewhere_only_asks(browser):
    """A GET of /auth/logout/ that the tenant did not send (its own session still open) ends
    nothing: it asks, and the ending is a POST with the broker's CSRF token."""
    sign_in(browser, ERKELENZ)
    asked = browser.get(f"http://{PUBLIC}/auth/logout/?tenant=erkelenz")
    assert asked.status_code == 200
    html = asked.content.decode()
    assert 'method="post" action="/auth/logout/"' in html and "csrfmiddlewaretoken" in html
    assert _signed_in(browser, ERKELENZ) and _logins(browser).exists()
    browser.client(PUBLIC).handler.enforce_csrf_checks = True
    forged = browser.post(f"http://{PUBLIC}/auth/logout/", {"tenant": "erkelenz"})
    assert forged.status_code == 403 and _signed_in(browser, ERKELENZ)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    confirmed = browser.post(
        f"http://{PUBLIC}/auth/logout/", {"tenant": "erkelenz", "csrfmiddlewaretoken": token}
    )
    assert confirmed.status_code == 302 and "/sandbox-idp/slo/" in confirmed["Location"]
    assert not _signed_in(browser, ERKELENZ)


# --- IdP-initiated ----------------------------------------------------------------------------


@pytest.mark.parametrize("binding", [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST])
def test_idp_initiated_logout_ends_that_citizens_sessions_only(browser, binding):
    sign_in(browser, ERKELENZ)
    start = browser.get(f"http://{HEINSBERG}/konto/anmelden/")
    browser.get(browser.get(start["Location"])["Location"])
    bystander = Browser()
    sign_in(bystander, ERKELENZ, persona="max")

    # front channel, but in a client with none of our cookies: the NameID finds the sessions
    idp_side = Browser()
    data = _idp_logout_request(saml.sandbox_idp(), name_id=ERIKA, binding=binding)
    if binding == BINDING_HTTP_REDIRECT:
        answer = idp_side.get(f"http://{PUBLIC}/saml/slo/?{urlencode(data)}")
        assert answer.status_code == 302 and "/sandbox-idp/slo/?SAMLResponse=" in answer["Location"]
        parts = {k: v[0] for k, v in parse_qs(urlsplit(answer["Location"]).query).items()}
        message = slo.Incoming(
            binding,
            "SAMLResponse",
            parts["SAMLResponse"],
            None,
            parts["SigAlg"],
            parts["Signature"],
        )
    else:
        answer = idp_side.post(f"http://{PUBLIC}/saml/slo/", data)
        html = answer.content.decode()
        assert answer.status_code == 200 and "data-auto-submit" in html
        assert f'action="{saml.public_base()}/sandbox-idp/slo/"' in html
        encoded = re.search(r'name="SAMLResponse" value="([^"]+)"', html).group(1)
        assert ":SignatureValue>" in base64.b64decode(encoded).decode()  # XML-signed
        message = slo.Incoming(binding, "SAMLResponse", encoded, None, None, None)
    # the SP's answer is signed (verified as the IdP would) and says Success
    idp = saml.sandbox_idp()
    verified = slo._parse_response(
        idp, message, issuer=saml.sp_entity_id(), endpoint=f"{saml.public_base()}/sandbox-idp/slo/"
    )
    assert verified.success

    assert not _signed_in(browser, ERKELENZ) and not _signed_in(browser, HEINSBERG)
    broker_again = browser.get(browser.get(f"http://{ERKELENZ}/konto/anmelden/")["Location"])
    assert "/sandbox-idp/sso/" in broker_again["Location"]  # the broker's login is gone too
    assert _signed_in(bystander, ERKELENZ)  # another citizen keeps theirs
    assert _logins(bystander).count() == 1
    assert not SamlLogin.objects.filter(name_id_hash=slo.name_id_hash(ERIKA)).exists()


@pytest.mark.parametrize(
    "fault", ["unsigned-redirect", "unsigned-post", "forged-redirect", "forged-post", "tampered"]
)
def test_forged_or_unsigned_logout_request_is_refused(browser, fault, tmp_path, settings):
    sign_in(browser, ERKELENZ)
    binding = BINDING_HTTP_POST if fault.endswith("post") else BINDING_HTTP_REDIRECT
    if fault.startswith("forged"):
        idp = _forger(tmp_path, settings)
    else:
        idp = saml.sandbox_idp()
    data = _idp_logout_request(
        idp, name_id=ERIKA, binding=binding, sign=not fault.startswith("unsigned")
    )
    if fault == "tampered":  # a signed request for Max, its NameID changed to Erika's
        data = _idp_logout_request(idp, name_id=MAX, binding=binding)
        xml = zlib.decompress(base64.b64decode(data["SAMLRequest"]), -15).decode()
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        tampered = deflate.compress(xml.replace(MAX, ERIKA).encode()) + deflate.flush()
        data["SAMLRequest"] = base64.b64encode(tampered).decode()
    if binding == BINDING_HTTP_POST:
        refused = Browser().post(f"http://{PUBLIC}/saml/slo/", data)
    else:
        refused = Browser().get(f"http://{PUBLIC}/saml/slo/?{urlencode(data)}")
    assert refused.status_code == 400
    assert "Die Abmeldeanfrage ist ungültig" in refused.content.decode()
    assert _signed_in(browser, ERKELENZ) and _logins(browser).count() == 1


def test_sandbox_idp_refuses_an_unsigned_logout_request(browser):
    sign_in(browser, ERKELENZ)
    to_idp = _sign_out_at_tenant(browser)
    parts = {k: v[0] for k, v in parse_qs(urlsplit(to_idp["Location"]).query).items()}
    unsigned = browser.get(
        f"http://{PUBLIC}/sandbox-idp/slo/?{urlencode({'SAMLRequest': parts['SAMLRequest']})}"
    )
    assert unsigned.status_code == 400
    assert slo.SANDBOX_COOKIE not in unsigned.cookies  # its session stays
    assert browser.get(f"http://{PUBLIC}/sandbox-idp/slo/").status_code == 400


def test_a_get_without_a_saml_message_changes_nothing(browser):
    sign_in(browser, ERKELENZ)
    assert browser.get(f"http://{PUBLIC}/saml/slo/").status_code == 400
    assert browser.get(f"http://{PUBLIC}/saml/slo/?SAMLRequest=bm9uc2Vuc2U%3D").status_code == 400
    assert _signed_in(browser, ERKELENZ)


def test_an_answer_posted_without_our_cookie_is_matched_to_our_request_once(browser):
    """An IdP that posts its LogoutResponse cross-site: the SameSite=Lax session cookie stays
    behind, so the signed answer is matched to the LogoutRequest this server sent."""
    sign_in(browser, ERKELENZ)
    to_idp = _sign_out_at_tenant(browser)
    request = logout_request_from_string(_decoded(to_idp["Location"], "SAMLRequest"))
    response = saml.sandbox_idp().create_logout_response(
        request, bindings=[BINDING_HTTP_POST], sign=True, sign_alg=slo.SIGALG
    )
    form = {"SAMLResponse": base64.b64encode(str(response).encode()).decode()}
    cookieless = Browser()
    done = cookieless.post(f"http://{PUBLIC}/saml/slo/", form)
    assert done.status_code == 302 and done["Location"] == f"http://{ERKELENZ}/konto/abgemeldet/"
    assert Browser().post(f"http://{PUBLIC}/saml/slo/", form).status_code == 400  # once


def test_a_replayed_idp_logout_request_is_refused(browser):
    data = _idp_logout_request(saml.sandbox_idp(), name_id=ERIKA, binding=BINDING_HTTP_REDIRECT)
    url = f"http://{PUBLIC}/saml/slo/?{urlencode(data)}"
    assert Browser().get(url).status_code == 302
    sign_in(browser, ERKELENZ)  # signed in again afterwards: the old request must not end it
    replayed = Browser().get(url)
    assert replayed.status_code == 400 and "bereits verarbeitet" in replayed.content.decode()
    assert _signed_in(browser, ERKELENZ)


def test_sp_initiated_round_trip_over_the_post_binding(browser, settings, tmp_path):
    """An IdP whose metadata offers Single Logout only over HTTP-POST: the LogoutRequest goes
    as a form that posts itself (XML-signed), and so does the sandbox IdP's answer."""
    metadata = saml._metadata_pair(saml.public_base())[1]
    post_only = re.sub(
        rf'<ns\d:SingleLogoutService Binding="{BINDING_HTTP_REDIRECT}"[^>]*/>', "", metadata
    )
    assert post_only.count("SingleLogoutService") == 1
    path = tmp_path / "idp.xml"
    path.write_text(post_only, encoding="utf-8")
    sign_in(browser, ERKELENZ)
    settings.SAML_IDP_METADATA_FILE = str(path)
    saml._metadata_pair.cache_clear()
    try:
        form = _sign_out_at_tenant(browser)
        html = form.content.decode()
        assert form.status_code == 200 and "data-auto-submit" in html
        assert f'action="{saml.public_base()}/sandbox-idp/slo/"' in html
        encoded = re.search(r'name="SAMLRequest" value="([^"]+)"', html).group(1)
        request = logout_request_from_string(base64.b64decode(encoded).decode())
        assert request.name_id.text == ERIKA and request.signature is not None
        assert not _signed_in(browser, ERKELENZ)
        answer = browser.post(f"http://{PUBLIC}/sandbox-idp/slo/", {"SAMLRequest": encoded})
        assert answer.cookies[slo.SANDBOX_COOKIE].value == ""  # the IdP's session ended
        answer_html = answer.content.decode()
        assert answer.status_code == 200 and f'action="{saml.sp_slo_url()}"' in answer_html
        saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', answer_html).group(1)
        done = browser.post(f"http://{PUBLIC}/saml/slo/", {"SAMLResponse": saml_response})
    finally:
        saml._metadata_pair.cache_clear()
    assert done.status_code == 302 and done["Location"] == f"http://{ERKELENZ}/konto/abgemeldet/"


# --- the tenant's sign-out proof (CSRF on the GET of /auth/logout/) ------------------------------


def _signed_in_at_both(visitor: Browser) -> None:
    sign_in(visitor, ERKELENZ)
    start = visitor.get(f"http://{HEINSBERG}/konto/anmelden/")
    visitor.get(visitor.get(start["Location"])["Location"])
    assert _signed_in(visitor, ERKELENZ) and _signed_in(visitor, HEINSBERG)


def test_a_logout_link_after_account_deletion_only_asks(browser):
    """Deleting the account at one portal ends its session there, as its sign-out does; a
    cross-site GET of /auth/logout/ naming that portal must still end nothing else."""
    _signed_in_at_both(browser)
    assert browser.post(f"http://{ERKELENZ}/konto/loeschen/", {"confirm": "ja"}).status_code == 200
    asked = browser.get(f"http://{PUBLIC}/auth/logout/?tenant=erkelenz")
    assert asked.status_code == 200 and 'action="/auth/logout/"' in asked.content.decode()
    assert _signed_in(browser, HEINSBERG) and _logins(browser).exists()


def test_the_sign_out_proof_is_good_once_for_its_own_login_and_tenant(browser):
    """The proof in the tenant's redirect ends the sessions once; replayed, moved to another
    tenant, tampered with, expired or from another browser's login, it only asks."""
    _signed_in_at_both(browser)
    out = browser.post(f"http://{ERKELENZ}/konto/abmelden/", {})
    proof = query(out["Location"])["proof"]
    # another browser, signed in itself, cannot use it; nor can this one with a changed proof,
    # another tenant's name, or after the proof's lifetime
    other = Browser()
    sign_in(other, HEINSBERG, persona="max")
    stolen = other.get(
        f"http://{PUBLIC}/auth/logout/?{urlencode({'tenant': 'erkelenz', 'proof': proof})}"
    )
    assert stolen.status_code == 200 and _signed_in(other, HEINSBERG)
    for tenant, forged in [
        ("erkelenz", proof[:-2] + ("AA" if not proof.endswith("AA") else "BB")),
        ("heinsberg", proof),
        ("erkelenz", signing.dumps({"t": "erkelenz"}, salt="another-salt")),
    ]:
        asked = browser.get(
            f"http://{PUBLIC}/auth/logout/?{urlencode({'tenant': tenant, 'proof': forged})}"
        )
        assert asked.status_code == 200 and _signed_in(browser, HEINSBERG)
    # the genuine one works once
    done = browser.get(out["Location"])
    assert done.status_code == 302 and "/sandbox-idp/slo/" in done["Location"]
    assert not _signed_in(browser, HEINSBERG) and not _logins(browser).exists()
    _signed_in_at_both(browser)
    again = browser.get(out["Location"])
    assert again.status_code == 200 and _signed_in(browser, HEINSBERG)


def test_an_expired_sign_out_proof_only_asks(browser, monkeypatch):
    _signed_in_at_both(browser)
    out = browser.post(f"http://{ERKELENZ}/konto/abmelden/", {})
    monkeypatch.setattr("kreisportal.identity.broker.LOGOUT_PROOF_MAX_AGE", -1)
    asked = browser.get(out["Location"])
    assert asked.status_code == 200 and _signed_in(browser, HEINSBERG)


def test_a_sign_out_proof_is_redeemed_once(db):
    TenantSession.objects.create(
        broker_session_key="broker-key-proof-test", tenant_slug="erkelenz", session_key="t-key"
    )
    proof = issue_logout_proof(tenant_slug="erkelenz", tenant_session_key="t-key")
    args = {"proof": proof, "broker_session_key": "broker-key-proof-test"}
    assert not redeem_logout_proof(**args, tenant_slug="heinsberg")
    assert not redeem_logout_proof(
        proof=proof, broker_session_key="another", tenant_slug="erkelenz"
    )
    assert redeem_logout_proof(**args, tenant_slug="erkelenz")
    assert not redeem_logout_proof(**args, tenant_slug="erkelenz")
    # a tenant session the broker did not open gets no proof
    assert issue_logout_proof(tenant_slug="erkelenz", tenant_session_key="unknown") == ""
