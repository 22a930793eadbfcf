"""Drive the single sign-on flow with one test client per host (a browser keeps cookies per
host; Django's test client would otherwise mix the public host's and the tenants' sessions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from django.test import Client


def _path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Browser:
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, host: str) -> Client:
        return self.clients.setdefault(host, Client(HTTP_HOST=host))

    def get(self, url: str, **extra):
        host, path = _path(url)
        return self.client(host).get(path, HTTP_HOST=host, **extra)

    def post(self, url: str, data: dict, **extra):
        host, path = _path(url)
        return self.client(host).post(path, data, HTTP_HOST=host, **extra)


def saml_response_from(html: str) -> str:
    return re.search(r'name="SAMLResponse" value="([^"]+)"', html).group(1)


def idp_login(browser: Browser, idp_url: str, persona: str = "erika") -> tuple[str, str]:
    """At the sandbox IdP: choose a persona; returns (ACS url, SAMLResponse)."""
    page = browser.get(idp_url)
    assert page.status_code == 200, page.content[:500]
    host, _ = _path(idp_url)
    answer = browser.post(f"http://{host}/sandbox-idp/sso/", {"persona": persona})
    assert answer.status_code == 200, answer.content[:800]
    html = answer.content.decode()
    action = re.search(r'action="([^"]+)"', html.split("<main", 1)[1]).group(1)
    return action, saml_response_from(html)


def sign_in(
    browser: Browser,
    tenant_host: str,
    *,
    persona: str = "erika",
    level: str = "basic",
    next_path: str = "/konto/",
):
    """Full sign-in on a tenant; returns the final response on the tenant's host."""
    start = browser.get(f"http://{tenant_host}/konto/anmelden/?next={next_path}&level={level}")
    assert start.status_code == 302
    broker = browser.get(start["Location"])
    assert broker.status_code == 302, broker.content[:500]
    if "/sandbox-idp/" in broker["Location"]:
        acs_url, saml_response = idp_login(browser, broker["Location"], persona)
        back = browser.post(acs_url, {"SAMLResponse": saml_response})
        assert back.status_code == 302, back.content.decode()[:1500]
        callback = back["Location"]
    else:
        callback = broker["Location"]
    landed = browser.get(callback)
    assert landed.status_code == 302, landed.content.decode()[-1500:]
    return landed


def needs_step_up(response) -> bool:
    """Whether the portal answered a binding step by asking the IdP again (ForceAuthn)."""
    return response.status_code == 302 and "force=1" in response.get("Location", "")


def step_up(browser: Browser, asked, *, persona: str = "erika"):
    """Sign in again for one service, as the portal asked (`asked` is its redirect to the
    broker): through the sandbox IdP back to the page that asked, which takes the proof.
    Returns that page."""
    broker = browser.get(asked["Location"])
    assert broker.status_code == 302 and "/sandbox-idp/" in broker["Location"], broker
    acs_url, saml_response = idp_login(browser, broker["Location"], persona)
    back = browser.post(acs_url, {"SAMLResponse": saml_response})
    assert back.status_code == 302, back.content.decode()[:1500]
    landed = browser.get(back["Location"])
    assert landed.status_code == 302 and "anmeldung=" in landed["Location"], landed
    host = urlsplit(back["Location"]).netloc
    page = browser.get(f"http://{host}{landed['Location']}")
    assert page.status_code == 200, page.content.decode()[-1500:]
    return page


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
