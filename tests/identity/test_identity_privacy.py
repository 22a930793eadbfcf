"""The SSO code is bound to the browser that started the login; the public schema keeps no
personal data longer than the broker needs it, and beat purges the rest in the public schema."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from kreisportal.identity.actions import ASSERTION_GRACE, do_purge_expired_broker_records
from kreisportal.identity.models import ConsumedAssertion, LoginCode, SamlLogin, TenantSession
from tests.support.sso import Browser, idp_login, query

BASE = settings.BASE_DOMAIN
PUBLIC = f"{BASE}:8000"
ERKELENZ = f"erkelenz.{BASE}:8000"


@pytest.fixture
def browser(db):
    return Browser()


def _callback_url(browser: Browser, tenant_host: str = ERKELENZ) -> str:
    """Sign in at the sandbox IdP up to the broker's redirect back to the tenant (not followed)."""
    start = browser.get(f"http://{tenant_host}/konto/anmelden/?next=/konto/")
    idp_url = browser.get(start["Location"])["Location"]
    acs_url, encoded = idp_login(browser, idp_url)
    back = browser.post(acs_url, {"SAMLResponse": encoded})
    assert back.status_code == 302 and "/konto/rueckkehr/" in back["Location"]
    return back["Location"]


def _record(code: str) -> LoginCode:
    """The stored row of `code` (browser tests of the session leave committed rows of their
    own, so never "the only row")."""
    return LoginCode.objects.get(code_hash=hashlib.sha256(code.encode()).hexdigest())


# --- finding 6: the code is bound to the state of the login that asked for it ----------------


def test_intercepted_code_with_another_browsers_state_is_refused_and_burnt(browser, caplog):
    victim_callback = _callback_url(browser)
    code = query(victim_callback)["code"]
    # the attacker's browser starts a login of its own (a state in its own tenant session) and
    # presents the victim's code with that state
    attacker = Browser()
    attacker.get(f"http://{ERKELENZ}/konto/anmelden/?next=/konto/")
    own_state = attacker.client(ERKELENZ).session["login_state"]
    stolen = attacker.get(f"http://{ERKELENZ}/konto/rueckkehr/?code={code}&state={own_state}")
    assert stolen.status_code == 400
    assert "nicht in diesem Browser begonnen" in stolen.content.decode()
    assert attacker.get(f"http://{ERKELENZ}/konto/").status_code == 302  # not signed in
    assert any("foreign state" in r.getMessage() for r in caplog.records)
    # the refusal burnt the code: its identity is gone from the public schema at once ...
    record = _record(code)
    assert record.used is not None and record.identity == {}
    # ... and the victim's own browser cannot use it any more either
    late = browser.get(victim_callback)
    assert late.status_code == 400 and "bereits verwendet" in late.content.decode()
    # starting again costs the victim nothing: the broker's session signs in without the IdP
    again = browser.get(f"http://{ERKELENZ}/konto/anmelden/?next=/konto/")
    broker = browser.get(again["Location"])
    assert "/konto/rueckkehr/" in broker["Location"]
    assert browser.get(broker["Location"]).status_code == 302
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 200


def test_code_is_redeemed_with_the_state_that_started_the_login(browser):
    callback = _callback_url(browser)
    assert browser.get(callback)["Location"] == "/konto/"
    assert browser.get(f"http://{ERKELENZ}/konto/").status_code == 200


def test_a_code_issued_without_a_state_is_never_redeemable(browser):
    """Codes from before the binding (no state hash) cannot be redeemed with any state."""
    from kreisportal.identity.broker import LoginRefused, issue_login_code, redeem_login_code

    code = issue_login_code(
        tenant_slug="erkelenz", state="s" * 32, identity={"pseudonym": "x"}, broker_session_key="k"
    )
    LoginCode.objects.update(state_hash="")
    with pytest.raises(LoginRefused):
        redeem_login_code(code=code, tenant_slug="erkelenz", state="")


# --- personal data in the public schema --------------------------------------------------------


def test_identity_leaves_the_login_code_when_redeemed(browser):
    callback = _callback_url(browser)
    record = _record(query(callback)["code"])
    assert record.identity["family_name"] == "Mustermann"  # the broker holds it for <= 60 s
    browser.get(callback)
    record.refresh_from_db()
    assert record.used is not None and record.identity == {}


@pytest.mark.parametrize(
    "query_string",
    [
        "tenant=%00",
        "tenant=erkelenz&state=abcdefghij%00&next=/konto/",
        "tenant=erkelenz&state=abcdefghij&next=/konto/%00",
        "tenant=erkelenz&state=abcdefghij&level=basic%00",
        "tenant=erkelenz&state=abcdefghij&x%00y=1",
    ],
)
def test_nul_in_any_login_start_parameter_is_a_400(browser, query_string):
    response = browser.get(f"http://{PUBLIC}/auth/start/?{query_string}")
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.content.decode()


def test_nul_in_the_logout_tenant_is_a_400(browser):
    assert browser.get(f"http://{PUBLIC}/auth/logout/?tenant=%00").status_code == 400


def test_nul_in_the_tenant_callback_is_refused_not_an_error(browser):
    browser.get(f"http://{ERKELENZ}/konto/anmelden/")
    state = browser.client(ERKELENZ).session["login_state"]
    response = browser.get(f"http://{ERKELENZ}/konto/rueckkehr/?code=a%00b&state={state}")
    assert response.status_code == 400


def _session(key_prefix: str, *, expires_in: timedelta) -> str:
    store = SessionStore()
    store["identity"] = {"family_name": "Mustermann"}
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def _code(name: str, *, expires_in: timedelta, used: bool = False) -> LoginCode:
    return LoginCode.objects.create(
        code_hash=name.ljust(64, "0"),
        state_hash="s" * 64,
        tenant_slug="erkelenz",
        identity={} if used else {"family_name": "Mustermann", "birthdate": "1964-08-12"},
        broker_session_key="k",
        expires=timezone.now() + expires_in,
        used=timezone.now() if used else None,
    )


def test_purge_removes_expired_broker_records_in_the_public_schema(db):
    now = timezone.now()
    with schema_context("public"):
        # only this test's records count (browser tests commit records of their own; the
        # deletion is rolled back with the test)
        for model in (LoginCode, ConsumedAssertion, TenantSession, SamlLogin, Session):
            model.objects.all().delete()
        live_code = _code("live", expires_in=timedelta(seconds=30))
        _code("expired", expires_in=-timedelta(seconds=1))
        _code("expired-used", expires_in=-timedelta(seconds=5), used=True)
        for name, after in [
            ("old", -ASSERTION_GRACE - timedelta(seconds=1)),
            ("in-grace", -ASSERTION_GRACE + timedelta(seconds=30)),
            ("valid", timedelta(minutes=5)),
        ]:
            ConsumedAssertion.objects.create(assertion_id=name, not_on_or_after=now + after)
        live_session = _session("live", expires_in=timedelta(days=1))
        dead_session = _session("dead", expires_in=-timedelta(seconds=1))
        for broker_key in (live_session, dead_session, "never-existed"):
            TenantSession.objects.create(
                broker_session_key=broker_key, tenant_slug="erkelenz", session_key="t" * 32
            )
            SamlLogin.objects.create(
                broker_session_key=broker_key, name_id_hash="h" * 64, session_index="s"
            )
    # a tenant's session of the same key is not the broker's and stays
    with schema_context("erkelenz"):
        tenant_store = SessionStore()
        tenant_store.create()
        Session.objects.filter(session_key=tenant_store.session_key).update(
            expire_date=now - timedelta(days=1)
        )
        # the action works on the public schema whatever schema its caller is in
        result = do_purge_expired_broker_records()
        assert Session.objects.filter(session_key=tenant_store.session_key).exists()
    assert (
        result.login_codes,
        result.consumed_assertions,
        result.broker_sessions,
        result.tenant_session_links,
        result.saml_logins,
    ) == (2, 1, 1, 2, 2)
    with schema_context("public"):
        assert list(LoginCode.objects.values_list("pk", flat=True)) == [live_code.pk]
        assert set(ConsumedAssertion.objects.values_list("assertion_id", flat=True)) == {
            "in-grace",
            "valid",
        }
        assert Session.objects.filter(session_key=live_session).exists()
        assert not Session.objects.filter(session_key=dead_session).exists()
        assert list(TenantSession.objects.values_list("broker_session_key", flat=True)) == [
            live_session
        ]
        assert list(SamlLogin.objects.values_list("broker_session_key", flat=True)) == [
            live_session
        ]


# --- beat: the purge entry reaches the public schema, once ------------------------------------


def _scheduler():
    from kreisportal.beat import PortalScheduler
    from kreisportal.celery import app

    return PortalScheduler(app=app, lazy=False)


def test_beat_sends_the_purge_once_into_the_public_schema(db):
    scheduler = _scheduler()
    sent = []

    def record(entry, producer=None, advance=True, **kwargs):
        sent.append((entry.task, connection.schema_name, entry.options["headers"]))
        return mock.Mock(id="x")

    with mock.patch.object(scheduler, "apply_async", side_effect=record):
        with schema_context("gangelt"):  # whatever schema beat's connection was left in
            scheduler.apply_entry(scheduler.schedule["purge-broker-records@public"])
        scheduler.apply_entry(scheduler.schedule["relay-outbox@__all_tenants_only__"])
    purge = [s for s in sent if s[0] == "identity.purge_broker_records"]
    assert [(schema, headers["_schema_name"]) for _, schema, headers in purge] == [
        ("public", "public")
    ]
    relay_schemas = {schema for task, schema, _ in sent if task == "kreisportal.relay_outbox"}
    assert len(relay_schemas) == 11 and "public" not in relay_schemas  # portals only, as before


def test_beat_entry_runs_the_purge_in_the_public_schema(db):
    from kreisportal.celery import app
    from kreisportal.identity import tasks  # registered, as the worker's autodiscovery does

    original = tasks.do_purge_expired_broker_records
    scheduler = _scheduler()
    with schema_context("public"):
        _code("expired", expires_in=-timedelta(seconds=1))
    ran_in = []

    def purge(**kwargs):
        ran_in.append(connection.schema_name)  # the schema the task itself runs in
        return original(**kwargs)

    app.conf.task_always_eager = True
    try:
        with mock.patch.object(tasks, "do_purge_expired_broker_records", side_effect=purge):
            with schema_context("gangelt"):
                scheduler.apply_entry(scheduler.schedule["purge-broker-records@public"])
    finally:
        app.conf.task_always_eager = False
    assert ran_in == ["public"]
    with schema_context("public"):
        assert not LoginCode.objects.exists()
