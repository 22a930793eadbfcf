"""Staff sign in to their tenant's /cms/ through the municipality's OpenID Connect directory,
against a fake directory on loopback (tests/support/oidc_directory.py): real HTTP for discovery,
JWKS, authorize and token endpoints, RS256 ID tokens signed with keys made in the test."""

from __future__ import annotations

import time

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.staff_directory.actions import USERNAME_PREFIX
from tenants.staff_directory.models import GroupMapping, StaffDirectory
from tests.support.oidc_directory import FakeDirectory, fake_directory
from tests.support.sso import Browser, query

BASE = settings.BASE_DOMAIN
ERKELENZ = f"erkelenz.{BASE}"
GANGELT = f"gangelt.{BASE}"
ADMIN_HOST = f"admin.{BASE}"
BUTTON = "Mit dem Verzeichnis der Kommune anmelden"
ANNA = {
    "sub": "a1b2c3d4-anna",
    "given_name": "Anna",
    "family_name": "Schmitz",
    "email": "anna.schmitz@erkelenz.example",
    "email_verified": True,
    "groups": ["/kp-redaktion"],
}


def configure(slug: str, fake: FakeDirectory, **mappings: str) -> StaffDirectory:
    directory = StaffDirectory(
        tenant=Tenant.objects.get(slug=slug), issuer=fake.issuer, client_id=fake.client_id
    )
    directory.set_client_secret(fake.client_secret)
    directory.save()
    for claim_value, group_name in (mappings or {"kp-redaktion": "Editors"}).items():
        GroupMapping.objects.create(
            directory=directory, claim_value=claim_value, group_name=group_name
        )
    return directory


@pytest.fixture
def erkelenz_directory(db):
    with fake_directory(client_id="portal-erkelenz", client_secret="s3cr3t-erk") as fake:
        fake.person = dict(ANNA)
        configure("erkelenz", fake, **{"kp-redaktion": "Editors", "kp-freigabe": "Moderators"})
        yield fake


def start(browser: Browser, host: str, fake: FakeDirectory):
    """Press the button on the login page; returns the answer that sends us to the directory."""
    page = browser.get(f"http://{host}/cms/login/")
    assert page.status_code == 200 and BUTTON in page.content.decode()
    sent = browser.post(f"http://{host}/cms/verzeichnis/anmelden/", {"next": ""})
    assert sent.status_code == 302, sent.content.decode()[:500]
    assert sent["Location"].startswith(f"{fake.issuer}/authorize?")
    return sent


def sign_in(browser: Browser, host: str, fake: FakeDirectory):
    """The whole round trip; returns the portal's answer to the directory's redirect back."""
    sent = start(browser, host, fake)
    params = query(sent["Location"])
    assert params["code_challenge_method"] == "S256" and params["nonce"] and params["state"]
    assert params["redirect_uri"] == f"http://{host}/cms/verzeichnis/rueckkehr/"
    at_directory = requests.get(sent["Location"], allow_redirects=False, timeout=5)
    assert at_directory.status_code == 302, at_directory.text
    return browser.get(at_directory.headers["Location"])


def refusal(browser: Browser, host: str, answer) -> str:
    """A refusal goes back to the login page with one German message."""
    assert answer.status_code == 302 and answer["Location"] == "/cms/login/"
    page = browser.get(f"http://{host}/cms/login/")
    assert page.status_code == 200
    return " ".join(str(m) for m in page.context["messages"])


def account(slug: str, sub: str = ANNA["sub"]):
    with schema_context(slug):
        return (
            get_user_model()
            .objects.filter(username=f"{USERNAME_PREFIX}{sub}")
            .prefetch_related("groups")
            .first()
        )


def group_names(user) -> set[str]:
    return {g.name for g in user.groups.all()}


def opens_cms(browser: Browser, host: str) -> bool:
    dashboard = browser.get(f"http://{host}/cms/")
    return dashboard.status_code == 200 and 'class="login-form"' not in dashboard.content.decode()


# --- happy path and group mapping ---------------------------------------------------------------


def test_sign_in_through_the_directory_opens_the_cms_with_mapped_groups(erkelenz_directory):
    browser = Browser()
    landed = sign_in(browser, ERKELENZ, erkelenz_directory)
    assert landed.status_code == 302 and landed["Location"] == "/cms/"
    assert opens_cms(browser, ERKELENZ)
    user = account("erkelenz")
    assert user.is_staff and user.is_active and not user.has_usable_password()
    assert (user.first_name, user.last_name, user.email) == (
        "Anna",
        "Schmitz",
        "anna.schmitz@erkelenz.example",
    )
    assert group_names(user) == {"Editors"}
    # a directory session ends after a working day at the latest
    assert browser.client(ERKELENZ).session.get_expiry_age() == 8 * 3600
    # the account exists in Erkelenz' schema only
    for other in ("gangelt", "kreis", "public"):
        assert account(other) is None


def test_groups_are_replaced_at_every_sign_in(erkelenz_directory):
    erkelenz_directory.person["groups"] = ["kp-redaktion", "kp-freigabe", "kp-kantine"]
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    assert group_names(account("erkelenz")) == {"Editors", "Moderators"}
    erkelenz_directory.person["groups"] = ["kp-freigabe"]
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    assert group_names(account("erkelenz")) == {"Moderators"}


def test_nested_group_claim_and_next_page(db):
    with fake_directory(client_id="portal-gangelt", client_secret="g") as fake:
        fake.person = {"sub": "ben", "realm_access": {"roles": ["cms-editor"]}}
        directory = configure("gangelt", fake, **{"cms-editor": "Moderators"})
        directory.group_claim = "realm_access.roles"
        directory.save()
        browser = Browser()
        browser.get(f"http://{GANGELT}/cms/login/")
        sent = browser.post(f"http://{GANGELT}/cms/verzeichnis/anmelden/", {"next": "/cms/pages/"})
        back = requests.get(sent["Location"], allow_redirects=False, timeout=5)
        landed = browser.get(back.headers["Location"])
        assert landed["Location"] == "/cms/pages/"
        assert group_names(account("gangelt", "ben")) == {"Moderators"}


# --- deactivated in the directory ---------------------------------------------------------------


def test_no_mapped_group_any_more_means_no_access_at_the_next_sign_in(erkelenz_directory):
    earlier = Browser()  # a session opened before the person left the editorial team
    sign_in(earlier, ERKELENZ, erkelenz_directory)
    assert opens_cms(earlier, ERKELENZ)

    erkelenz_directory.person["groups"] = ["kp-kantine"]
    browser = Browser()
    message = refusal(browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory))
    assert "berechtigt nicht (mehr)" in message
    assert not opens_cms(browser, ERKELENZ)
    user = account("erkelenz")
    assert not user.is_active and not user.is_staff and not group_names(user)
    # the account is switched off, so the earlier session ends too
    assert not opens_cms(earlier, ERKELENZ)


def test_claim_active_false_means_no_access(erkelenz_directory):
    sign_in(Browser(), ERKELENZ, erkelenz_directory)
    erkelenz_directory.person["active"] = False
    browser = Browser()
    assert "berechtigt nicht" in refusal(
        browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory)
    )
    assert not account("erkelenz").is_active


def test_sign_in_refused_by_the_directory(erkelenz_directory):
    erkelenz_directory.refuse = True
    browser = Browser()
    message = refusal(browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory))
    assert message == "Das Verzeichnis der Kommune hat die Anmeldung nicht bestätigt."
    assert account("erkelenz") is None and erkelenz_directory.token_requests == 0


# --- refused ID tokens --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    ["audience", "expired", "nonce", "issuer", "signature", "audience-list-with-azp"],
)
def test_a_bad_id_token_is_refused_in_german(erkelenz_directory, fault):
    now = int(time.time())
    erkelenz_directory.token_claims = {
        "audience": {"aud": "portal-gangelt"},
        "expired": {"iat": now - 3600, "exp": now - 600},
        "nonce": {"nonce": "a-nonce-from-another-sign-in"},
        "issuer": {"iss": "https://login.andere-kommune.example/realms/verwaltung"},
        "signature": {},
        "audience-list-with-azp": {"aud": ["portal-gangelt"], "azp": "portal-erkelenz"},
    }[fault]
    if fault == "signature":
        erkelenz_directory.signing_key = rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )
    browser = Browser()
    answer = sign_in(browser, ERKELENZ, erkelenz_directory)
    assert "Anmeldebestätigung des Verzeichnisses ist ungültig" in refusal(
        browser, ERKELENZ, answer
    )
    assert erkelenz_directory.token_requests == 1  # refused after the exchange, on the token
    assert account("erkelenz") is None
    assert not opens_cms(browser, ERKELENZ)


def test_a_discovery_document_naming_another_issuer_is_refused(erkelenz_directory):
    erkelenz_directory.discovery_issuer = "https://login.andere-kommune.example/realms/x"
    erkelenz_directory.token_claims = {"iss": erkelenz_directory.discovery_issuer}
    browser = Browser()
    answer = sign_in(browser, ERKELENZ, erkelenz_directory)
    assert "ungültig" in refusal(browser, ERKELENZ, answer)
    assert erkelenz_directory.token_requests == 0 and account("erkelenz") is None


def test_a_wrong_or_replayed_state_is_refused(erkelenz_directory):
    browser = Browser()
    sent = start(browser, ERKELENZ, erkelenz_directory)
    back = requests.get(sent["Location"], allow_redirects=False, timeout=5).headers["Location"]
    params = query(back)
    forged = browser.get(
        f"http://{ERKELENZ}/cms/verzeichnis/rueckkehr/?code={params['code']}&state=x"
    )
    assert "nicht in diesem Browser begonnen" in refusal(browser, ERKELENZ, forged)
    # another browser cannot use the redirect either (the state belongs to the first one's session)
    stranger = Browser()
    assert "nicht in diesem Browser begonnen" in refusal(stranger, ERKELENZ, stranger.get(back))
    assert account("erkelenz") is None and erkelenz_directory.token_requests == 0


def test_an_unreachable_directory_gives_a_german_message(db):
    with fake_directory(client_id="c", client_secret="s") as fake:
        configure("erkelenz", fake)
    # the server is gone now
    browser = Browser()
    browser.get(f"http://{ERKELENZ}/cms/login/")
    answer = browser.post(f"http://{ERKELENZ}/cms/verzeichnis/anmelden/", {})
    assert "gerade nicht erreichbar" in refusal(browser, ERKELENZ, answer)


def test_secret_survives_a_key_rotation_with_fallback_and_says_so_without(
    erkelenz_directory, settings
):
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-0123456789-abcdef"
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    settings.SECRET_KEY_FALLBACKS = []
    assert StaffDirectory.objects.get(tenant__slug="erkelenz").client_secret is None
    browser = Browser()
    browser.get(f"http://{ERKELENZ}/cms/login/")
    answer = browser.post(f"http://{ERKELENZ}/cms/verzeichnis/anmelden/", {})
    assert "nicht vollständig eingerichtet" in refusal(browser, ERKELENZ, answer)


# --- tenant isolation ---------------------------------------------------------------------------


def test_one_tenants_directory_does_not_open_another_tenants_cms(erkelenz_directory):
    browser = Browser()
    sign_in(browser, ERKELENZ, erkelenz_directory)
    assert opens_cms(browser, ERKELENZ)
    # Gangelt has no directory: no button, no start, no callback
    page = browser.get(f"http://{GANGELT}/cms/login/").content.decode()
    assert BUTTON not in page
    assert browser.post(f"http://{GANGELT}/cms/verzeichnis/anmelden/", {}).status_code == 404
    sent = start(Browser(), ERKELENZ, erkelenz_directory)
    back = requests.get(sent["Location"], allow_redirects=False, timeout=5).headers["Location"]
    replayed = browser.get(back.replace(ERKELENZ, GANGELT))
    assert replayed.status_code == 404
    assert not opens_cms(browser, GANGELT)
    assert account("gangelt") is None


def test_a_token_for_another_tenants_client_is_refused(erkelenz_directory):
    """Gangelt has its own directory; a token Erkelenz' client would accept does not pass."""
    with fake_directory(client_id="portal-gangelt", client_secret="g") as gangelt:
        gangelt.person = dict(ANNA)
        configure("gangelt", gangelt)
        gangelt.token_claims = {"aud": "portal-erkelenz"}
        browser = Browser()
        assert "ungültig" in refusal(browser, GANGELT, sign_in(browser, GANGELT, gangelt))
        assert account("gangelt") is None and account("erkelenz") is None


# --- local passwords stay possible --------------------------------------------------------------


def test_local_password_and_break_glass_account_still_work(erkelenz_directory, client):
    with schema_context("erkelenz"):
        get_user_model().objects.create_superuser(
            "kreis-it-notfall", "it@kreis-heinsberg.example", "Notfall-2026!"
        )
    answer = client.post(
        "/cms/login/",
        {"username": "kreis-it-notfall", "password": "Notfall-2026!"},
        HTTP_HOST=ERKELENZ,
    )
    assert answer.status_code == 302 and answer["Location"] == "/cms/"
    assert client.get("/cms/", HTTP_HOST=ERKELENZ).status_code == 200


def test_switched_off_directory_hides_the_button(erkelenz_directory):
    StaffDirectory.objects.filter(tenant__slug="erkelenz").update(enabled=False)
    browser = Browser()
    assert BUTTON not in browser.get(f"http://{ERKELENZ}/cms/login/").content.decode()
    assert browser.post(f"http://{ERKELENZ}/cms/verzeichnis/anmelden/", {}).status_code == 404


# --- configured by the IT team in the tenant administration -------------------------------------


def _form(tenant: Tenant, **changes) -> dict:
    data = {
        "tenant": tenant.pk,
        "enabled": "on",
        "issuer": "https://login.wegberg.example/realms/verwaltung/",
        "client_id": "portal-wegberg",
        "client_secret": "ganz-geheim-4711",
        "scopes": "openid profile email",
        "group_claim": "groups",
        "group_mappings-TOTAL_FORMS": "1",
        "group_mappings-INITIAL_FORMS": "0",
        "group_mappings-MIN_NUM_FORMS": "0",
        "group_mappings-MAX_NUM_FORMS": "1000",
        "group_mappings-0-claim_value": "kp-redaktion",
        "group_mappings-0-group_name": "Editors",
    }
    data.update(changes)
    return data


ADD_URL = "/admin/staff_directory/staffdirectory/add/"


def test_it_team_configures_a_directory_and_the_secret_is_never_shown(it_admin):
    wegberg = Tenant.objects.get(slug="wegberg")
    saved = it_admin.post(ADD_URL, _form(wegberg), HTTP_HOST=ADMIN_HOST)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    directory = StaffDirectory.objects.get(tenant=wegberg)
    assert directory.issuer == "https://login.wegberg.example/realms/verwaltung"
    assert "ganz-geheim-4711" not in directory.client_secret_encrypted
    assert directory.client_secret == "ganz-geheim-4711"
    assert [str(m) for m in directory.group_mappings.all()] == ["kp-redaktion → Editors"]
    url = f"/admin/staff_directory/staffdirectory/{directory.pk}/change/"
    page = it_admin.get(url, HTTP_HOST=ADMIN_HOST).content.decode()
    assert "ganz-geheim-4711" not in page
    assert "https://wegberg.localhost/cms/verzeichnis/rueckkehr/" in page
    assert "E-Mail-Adressen des Verzeichnisses gelten als bestätigt" in page
    assert not directory.emails_verified  # off unless the IT team switches it on
    # saving again without a secret keeps the stored one
    data = _form(wegberg, client_secret="", client_id="portal-wegberg-2")
    data.update(
        {
            "group_mappings-INITIAL_FORMS": "1",
            "group_mappings-0-id": str(directory.group_mappings.get().pk),
            "group_mappings-0-directory": str(directory.pk),
        }
    )
    assert it_admin.post(url, data, HTTP_HOST=ADMIN_HOST).status_code == 302
    directory.refresh_from_db()
    assert directory.client_id == "portal-wegberg-2"
    assert directory.client_secret == "ganz-geheim-4711"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"issuer": "http://login.wegberg.example"}, "muss mit https:// beginnen"),
        ({"client_secret": ""}, "Bitte das Client-Secret"),
        ({"group_mappings-0-group_name": "Chefredaktion"}, "gibt es im Portal"),
    ],
)
def test_bad_configuration_is_refused_in_german_and_nothing_saved(it_admin, changes, message):
    wegberg = Tenant.objects.get(slug="wegberg")
    answer = it_admin.post(ADD_URL, _form(wegberg, **changes), HTTP_HOST=ADMIN_HOST)
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert "portal-wegberg" in answer.content.decode()  # the form keeps what was typed
    assert not StaffDirectory.objects.filter(tenant=wegberg).exists()


def test_only_the_it_team_reaches_the_configuration(erkelenz_directory, client):
    directory = StaffDirectory.objects.get(tenant__slug="erkelenz")
    url = f"/admin/staff_directory/staffdirectory/{directory.pk}/change/"
    # anonymous on the admin host: sent to log in
    anonymous = client.get(url, HTTP_HOST=ADMIN_HOST)
    assert anonymous.status_code == 302 and "/admin/login/" in anonymous["Location"]
    # a signed-in editor of the tenant (and any citizen): the tenant host has no such page
    browser = Browser()
    sign_in(browser, ERKELENZ, erkelenz_directory)
    assert browser.get(f"http://{ERKELENZ}{url}").status_code == 404
    assert browser.post(f"http://{ERKELENZ}{url}", {"client_id": "x"}).status_code == 404
    directory.refresh_from_db()
    assert directory.client_id == "portal-erkelenz"
    # the secret is never in a page the tenant's staff see
    assert "s3cr3t-erk" not in browser.get(f"http://{ERKELENZ}/cms/login/").content.decode()


# --- an invitation accepted through the directory -----------------------------------------------


def invite_anna(email: str = ANNA["email"]) -> str:
    """Erkelenz invites Anna to its editorial team; returns the link's token."""
    from tenants.invitations import do_invite_editor

    _, link = do_invite_editor(
        tenant=Tenant.objects.get(slug="erkelenz"),
        name="Anna Schmitz",
        email=email,
        origin=f"http://{ERKELENZ}",
        actor="kreis-it",
    )
    return link.rstrip("/").rsplit("/", 1)[1]


def accept_through_directory(browser: Browser, token: str, fake: FakeDirectory):
    page = browser.get(f"http://{ERKELENZ}/cms/einladung/{token}/").content.decode()
    assert BUTTON in page and f'name="invitation" value="{token}"' in page
    assert "Passwort festlegen und anmelden" in page  # a password stays possible
    sent = browser.post(f"http://{ERKELENZ}/cms/verzeichnis/anmelden/", {"invitation": token})
    assert sent.status_code == 302 and sent["Location"].startswith(f"{fake.issuer}/authorize?")
    back = requests.get(sent["Location"], allow_redirects=False, timeout=5)
    return browser.get(back.headers["Location"])


def test_an_invitation_is_accepted_by_signing_in_through_the_directory(erkelenz_directory):
    from tenants.models import EditorInvitation

    token = invite_anna()
    browser = Browser()
    landed = accept_through_directory(browser, token, erkelenz_directory)
    assert landed.status_code == 302 and landed["Location"] == "/cms/"
    assert opens_cms(browser, ERKELENZ)
    user = account("erkelenz")
    assert not user.has_usable_password() and user.email == ANNA["email"]
    # the invitation's groups beside the mapped one; the invitation is used up
    assert group_names(user) == {"Redaktion", "Moderators", "Editors"}
    invitation = EditorInvitation.objects.get(email=ANNA["email"])
    assert invitation.state == "accepted"
    assert browser.get(f"http://{ERKELENZ}/cms/einladung/{token}/").status_code == 410
    # no local account under the e-mail address, nothing in another portal
    with schema_context("erkelenz"):
        assert not get_user_model().objects.filter(username=ANNA["email"]).exists()
    assert account("gangelt") is None
    # the grant is a row in Erkelenz' own schema, not derived from the (public) audit log
    from tenants.staff_directory.accounts.models import DirectoryAccount

    with schema_context("erkelenz"):
        grant = DirectoryAccount.objects.get(user__username=f"{USERNAME_PREFIX}{ANNA['sub']}")
        assert {g.name for g in grant.invited_groups.all()} == {"Redaktion", "Moderators"}
    # later sign-ins keep the invited groups (the grant counts while the directory still lets
    # Anna sign in), even without a mapped directory group ...
    erkelenz_directory.person["groups"] = []
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    assert group_names(account("erkelenz")) == {"Redaktion", "Moderators"}
    # ... but a person switched off in the directory has no access any more, and the grant ends
    erkelenz_directory.person["active"] = False
    refused = Browser()
    assert "berechtigt nicht" in refusal(
        refused, ERKELENZ, sign_in(refused, ERKELENZ, erkelenz_directory)
    )
    assert not account("erkelenz").is_active
    erkelenz_directory.person.pop("active")
    assert "berechtigt nicht" in refusal(
        refused, ERKELENZ, sign_in(refused, ERKELENZ, erkelenz_directory)
    )
    # back in a mapped directory group: switched on again, with the mapped group only
    erkelenz_directory.person["groups"] = ["kp-redaktion"]
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    assert group_names(account("erkelenz")) == {"Editors"}


def test_removing_an_invited_group_in_wagtail_revokes_it(erkelenz_directory):
    accept_through_directory(Browser(), invite_anna(), erkelenz_directory)
    with schema_context("erkelenz"):
        from django.contrib.auth.models import Group

        account("erkelenz").groups.remove(Group.objects.get(name="Redaktion"))
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    assert group_names(account("erkelenz")) == {"Editors", "Moderators"}
    # the last invited group removed from the group's side; no mapped group left: switched off
    with schema_context("erkelenz"):
        Group.objects.get(name="Moderators").user_set.remove(account("erkelenz"))
    erkelenz_directory.person["groups"] = []
    browser = Browser()
    assert "berechtigt nicht" in refusal(
        browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory)
    )
    assert not account("erkelenz").is_active


def test_an_account_switched_off_in_wagtail_stays_off(erkelenz_directory):
    """The review's case: the municipality's admin removes the groups and switches the account
    off; a directory sign-in neither switches it on again nor gives the groups back."""
    accept_through_directory(Browser(), invite_anna(), erkelenz_directory)
    with schema_context("erkelenz"):
        user = account("erkelenz")
        user.groups.clear()
        user.is_active = False
        user.save()
    for groups in ([], ["kp-redaktion"]):  # with or without a mapped directory group
        erkelenz_directory.person["groups"] = groups
        browser = Browser()
        message = refusal(browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory))
        assert "Verwaltung dieses Portals hat Ihr Konto abgeschaltet" in message
        assert not opens_cms(browser, ERKELENZ)
        user = account("erkelenz")
        assert not user.is_active and not group_names(user)
    # switched off without touching the groups: the grant ends all the same
    with schema_context("erkelenz"):
        user.is_active = True
        user.save()
    erkelenz_directory.person["groups"] = []
    browser = Browser()
    assert "berechtigt nicht" in refusal(
        browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory)
    )


def test_a_tenant_recreated_under_the_same_slug_inherits_no_grant(erkelenz_directory):
    """An old audit entry "invitation_accepted" for the same slug and user name grants
    nothing: the grant lives in the tenant's schema only."""
    from tenants.actions import _audit

    _audit(
        "erkelenz",
        "invitation_accepted",
        ANNA["email"],
        invitation=1,
        username=f"{USERNAME_PREFIX}{ANNA['sub']}",
        via="directory",
    )
    erkelenz_directory.person["groups"] = []
    browser = Browser()
    assert "berechtigt nicht" in refusal(
        browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory)
    )
    assert account("erkelenz") is None


@pytest.mark.parametrize("verified", ["false", "no", "true", 1, None])
def test_an_invitation_needs_email_verified_true(erkelenz_directory, verified):
    from tenants.models import EditorInvitation

    if verified is None:
        erkelenz_directory.person.pop("email_verified")
    else:
        erkelenz_directory.person["email_verified"] = verified
    browser = Browser()
    message = refusal(
        browser, ERKELENZ, accept_through_directory(browser, invite_anna(), erkelenz_directory)
    )
    assert "Das Verzeichnis hat nicht bestätigt, dass anna.schmitz@erkelenz.example" in message
    assert account("erkelenz") is None
    assert EditorInvitation.objects.get(email=ANNA["email"]).state == "open"


def test_a_directory_without_the_claim_can_be_trusted_explicitly(erkelenz_directory):
    erkelenz_directory.person.pop("email_verified")
    StaffDirectory.objects.filter(tenant__slug="erkelenz").update(emails_verified=True)
    landed = accept_through_directory(Browser(), invite_anna(), erkelenz_directory)
    assert landed.status_code == 302 and landed["Location"] == "/cms/"
    assert {"Redaktion", "Moderators"} <= group_names(account("erkelenz"))
    # an explicit "false" is never overridden by the setting
    other = invite_anna(email="bernd.beispiel@erkelenz.example")
    erkelenz_directory.person = {
        "sub": "bernd",
        "email": "bernd.beispiel@erkelenz.example",
        "email_verified": False,
        "groups": [],
    }
    browser = Browser()
    assert "nicht bestätigt" in refusal(
        browser, ERKELENZ, accept_through_directory(browser, other, erkelenz_directory)
    )


def test_an_invitation_for_another_address_is_not_accepted_through_the_directory(
    erkelenz_directory,
):
    from tenants.models import EditorInvitation

    token = invite_anna(email="bernd.beispiel@erkelenz.example")
    browser = Browser()
    message = refusal(
        browser, ERKELENZ, accept_through_directory(browser, token, erkelenz_directory)
    )
    assert "gilt für bernd.beispiel@erkelenz.example" in message
    assert account("erkelenz") is None
    assert EditorInvitation.objects.get(email="bernd.beispiel@erkelenz.example").state == "open"


def test_a_used_invitation_cannot_start_a_directory_sign_in(erkelenz_directory):
    token = invite_anna()
    accept_through_directory(Browser(), token, erkelenz_directory)
    browser = Browser()
    browser.get(f"http://{ERKELENZ}/cms/login/")
    again = browser.post(f"http://{ERKELENZ}/cms/verzeichnis/anmelden/", {"invitation": token})
    assert "schon angenommen" in refusal(browser, ERKELENZ, again)
    # an unknown token does not start one either
    forged = browser.post(f"http://{ERKELENZ}/cms/verzeichnis/anmelden/", {"invitation": "x"})
    assert "ungültig" in refusal(browser, ERKELENZ, forged)


def test_the_invitation_page_offers_the_directory_only_where_one_is_configured(db):
    from tenants.invitations import do_invite_editor

    _, link = do_invite_editor(
        tenant=Tenant.objects.get(slug="gangelt"),
        name="Bernd Beispiel",
        email="bernd@gangelt.example",
        origin=f"http://{GANGELT}",
    )
    page = Browser().get(link).content.decode()
    assert "Passwort festlegen und anmelden" in page and BUTTON not in page


# --- signing out ends the directory's session too (RP-initiated logout) -------------------------


def test_signing_out_of_the_cms_signs_out_at_the_directory(erkelenz_directory):
    browser = Browser()
    sign_in(browser, ERKELENZ, erkelenz_directory)
    assert opens_cms(browser, ERKELENZ)
    answer = browser.post(f"http://{ERKELENZ}/cms/logout/", {})
    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{erkelenz_directory.issuer}/logout?")
    params = query(answer["Location"])
    assert params["id_token_hint"] == erkelenz_directory.issued_id_tokens[-1]
    assert params["post_logout_redirect_uri"] == f"http://{ERKELENZ}/cms/login/"
    assert params["client_id"] == "portal-erkelenz"
    # the portal's session has ended already; the directory sends the browser back to login
    assert not opens_cms(browser, ERKELENZ)
    back = requests.get(answer["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302 and back.headers["Location"] == f"http://{ERKELENZ}/cms/login/"
    assert erkelenz_directory.logouts[-1]["id_token_hint"] == params["id_token_hint"]


def test_signing_out_without_an_end_session_endpoint_or_with_a_password(erkelenz_directory):
    # a directory that offers no RP-initiated logout: Wagtail's own sign-out only
    erkelenz_directory.offers_logout = False
    browser = Browser()
    sign_in(browser, ERKELENZ, erkelenz_directory)
    answer = browser.post(f"http://{ERKELENZ}/cms/logout/", {})
    assert answer.status_code == 302 and answer["Location"] == "/cms/login/"
    assert not opens_cms(browser, ERKELENZ)
    # a local account on a portal with a directory never goes to the directory
    erkelenz_directory.offers_logout = True
    with schema_context("erkelenz"):
        get_user_model().objects.create_user(
            "lokal", password="Lokal-Passwort-2026", is_staff=True, is_superuser=True
        )
    local = Browser()
    signed_in = local.post(
        f"http://{ERKELENZ}/cms/login/", {"username": "lokal", "password": "Lokal-Passwort-2026"}
    )
    assert signed_in.status_code == 302
    answer = local.post(f"http://{ERKELENZ}/cms/logout/", {})
    assert answer.status_code == 302 and answer["Location"] == "/cms/login/"
    assert erkelenz_directory.logouts == []


def test_switching_the_account_off_with_wagtails_bulk_action_keeps_it_off(
    erkelenz_directory, client
):
    """Through Wagtail itself: a local admin marks Anna inactive with the users list's bulk
    action (it writes with update(), no signal); reactivated later, the grant is gone."""
    accept_through_directory(Browser(), invite_anna(), erkelenz_directory)
    with schema_context("erkelenz"):
        get_user_model().objects.create_superuser("admin-erk", "a@erkelenz.example", "Adm-2026!")
        anna = account("erkelenz")
    signed_in = client.post(
        "/cms/login/", {"username": "admin-erk", "password": "Adm-2026!"}, HTTP_HOST=ERKELENZ
    )
    assert signed_in.status_code == 302
    url = f"/cms/bulk/auth/user/set_active_state/?id={anna.pk}&next=/cms/users/"
    done = client.post(url, {"mark_as_active": "False"}, HTTP_HOST=ERKELENZ)
    assert done.status_code == 302
    assert not account("erkelenz").is_active
    browser = Browser()
    message = refusal(browser, ERKELENZ, sign_in(browser, ERKELENZ, erkelenz_directory))
    assert "Verwaltung dieses Portals hat Ihr Konto abgeschaltet" in message
    assert not account("erkelenz").is_active
    # switched on again by the admin: the directory's mapped groups only, no invited ones
    client.post(url, {"mark_as_active": "True"}, HTTP_HOST=ERKELENZ)
    assert sign_in(Browser(), ERKELENZ, erkelenz_directory)["Location"] == "/cms/"
    assert group_names(account("erkelenz")) == {"Editors"}
