"""Content-Security-Policy without inline scripts: the header on citizen pages and the admin,
and a real browser that enforces it on the citizen pages and the Wagtail admin (login,
dashboard, page editor) without a single violation."""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings

from tests.support.browser import browser, page  # noqa: F401 - fixtures

TENANT = "wegberg"
PASSWORD = "Csp-Test-2026!"

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} in ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def host(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- the header -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("slug", "path"),
    [
        ("erkelenz", "/"),
        ("erkelenz", "/leistungen/"),
        ("erkelenz", "/cms/login/"),
        ("erkelenz", "/api/docs/"),
        (None, "/"),
        ("admin", "/admin/login/"),  # admin.<base>: the tenant administration's host
    ],
)
def test_every_page_has_a_policy_without_inline_scripts(client, db, slug, path):
    response = client.get(path, HTTP_HOST=host(slug) if slug else settings.BASE_DOMAIN)
    assert response.status_code == 200
    directives = _directives(response["Content-Security-Policy"])
    assert directives["script-src"][0] == "'self'"
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"] and directives["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in directives["default-src"]


def test_citizen_pages_allow_no_inline_style_either(client, db):
    response = client.get("/", HTTP_HOST=host("erkelenz"))
    directives = _directives(response["Content-Security-Policy"])
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script element


def test_the_admin_nonce_is_fresh_per_response_and_on_its_inline_scripts(client, db, in_tenant):
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    with in_tenant(TENANT):
        user = get_user_model().objects.create_superuser("csp-nonce", password=PASSWORD)
        editor = f"/cms/pages/{Page.objects.get(depth=2).pk}/edit/"
    login = {"username": user.username, "password": PASSWORD}
    assert client.post("/cms/login/", login, HTTP_HOST=host(TENANT)).status_code == 302
    first = client.get(editor, HTTP_HOST=host(TENANT))
    second = client.get(editor, HTTP_HOST=host(TENANT))
    nonces = []
    for response in (first, second):
        if response.status_code != 200:
            pytest.fail(f"editor answered {response.status_code}")
        script_src = _directives(response["Content-Security-Policy"])["script-src"]
        (nonce,) = [value for value in script_src if value.startswith("'nonce-")]
        nonces.append(nonce[len("'nonce-") : -1])
    assert nonces[0] != nonces[1]
    html = first.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert inline, "the page editor should render Wagtail's widget scripts"
    assert all(f'nonce="{nonces[0]}"' in tag for tag in inline), inline


# --- a real browser enforcing it ------------------------------------------------------------


@pytest.fixture(scope="module")
def staff_login(django_db_blocker, tenant_server):
    """A committed editor in one tenant (the server thread sees committed data only), the
    tenant's home page and a service it offers; removed again after the module."""
    from django.contrib.auth import get_user_model
    from django_tenants.utils import tenant_context
    from wagtail.models import Page

    from services.local.models import LocalService
    from tenants.models import Tenant

    username = f"csp-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug=TENANT)
        with tenant_context(tenant):
            user = get_user_model().objects.create_superuser(username, password=PASSWORD)
            home_id = Page.objects.get(depth=2).pk
            offered = LocalService.objects.filter(offered=True).select_related("service")
            leika_key = offered.first().service.leika_key
    yield {"username": username, "home_id": home_id, "leika_key": leika_key}
    with django_db_blocker.unblock():
        with tenant_context(tenant):
            get_user_model().objects.filter(pk=user.pk).delete()


def _open(page, url: str) -> list[str]:  # noqa: F811
    """Load a page, let its scripts settle, return the CSP violations and console errors."""
    console_errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            console_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    response = page.goto(url)
    assert response.status < 400, f"{url} answered {response.status}"
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations") + console_errors


def test_browser_enforcing_the_policy_sees_no_violation(staff_login, page, tenant_server):  # noqa: F811
    base = f"http://{host(TENANT)}:{tenant_server}"
    page.add_init_script(COLLECT_VIOLATIONS)
    violations: dict[str, list[str]] = {}

    for path in ("/", f"/leistungen/{staff_login['leika_key']}/", "/cms/login/"):
        violations[path] = _open(page, base + path)
        assert page.locator("h1").count() >= 1

    page.fill("#id_username", staff_login["username"])
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name=re.compile("Anmelden|Sign in")).click()
    page.wait_for_url(f"{base}/cms/")
    page.wait_for_load_state("networkidle")
    violations["/cms/ (dashboard)"] = page.evaluate("window.__cspViolations")

    editor = f"/cms/pages/{staff_login['home_id']}/edit/"
    violations[editor] = _open(page, base + editor)
    # the editor's scripts ran: Wagtail's Stimulus controllers have wired up the form
    assert page.locator("form[data-controller~='w-unsaved']").count() == 1
    tabs = page.get_by_role("tab")
    assert tabs.count() >= 2
    tabs.nth(1).click()  # switching tabs is Wagtail's JavaScript (w-tabs)
    page.wait_for_function(
        "document.querySelectorAll('[role=tab]')[1].getAttribute('aria-selected') === 'true'"
    )
    violations[editor] += page.evaluate("window.__cspViolations")

    # the image chooser: its widget script carries the nonce, its modal is loaded by script
    tabs.nth(0).click()
    page.locator("#id_hero_image-chooser .unchosen [data-chooser-action-choose]").click()
    page.locator(".modal-content").first.wait_for(state="visible")
    page.wait_for_load_state("networkidle")
    violations["image chooser modal"] = page.evaluate("window.__cspViolations")

    assert {path: found for path, found in violations.items() if found} == {}


def test_a_policy_violation_would_be_seen(page, tenant_server):  # noqa: F811
    """The detector works: an inline script injected into an enforcing page is reported."""
    page.add_init_script(COLLECT_VIOLATIONS)
    page.goto(f"http://{host(TENANT)}:{tenant_server}/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.__ran") is None
    violations = page.evaluate("window.__cspViolations")
    assert any(v.startswith("script-src-elem") for v in violations), violations


def test_csp_header_is_sent_by_the_real_server(tenant_server):
    import urllib.request

    request = urllib.request.Request(
        f"http://127.0.0.1:{tenant_server}/", headers={"Host": host(TENANT)}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
