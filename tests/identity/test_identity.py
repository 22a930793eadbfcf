"""Single sign-on through the broker and the sandbox SAML IdP; trust levels; Mein Konto;
postbox isolation; refusals."""

from __future__ import annotations

import pytest
from django.conf import settings

from services.accounts.models import Citizen
from services.postbox.actions import do_deliver_message
from tests.support.sso import Browser, sign_in

BASE = settings.BASE_DOMAIN
PUBLIC = f"{BASE}:8000"


def host(slug: str) -> str:
    return f"{slug}.{BASE}:8000"


@pytest.fixture
def browser(db):
    return Browser()


def test_sign_in_once_then_signed_in_on_a_second_tenant(browser, in_tenant):
    landed = sign_in(browser, host("erkelenz"))
    assert landed.status_code == 302 and landed["Location"] == "/konto/"
    account = browser.get(f"http://{host('erkelenz')}/konto/")
    assert account.status_code == 200
    assert "Erika Mustermann" in account.content.decode()
    # second tenant: the broker reuses its session, no identity provider in between
    start = browser.get(f"http://{host('gangelt')}/konto/anmelden/?next=/konto/")
    broker = browser.get(start["Location"])
    assert "/konto/rueckkehr/" in broker["Location"] and "gangelt" in broker["Location"]
    browser.get(broker["Location"])
    assert "Erika Mustermann" in browser.get(f"http://{host('gangelt')}/konto/").content.decode()
    # each tenant keeps its own record
    for slug in ("erkelenz", "gangelt"):
        with in_tenant(slug):
            assert (
                Citizen.objects.filter(
                    pseudonym="sandbox-bpk2-erika-0001", trust_level="substantial"
                ).count()
                == 1
            )
    with in_tenant("wegberg"):
        assert not Citizen.objects.exists()


def test_logout_ends_the_sessions_of_every_tenant_visited(browser):
    sign_in(browser, host("erkelenz"))
    start = browser.get(f"http://{host('heinsberg')}/konto/anmelden/")
    browser.get(browser.get(start["Location"])["Location"])
    assert browser.get(f"http://{host('heinsberg')}/konto/").status_code == 200
    out = browser.post(f"http://{host('erkelenz')}/konto/abmelden/", {})
    assert out.status_code == 302 and "/auth/logout/" in out["Location"]
    to_idp = browser.get(out["Location"])  # Single Logout: the IdP is asked too
    assert "/sandbox-idp/slo/" in to_idp["Location"]
    back = browser.get(browser.get(to_idp["Location"])["Location"])
    assert back["Location"].startswith(f"http://{host('erkelenz')}/")
    for slug in ("erkelenz", "heinsberg"):
        assert browser.get(f"http://{host(slug)}/konto/").status_code == 302


def test_a_service_demanding_a_higher_level_asks_again(browser):
    sign_in(browser, host("erkelenz"), persona="max")  # basic
    start = browser.get(f"http://{host('erkelenz')}/konto/anmelden/?level=high&next=/konto/")
    broker = browser.get(start["Location"])
    assert "/sandbox-idp/sso/" in broker["Location"]  # not enough: back to the IdP
    page = browser.get(broker["Location"]).content.decode()
    assert "Testanmeldung" in page and "Niveau zu niedrig" in page
    refused = browser.post(f"http://{PUBLIC}/sandbox-idp/sso/", {"persona": "max"})
    assert refused.status_code == 400


def test_postbox_unread_count_read_and_isolation(browser, in_tenant):
    sign_in(browser, host("erkelenz"))
    with in_tenant("erkelenz"):
        citizen = Citizen.objects.get(pseudonym="sandbox-bpk2-erika-0001")
        message = do_deliver_message(
            citizen=citizen,
            subject="Ihr Bescheid",
            body="Anbei.",
            attachment=("bescheid.pdf", b"%PDF-1.4 demo"),
        )
    page = browser.get(f"http://{host('erkelenz')}/konto/").content.decode()
    assert "1 ungelesen" in page and "Ihr Bescheid" in page
    assert browser.get(f"http://{host('erkelenz')}/konto/postfach/{message.pk}/").status_code == 200
    assert "0 ungelesen" in browser.get(f"http://{host('erkelenz')}/konto/").content.decode()
    attachment = browser.get(f"http://{host('erkelenz')}/konto/postfach/{message.pk}/anhang/")
    assert attachment.status_code == 200 and b"".join(attachment.streaming_content).startswith(
        b"%PDF"
    )
    # from Gangelt, even signed in as the same person: unreachable
    start = browser.get(f"http://{host('gangelt')}/konto/anmelden/")
    browser.get(browser.get(start["Location"])["Location"])
    for path in (
        f"/konto/postfach/{message.pk}/",
        f"/konto/postfach/{message.pk}/anhang/",
        "/konto/postfach/not-a-uuid/",
    ):
        assert browser.get(f"http://{host('gangelt')}{path}").status_code == 404
    # another citizen of Erkelenz: unreachable as well
    other = Browser()
    sign_in(other, host("erkelenz"), persona="hannah", level="high")
    assert other.get(f"http://{host('erkelenz')}/konto/postfach/{message.pk}/").status_code == 404


def test_export_and_delete_account(browser, in_tenant):
    sign_in(browser, host("wassenberg"))
    export = browser.get(f"http://{host('wassenberg')}/konto/export/")
    assert (
        export.status_code == 200 and export.json()["personal_data"]["family_name"] == "Mustermann"
    )
    refused = browser.post(f"http://{host('wassenberg')}/konto/loeschen/", {})
    assert refused.status_code == 400
    done = browser.post(f"http://{host('wassenberg')}/konto/loeschen/", {"confirm": "ja"})
    assert done.status_code == 200
    with in_tenant("wassenberg"):
        assert not Citizen.objects.exists()


def test_account_requires_sign_in(client, db):
    response = client.get("/konto/", HTTP_HOST=host("erkelenz"))
    assert response.status_code == 302 and response["Location"].startswith("/konto/anmelden/")


def test_service_demanding_a_trust_level_explains_and_offers_the_higher_login(browser, in_tenant):
    from services.applications.models import ApplicationForm
    from services.local.models import LocalService

    with in_tenant("erkelenz"):
        # an external online service (the demo's own form for it is removed for this test)
        ApplicationForm.objects.filter(local_service__service__leika_key="99050012104000").delete()
        LocalService.objects.filter(service__leika_key="99050012104000").update(
            online_level="online",
            online_url="https://formulare.erkelenz.example/gewerbe",
            min_trust_level="substantial",
        )
    url = f"http://{host('erkelenz')}/leistungen/99050012104000/"
    anonymous = browser.get(url).content.decode()
    assert "Vertrauensniveau <strong>substanziell</strong>" in anonymous
    assert (
        "/konto/anmelden/?level=substantial" in anonymous
        and "Online beantragen</a>" not in anonymous
    )
    sign_in(browser, host("erkelenz"), persona="max")  # basisregistriert
    basic = browser.get(url).content.decode()
    assert "Sie sind mit dem Niveau <strong>basisregistriert</strong> angemeldet" in basic
    assert "Erneut anmelden" in basic
    sign_in(
        browser,
        host("erkelenz"),
        persona="erika",
        level="substantial",
        next_path="/leistungen/99050012104000/",
    )
    enough = browser.get(url).content.decode()
    assert "Online beantragen</a>" in enough and "Erneut anmelden" not in enough
