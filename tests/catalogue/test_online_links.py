"""Issue 20, finding 1: every "Online beantragen" on every tenant's service pages leads to a page.

Links are generated from the route (services.online), never taken from a stored absolute URL of
the portal itself. The walk follows each link with the test client, redirects included — across
hosts (the sign-in goes through the broker on the bare base domain). Decision: a link that sends
an anonymous citizen to sign in counts as reachable when the redirect chain ends at a 200 page
(the sign-in page); the citizen lands back on the form after signing in (tested in
test_applications). External online services (another authority's site) are not fetched (no
network in tests); they must be absolute https URLs outside the portal's hosts.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from services.online import is_own_host_url

BASE = settings.BASE_DOMAIN
BUTTON = re.compile(
    r'<a class="button" href="(?P<href>[^"]*)">(?P<text>Online beantragen|(?:Erneut a|A)nmelden \()'
)
LIEGENSCHAFTSKARTE = "99012007033000"
LIEGENSCHAFTSBUCH = "99012005033000"


def _online_services(tenant) -> list[str]:
    """LeiKa keys of the tenant's services that have an online offer: an active application form
    (on the entry or on the bare entry of its Leistungsobjekt), or a digitalisation level above
    "information" (an own or an external online service)."""
    from services.applications.models import ApplicationForm
    from services.local.models import LocalService, OnlineLevel
    from services.models import Service
    from services.online_offers import online_keys

    with tenant_context(tenant):
        keys = set(
            ApplicationForm.objects.filter(active=True).values_list(
                "local_service__service__leika_key", flat=True
            )
        )
        keys |= set(
            LocalService.objects.exclude(online_level=OnlineLevel.INFORMATION).values_list(
                "service__leika_key", flat=True
            )
        )
        online = online_keys()
        keys |= online.keys
        keys |= {
            key
            for key in Service.objects.filter(
                leika_key__regex="^({})".format("|".join(online.object_prefixes or ["-"]))
            ).values_list("leika_key", flat=True)
        }
    return sorted(keys)


def _host(tenant) -> str:
    return tenant.domains.get(is_primary=True).domain


def _follow(client, url: str, host: str, *, limit: int = 10):
    """GET `url` on `host` and follow redirects (also to another host); the last response."""
    for _ in range(limit):
        parts = urlsplit(url)
        if parts.netloc:
            host = parts.netloc
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(path, HTTP_HOST=host)
        if response.status_code not in (301, 302, 303, 307, 308):
            return response, host, path
        url = response["Location"]
    pytest.fail(f"more than {limit} redirects from {url}")


def _buttons(client, host: str, key: str) -> list[tuple[str, str]]:
    page = client.get(f"/leistungen/{key}/", HTTP_HOST=host)
    assert page.status_code == 200, (host, key)
    return [(m["href"], m["text"]) for m in BUTTON.finditer(page.content.decode())]


def test_every_online_link_on_every_tenant_leads_to_a_page(client, db):
    from tenants.models import Tenant

    followed = []
    for tenant in Tenant.objects.portals().order_by("slug"):
        host = _host(tenant)
        for key in _online_services(tenant):
            buttons = _buttons(client, host, key)
            assert len(buttons) == 1, f"{tenant.slug} {key}: one online button, got {buttons}"
            href, text = buttons[0]
            assert href, f"{tenant.slug} {key}: empty link"
            if urlsplit(href).netloc:
                assert not is_own_host_url(href), (
                    f"{tenant.slug} {key}: stored absolute URL of the portal {href}"
                )
                assert href.startswith("https://"), (tenant.slug, key, href)
                continue  # another authority's site: not fetched here
            cache.clear()  # each link is another citizen: the sign-in rate limit is per address
            response, final_host, final_path = _follow(client, href, host)
            assert response.status_code == 200, (
                f"{tenant.slug} {key}: '{text}' {href} ends at {final_host}{final_path} "
                f"with {response.status_code}"
            )
            followed.append((tenant.slug, key, href))
    # the demo's online offers: the Kreis' cadastral extracts and the application forms
    assert ("kreis", LIEGENSCHAFTSKARTE, "/liegenschaftsauskunft/") in followed
    assert ("kreis", LIEGENSCHAFTSBUCH, "/liegenschaftsauskunft/") in followed
    assert len({slug for slug, _, _ in followed}) >= 3, followed


def test_liegenschaftskarte_on_the_kreis_leads_to_the_liegenschaftsauskunft(client, db):
    host = f"kreis.{BASE}"
    assert _buttons(client, host, LIEGENSCHAFTSKARTE) == [
        ("/liegenschaftsauskunft/", "Online beantragen")
    ]
    assert client.get("/liegenschaftsauskunft/", HTTP_HOST=host).status_code == 200


def test_a_stored_link_to_the_portals_own_host_is_never_shown(client, db, in_tenant):
    """Rows stored before the fix (`https://kreis.localhost/`) do not bring the dead link back:
    the route wins for the portal's own services, and an own-host URL is no external service."""
    from services.local.models import LocalService, OnlineLevel

    with in_tenant("kreis"):
        LocalService.objects.filter(service__leika_key=LIEGENSCHAFTSKARTE).update(
            online_url=f"https://kreis.{BASE}/"
        )
        other = LocalService.objects.filter(offered=True, application_form__isnull=True).exclude(
            service__leika_key__in=[LIEGENSCHAFTSKARTE, LIEGENSCHAFTSBUCH]
        )[0]
        other.online_level = OnlineLevel.ONLINE
        other.online_url = f"https://kreis.{BASE}/"
        other.save()
        key = other.service.leika_key
    host = f"kreis.{BASE}"
    assert _buttons(client, host, LIEGENSCHAFTSKARTE)[0][0] == "/liegenschaftsauskunft/"
    assert _buttons(client, host, key) == []


def test_an_editor_cannot_store_a_link_to_the_portal_itself(db, in_tenant):
    from services.local.models import LocalService, OnlineLevel

    with in_tenant("kreis"):
        local = LocalService.objects.select_related("service").filter(offered=True)[0]
        local.online_level = OnlineLevel.ONLINE
        local.online_url = f"https://kreis.{BASE}/irgendwas/"
        with pytest.raises(ValidationError) as refused:
            local.clean()
        assert "online_url" in refused.value.message_dict
        local.online_url = "https://www.service.nrw.de/antrag"
        local.clean()  # an external online service is fine
        cadastre = LocalService.objects.select_related("service").get(
            service__leika_key=LIEGENSCHAFTSKARTE
        )
        cadastre.online_url = ""
        cadastre.clean()  # the portal's own service needs no URL: its route is known
