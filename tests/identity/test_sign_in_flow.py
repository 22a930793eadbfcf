"""Signing in and out as citizens meet it (issue 20, finding 7): the sandbox IdP's answer posts
back by itself where JavaScript runs (an external script under the strict CSP; the button
stays for browsers without it), "Abbrechen – zurück zum Portal" answers the portal with a
SAML error status and the citizen lands back on the portal, and "Abmelden (überall)" says
what happened."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from services.accounts.models import Citizen
from tests.support.browser import browser, page  # noqa: F401 - fixtures
from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN
ERKELENZ = f"erkelenz.{BASE}:8000"
HEINSBERG = f"heinsberg.{BASE}:8000"


def _at_the_idp(visitor: Browser, host: str = ERKELENZ, path: str = "/konto/anmelden/"):
    """From the tenant through the broker to the sandbox IdP's html; returns its URL."""
    start = visitor.get(f"http://{host}{path}")
    broker = visitor.get(start["Location"])
    assert broker.status_code == 302 and "/sandbox-idp/sso/" in broker["Location"]
    return broker["Location"]


def test_the_idp_answer_posts_itself_back_with_an_external_script(in_tenant):
    visitor = Browser()
    idp_url = _at_the_idp(visitor)
    host = idp_url.split("/")[2]
    visitor.get(idp_url)
    answer = visitor.post(f"http://{host}/sandbox-idp/sso/", {"persona": "erika"})
    html = answer.content.decode()
    assert answer.status_code == 200 and "data-auto-submit" in html
    assert re.search(r'<script src="/static/kreisportal/saml-post[^"]*\.js" defer>', html)
    assert "<script>" not in html  # no inline script: the citizen CSP forbids it
    assert ">Weiter zum Portal</button>" in html  # without JavaScript
    policy = answer["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'self'" in script_src and "unsafe-inline" not in script_src


def test_cancel_at_the_idp_returns_to_the_portal_signed_out(in_tenant):
    with in_tenant("erkelenz"):
        citizens_before = Citizen.objects.count()
    visitor = Browser()
    idp_url = _at_the_idp(visitor, path="/konto/anmelden/?next=/konto/")
    host = idp_url.split("/")[2]
    login_page = visitor.get(idp_url).content.decode()
    assert "Abbrechen – zurück zum Portal" in login_page
    answer = visitor.post(f"http://{host}/sandbox-idp/sso/", {"abbrechen": "1"})
    html = answer.content.decode()
    assert answer.status_code == 200 and "Anmeldung abgebrochen" in html
    acs = re.search(r'<form method="post" action="([^"]+)"', html).group(1)
    saml_response = re.search(r'name="SAMLResponse" value="([^"]+)"', html).group(1)
    back = visitor.post(acs, {"SAMLResponse": saml_response})
    assert back.status_code == 302
    assert back["Location"].startswith(f"http://{ERKELENZ}/konto/abgebrochen/")
    landing = visitor.get(back["Location"])
    text = landing.content.decode()
    assert landing.status_code == 200 and "Anmeldung abgebrochen" in text
    assert "Sie sind nicht angemeldet" in text
    assert visitor.get(f"http://{ERKELENZ}/konto/").status_code == 302  # still signed out
    with in_tenant("erkelenz"):
        assert Citizen.objects.count() == citizens_before  # nobody was signed in
    # the same error answer again: nothing outstanding any more, refused
    again = visitor.post(acs, {"SAMLResponse": saml_response})
    assert again.status_code == 400


def test_sign_out_everywhere_says_what_happened(in_tenant):
    visitor = Browser()
    sign_in(visitor, ERKELENZ)
    out = visitor.post(f"http://{ERKELENZ}/konto/abmelden/", {})
    broker = visitor.get(out["Location"])
    # SAML Single Logout: through the identity provider and back (tests/identity/test_identity_slo)
    idp = visitor.get(broker["Location"])
    back = visitor.get(idp["Location"])
    assert back["Location"] == f"http://{ERKELENZ}/konto/abgemeldet/"
    confirmation = visitor.get(back["Location"])
    text = confirmation.content.decode()
    assert confirmation.status_code == 200 and "Sie sind abgemeldet" in text
    assert "allen anderen Portalen" in text and "Identitätsprovider" in text
    assert visitor.get(f"http://{ERKELENZ}/konto/").status_code == 302
    # someone still signed in who opens the address is not told otherwise
    other = Browser()
    sign_in(other, HEINSBERG)
    assert other.get(f"http://{HEINSBERG}/konto/abgemeldet/")["Location"] == "/konto/"


def _axe_clean(page) -> None:  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": tags}})
    assert not result.violations_count, result.generate_report()


@pytest.mark.browser
def test_with_javascript_the_answer_continues_and_cancel_comes_back(  # noqa: F811
    page,  # noqa: F811
    tenant_server,
    settings,
):
    settings.PUBLIC_URL = f"http://localhost:{tenant_server}"
    erkelenz = f"http://erkelenz.localhost:{tenant_server}"
    page.goto(f"{erkelenz}/konto/")
    page.get_by_role("button", name="Abbrechen – zurück zum Portal").click()
    page.wait_for_url(f"{erkelenz}/konto/abgebrochen/**")
    expect(page.locator("main")).to_contain_text("Anmeldung abgebrochen")
    _axe_clean(page)
    page.goto(f"{erkelenz}/konto/")
    page.get_by_label("Erika Mustermann (substanziell)").check()
    page.get_by_role("button", name="Anmelden").click()
    # no click on "Weiter zum Portal": the form submits itself
    page.wait_for_url(f"{erkelenz}/konto/")
    expect(page.locator("main")).to_contain_text("Erika Mustermann")
    page.get_by_role("button", name="Abmelden (überall)").click()
    page.wait_for_url(f"{erkelenz}/konto/abgemeldet/")
    expect(page.locator("main")).to_contain_text("Sie sind abgemeldet")
    _axe_clean(page)


@pytest.mark.browser
def test_an_identity_provider_on_another_site_signs_the_citizen_in(  # noqa: F811
    page,  # noqa: F811
    tenant_server,
    settings,
):
    """BundID answers from its own site: the browser posts the SAMLResponse to our ACS
    cross-site and keeps the SameSite=Lax session cookie (with the outstanding AuthnRequest)
    back. The ACS posts the same answer once more from our own site, where the cookie goes
    along, and the login completes."""
    from urllib.parse import parse_qs

    from django.utils.html import escape

    settings.PUBLIC_URL = f"http://localhost:{tenant_server}"
    erkelenz = f"http://erkelenz.localhost:{tenant_server}"
    acs = f"http://localhost:{tenant_server}/saml/acs/"
    page.goto(f"{erkelenz}/konto/")
    page.get_by_label("Erika Mustermann (substanziell)").check()
    # the sandbox IdP sits on our site; take its answer instead of letting it post same-site
    answers: list[str] = []

    def capture(route) -> None:
        answers.append(parse_qs(route.request.post_data)["SAMLResponse"][0])
        route.abort()

    page.route("**/saml/acs/", capture)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_timeout(200)
    for _ in range(50):
        if answers:
            break
        page.wait_for_timeout(100)
    page.unroute("**/saml/acs/")
    assert answers, "the sandbox IdP posted no answer"
    # ... and post it from another site, as BundID's page does
    page.goto("about:blank")
    page.set_content(
        f'<form method="post" action="{acs}">'
        f'<input type="hidden" name="SAMLResponse" value="{escape(answers[0])}">'
        "<button>Weiter</button></form>"
    )
    posted = []
    page.on(
        "request",
        lambda request: (
            posted.append(request.post_data or "")
            if request.method == "POST" and request.url == acs
            else None
        ),
    )
    page.get_by_role("button", name="Weiter").click()
    page.wait_for_url(f"{erkelenz}/konto/")
    expect(page.locator("main")).to_contain_text("Erika Mustermann")
    # the browser kept the cookie back, and the ACS's own page posted the answer on
    assert len(posted) == 2 and "kp_resent" not in posted[0] and "kp_resent=1" in posted[1]
