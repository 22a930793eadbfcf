"""The first editor by invitation (issue 19): the IT team invites by name and e-mail from the
tenant administration; the one-time, expiring link sets a password on the tenant's /cms/; the
person lands in "Redaktion" and may invite colleagues; resend and revoke; every refusal German and
nothing half-created."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.models import EditorInvitation, Tenant

ADMIN_HOST = f"admin.{settings.BASE_DOMAIN}"
GANGELT = "gangelt.localhost"
PASSWORD = "Rathaus-Gangelt-2026!"


@pytest.fixture
def gangelt(db) -> Tenant:
    return Tenant.objects.get(slug="gangelt")


def invitations_url(tenant: Tenant) -> str:
    return f"/admin/tenants/tenant/{tenant.pk}/einladungen/"


def invite(it_admin, tenant, capture, email="erika@gangelt.example", name="Erika Beispiel"):
    with capture(execute=True):
        return it_admin.post(
            invitations_url(tenant),
            {"do": "invite", "name": name, "email": email},
            HTTP_HOST=ADMIN_HOST,
        )


def link_path(link: str, host: str = GANGELT) -> str:
    return link.removeprefix(f"http://{host}")


def user_exists(schema: str, username: str) -> bool:
    with schema_context(schema):
        return get_user_model().objects.filter(username=username).exists()


def test_it_invites_the_first_editor_who_accepts_once_and_lands_in_redaktion(
    it_admin, gangelt, django_capture_on_commit_callbacks
):
    change = it_admin.get(f"/admin/tenants/tenant/{gangelt.pk}/change/", HTTP_HOST=ADMIN_HOST)
    assert "Redaktion einladen" in change.content.decode()
    response = invite(it_admin, gangelt, django_capture_on_commit_callbacks)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    link = response.context["link"]
    assert re.fullmatch(r"http://gangelt\.localhost/cms/einladung/[\w-]{40,}/", link)
    assert link in response.content.decode()
    # the e-mail went through Django's mail backend, with the same link
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["erika@gangelt.example"]
    assert "Stadt Gangelt" in message.subject or gangelt.name in message.subject
    assert link in message.body and "Erika Beispiel" in message.body
    # only the token's hash is stored; no account exists before acceptance
    invitation = EditorInvitation.objects.get(tenant=gangelt)
    assert link.split("/")[-2] not in invitation.token_hash
    assert not user_exists("gangelt", "erika@gangelt.example")
    # the link, on Gangelt's host: set a password and be signed in
    person = Client()
    form = person.get(link_path(link), HTTP_HOST=GANGELT)
    assert form.status_code == 200
    assert "Willkommen in der Redaktion" in form.content.decode()
    done = person.post(
        link_path(link), {"new_password1": PASSWORD, "new_password2": PASSWORD}, HTTP_HOST=GANGELT
    )
    assert done.status_code == 302 and done["Location"] == "/cms/"
    assert person.get("/cms/", HTTP_HOST=GANGELT).status_code == 200
    with schema_context("gangelt"):
        erika = get_user_model().objects.get(username="erika@gangelt.example")
        assert erika.is_staff and erika.check_password(PASSWORD)
        assert (erika.first_name, erika.last_name) == ("Erika", "Beispiel")
        assert set(erika.groups.values_list("name", flat=True)) == {"Redaktion", "Moderators"}
        assert erika.has_perm("cms.change_brandingsettings")
    for other in ("public", "erkelenz", "kreis"):
        assert not user_exists(other, "erika@gangelt.example")
    # single use
    again = Client().get(link_path(link), HTTP_HOST=GANGELT)
    assert again.status_code == 410
    assert "schon angenommen" in again.content.decode()
    # the account signs in to Gangelt's /cms/ only
    credentials = {"username": "erika@gangelt.example", "password": PASSWORD}
    assert Client().post("/cms/login/", credentials, HTTP_HOST=GANGELT).status_code == 302
    assert (
        Client().post("/cms/login/", credentials, HTTP_HOST="erkelenz.localhost").status_code == 200
    )
    listing = it_admin.get(invitations_url(gangelt), HTTP_HOST=ADMIN_HOST).content.decode()
    assert "angenommen" in listing and link not in listing  # the link is never shown again


def test_resend_makes_the_old_link_invalid_and_revoke_ends_the_invitation(
    it_admin, gangelt, django_capture_on_commit_callbacks
):
    first = invite(it_admin, gangelt, django_capture_on_commit_callbacks).context["link"]
    invitation = EditorInvitation.objects.get(tenant=gangelt)
    with django_capture_on_commit_callbacks(execute=True):
        resent = it_admin.post(
            invitations_url(gangelt), {"do": "resend", "id": invitation.pk}, HTTP_HOST=ADMIN_HOST
        )
    second = resent.context["link"]
    assert second and second != first and len(mail.outbox) == 2 and second in mail.outbox[1].body
    old = Client().get(link_path(first), HTTP_HOST=GANGELT)
    assert old.status_code == 410 and "ungültig" in old.content.decode()
    assert Client().get(link_path(second), HTTP_HOST=GANGELT).status_code == 200
    revoked = it_admin.post(
        invitations_url(gangelt), {"do": "revoke", "id": invitation.pk}, HTTP_HOST=ADMIN_HOST
    )
    assert revoked.status_code == 302
    refused = Client().post(
        link_path(second), {"new_password1": PASSWORD, "new_password2": PASSWORD}, HTTP_HOST=GANGELT
    )
    assert refused.status_code == 410 and "widerrufen" in refused.content.decode()
    assert not user_exists("gangelt", "erika@gangelt.example")
    # a revoked invitation is neither resent nor revoked again
    again = it_admin.post(
        invitations_url(gangelt), {"do": "resend", "id": invitation.pk}, HTTP_HOST=ADMIN_HOST
    )
    assert "kann nicht erneut gesendet werden" in again.content.decode()


def test_an_expired_link_is_refused_and_creates_nothing(
    it_admin, gangelt, django_capture_on_commit_callbacks
):
    link = invite(it_admin, gangelt, django_capture_on_commit_callbacks).context["link"]
    EditorInvitation.objects.filter(tenant=gangelt).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    refused = Client().post(
        link_path(link), {"new_password1": PASSWORD, "new_password2": PASSWORD}, HTTP_HOST=GANGELT
    )
    assert refused.status_code == 410
    assert "Diese Einladung ist abgelaufen" in refused.content.decode()
    assert not user_exists("gangelt", "erika@gangelt.example")
    listing = it_admin.get(invitations_url(gangelt), HTTP_HOST=ADMIN_HOST).content.decode()
    assert "abgelaufen" in listing and "Erneut senden" in listing


def test_a_link_is_bound_to_its_portal(it_admin, gangelt, django_capture_on_commit_callbacks):
    link = invite(it_admin, gangelt, django_capture_on_commit_callbacks).context["link"]
    elsewhere = Client().post(
        link_path(link),
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        HTTP_HOST="erkelenz.localhost",
    )
    assert elsewhere.status_code == 410 and "ungültig" in elsewhere.content.decode()
    for schema in ("erkelenz", "gangelt"):
        assert not user_exists(schema, "erika@gangelt.example")
    assert EditorInvitation.objects.get(tenant=gangelt).state == "open"


def test_a_weak_password_rerenders_and_keeps_the_invitation_open(
    it_admin, gangelt, django_capture_on_commit_callbacks
):
    link = invite(it_admin, gangelt, django_capture_on_commit_callbacks).context["link"]
    weak = Client().post(
        link_path(link), {"new_password1": "123", "new_password2": "123"}, HTTP_HOST=GANGELT
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    mismatch = Client().post(
        link_path(link), {"new_password1": PASSWORD, "new_password2": "anders"}, HTTP_HOST=GANGELT
    )
    assert mismatch.status_code == 200 and mismatch.context["form"].errors
    assert not user_exists("gangelt", "erika@gangelt.example")
    assert EditorInvitation.objects.get(tenant=gangelt).state == "open"


def test_invitation_refusals_are_german_and_create_nothing(
    it_admin, gangelt, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    bad = invite(it_admin, gangelt, capture, email="kein-mail")
    assert bad.status_code == 200 and "email" in bad.context["form"].errors
    assert invite(it_admin, gangelt, capture).context["link"]
    twice = invite(it_admin, gangelt, capture, email="ERIKA@gangelt.example")
    assert twice.context["link"] is None
    assert "ist schon eingeladen" in twice.content.decode()
    with schema_context("gangelt"):
        get_user_model().objects.create_user("max", email="max@gangelt.example")
    taken = invite(it_admin, gangelt, capture, email="max@gangelt.example", name="Max")
    assert "gibt es in diesem Portal schon ein Konto" in taken.content.decode()
    assert EditorInvitation.objects.filter(tenant=gangelt).count() == 1
    assert len(mail.outbox) == 1


def test_another_portals_invitation_cannot_be_resent_or_revoked(
    it_admin, gangelt, django_capture_on_commit_callbacks
):
    invite(it_admin, gangelt, django_capture_on_commit_callbacks)
    invitation = EditorInvitation.objects.get(tenant=gangelt)
    selfkant = Tenant.objects.get(slug="selfkant")
    for action in ("resend", "revoke"):
        response = it_admin.post(
            invitations_url(selfkant), {"do": action, "id": invitation.pk}, HTTP_HOST=ADMIN_HOST
        )
        assert "Diese Einladung gibt es nicht" in response.content.decode()
        assert response.context["link"] is None
    invitation.refresh_from_db()
    assert invitation.state == "open"
    # an anonymous visitor reaches no invitation page
    anonymous = Client().get(invitations_url(gangelt), HTTP_HOST=ADMIN_HOST)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def staff_client(schema: str, host: str, username: str, groups: list[str]) -> Client:
    with schema_context(schema):
        user = get_user_model().objects.create_user(
            username, email=f"{username}@example.org", password="Geheim-2026!", is_staff=True
        )
        user.groups.add(*Group.objects.filter(name__in=groups))
    client = Client()
    assert client.login(username=username, password="Geheim-2026!")  # noqa: S106
    return client


def test_redaktion_invites_colleagues_in_its_wagtail_and_others_may_not(
    db, gangelt, django_capture_on_commit_callbacks
):
    # client.login needs the tenant's schema for the user lookup
    with schema_context("gangelt"):
        member = staff_client("gangelt", GANGELT, "anna", ["Redaktion", "Moderators"])
        moderator = staff_client("gangelt", GANGELT, "bernd", ["Moderators"])
    home = member.get("/cms/", HTTP_HOST=GANGELT).content.decode()
    assert "Kolleginnen und Kollegen einladen" in home
    assert (
        "Kolleginnen und Kollegen einladen"
        not in moderator.get("/cms/", HTTP_HOST=GANGELT).content.decode()
    )
    assert moderator.get("/cms/einladen/", HTTP_HOST=GANGELT).status_code in (302, 403)
    refused = moderator.post(
        "/cms/einladen/", {"name": "X", "email": "x@gangelt.example"}, HTTP_HOST=GANGELT
    )
    assert refused.status_code in (302, 403)
    assert Client().get("/cms/einladen/", HTTP_HOST=GANGELT).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(
            "/cms/einladen/",
            {"name": "Carla Kollegin", "email": "carla@gangelt.example"},
            HTTP_HOST=GANGELT,
        )
    assert response.status_code == 200
    link = response.context["link"]
    assert link.startswith("http://gangelt.localhost/cms/einladung/")
    assert [m.to for m in mail.outbox] == [["carla@gangelt.example"]]
    invitation = EditorInvitation.objects.get(tenant=gangelt)
    assert invitation.invited_by == "anna" and invitation.email == "carla@gangelt.example"
    # no other tenant got it
    assert not EditorInvitation.objects.exclude(tenant=gangelt).exists()


def test_every_tenant_and_the_template_have_the_group_redaktion(db):
    for schema in (settings.TENANT_BASE_SCHEMA, "kreis", "erkelenz"):
        with schema_context(schema):
            group = Group.objects.get(name="Redaktion")
            codenames = set(group.permissions.values_list("codename", flat=True))
            assert {"access_admin", "view_brandingsettings", "change_brandingsettings"} <= codenames
            # Wagtail's groups keep working
            assert Group.objects.filter(name__in=["Editors", "Moderators"]).count() == 2
