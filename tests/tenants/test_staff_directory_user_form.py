"""Wagtail's user edit form (/cms/users/<pk>/) for directory accounts ("verzeichnis:<subject>"):
a municipality's admin switches such an account off or takes a group away there; the user name
stays read-only, local accounts keep Wagtail's normal form (tenants.staff_directory.wagtail_users).
"""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context

from tenants.staff_directory.accounts.models import SWITCHED_OFF_BY_PORTAL, DirectoryAccount
from tests.support.sso import Browser
from tests.tenants.test_staff_directory import (
    ERKELENZ,
    USERNAME_PREFIX,
    accept_through_directory,
    account,
    erkelenz_directory,  # noqa: F401 - fixture
    group_names,
    invite_anna,
    refusal,
    sign_in,
)

ANNA_NAME = f"{USERNAME_PREFIX}a1b2c3d4-anna"


def signed_in_admin(client) -> None:
    with schema_context("erkelenz"):
        get_user_model().objects.create_superuser("admin-erk", "a@erkelenz.example", "Adm-2026!")
    answer = client.post(
        "/cms/login/", {"username": "admin-erk", "password": "Adm-2026!"}, HTTP_HOST=ERKELENZ
    )
    assert answer.status_code == 302


def group_ids(*names: str) -> list[int]:
    with schema_context("erkelenz"):
        return list(Group.objects.filter(name__in=names).values_list("pk", flat=True))


def test_an_admin_switches_a_directory_account_off_in_wagtails_user_form(
    erkelenz_directory,  # noqa: F811
    client,
):
    accept_through_directory(Browser(), invite_anna(), erkelenz_directory)
    signed_in_admin(client)
    anna = account("erkelenz")
    assert group_names(anna) == {"Redaktion", "Moderators", "Editors"}
    url = f"/cms/users/edit/{anna.pk}/"
    page = client.get(url, HTTP_HOST=ERKELENZ).content.decode()
    username_input = re.search(r'<input[^>]*name="username"[^>]*>', page).group(0)
    assert f'value="{ANNA_NAME}"' in username_input and " disabled" in username_input
    assert 'name="password1"' not in page and 'name="password2"' not in page
    # a group taken away (the user name forged in the POST is ignored): saved, grant shrinks
    data = {
        "username": "verzeichnis:jemand-anderes",
        "email": anna.email,
        "first_name": anna.first_name,
        "last_name": anna.last_name,
        "is_active": "on",
        "groups": group_ids("Moderators", "Editors"),
    }
    saved = client.post(url, data, HTTP_HOST=ERKELENZ)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    anna = account("erkelenz")
    assert anna.username == ANNA_NAME and anna.is_active
    assert group_names(anna) == {"Moderators", "Editors"}
    assert not anna.has_usable_password()
    with schema_context("erkelenz"):
        grant = DirectoryAccount.objects.get(user=anna)
        assert {g.name for g in grant.invited_groups.all()} == {"Moderators"}
    # switched off, with empty names (the directory may send none) and a forged local name
    data.update(username="anna", first_name="", last_name="", groups=group_ids("Editors"))
    del data["is_active"]
    saved = client.post(url, data, HTTP_HOST=ERKELENZ)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    anna = account("erkelenz")
    assert anna.username == ANNA_NAME and not anna.is_active
    assert group_names(anna) == {"Editors"}
    with schema_context("erkelenz"):
        assert not get_user_model().objects.filter(username="anna").exists()
        grant = DirectoryAccount.objects.get(user=anna)
        assert grant.switched_off_by == SWITCHED_OFF_BY_PORTAL
        assert not grant.invited_groups.exists()
    # the next directory sign-in is refused and changes nothing
    refused = Browser()
    message = refusal(refused, ERKELENZ, sign_in(refused, ERKELENZ, erkelenz_directory))
    assert "Verwaltung dieses Portals hat Ihr Konto abgeschaltet" in message
    assert not account("erkelenz").is_active


def test_a_local_accounts_form_validates_as_before(erkelenz_directory, client):  # noqa: F811
    signed_in_admin(client)
    with schema_context("erkelenz"):
        local = get_user_model().objects.create_user(
            "lokal", "l@erkelenz.example", "Lokal-Passwort-2026", first_name="L", last_name="K"
        )
    url = f"/cms/users/edit/{local.pk}/"
    page = client.get(url, HTTP_HOST=ERKELENZ).content.decode()
    assert 'name="password1"' in page and 'name="username"' in page
    data = {
        "username": "verzeichnis:a1b2c3d4-anna",  # a local account cannot take a directory name
        "email": "l@erkelenz.example",
        "first_name": "L",
        "last_name": "K",
        "is_active": "on",
        "groups": group_ids("Editors"),
    }
    refused = client.post(url, data, HTTP_HOST=ERKELENZ)
    assert refused.status_code == 200
    assert refused.context["form"].errors.keys() == {"username"}
    data.update(username="lokal", first_name="", password1="Neu-Passwort-2026", password2="x")
    refused = client.post(url, data, HTTP_HOST=ERKELENZ)
    assert refused.status_code == 200
    assert refused.context["form"].errors.keys() == {"first_name", "password2"}
    data.update(username="lokal-neu", first_name="L", password2="Neu-Passwort-2026")
    saved = client.post(url, data, HTTP_HOST=ERKELENZ)
    assert saved.status_code == 302
    with schema_context("erkelenz"):
        local.refresh_from_db()
    assert local.username == "lokal-neu" and local.check_password("Neu-Passwort-2026")
