"""The portal's administration revokes what an invitation granted a directory account: removing
an invited group from the user (Wagtail's user or group forms, the shell) drops it from the
grant; switching the account off drops the whole grant and marks the account as switched off by
the portal, so the next directory sign-in does not switch it on again."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from tenants.staff_directory.accounts.models import SWITCHED_OFF_BY_PORTAL, DirectoryAccount

# the user names of directory accounts (tenants.staff_directory.actions); ":" cannot be typed
# into Django's or Wagtail's user forms (the username validator refuses it), so no local account
# can take the name of a directory account
USERNAME_PREFIX = "verzeichnis:"
# set on a user instance by the directory sign-in while it switches the account off itself
DIRECTORY_SWITCH_OFF = "_switched_off_by_directory"

User = get_user_model()


def _in_tenant_schema() -> bool:
    return getattr(connection, "schema_name", "public") != "public"


def _is_directory_account(user) -> bool:
    return str(getattr(user, "username", "")).startswith(USERNAME_PREFIX)


@receiver(post_save, sender=User, dispatch_uid="directory_account_switched_off_locally")
def switched_off_locally(sender, instance, **kwargs) -> None:
    if instance.is_active or not _is_directory_account(instance) or not _in_tenant_schema():
        return
    if getattr(instance, DIRECTORY_SWITCH_OFF, False):
        return
    account, _ = DirectoryAccount.objects.get_or_create(user=instance)
    account.switched_off_by = SWITCHED_OFF_BY_PORTAL
    account.save(update_fields=["switched_off_by", "updated"])
    account.invited_groups.clear()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="directory_invited_group_removed")
def invited_group_removed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in ("post_remove", "post_clear") or not _in_tenant_schema():
        return
    grants = DirectoryAccount.invited_groups.through.objects
    if not reverse:  # user.groups.remove(...) / .clear() / .set(...)
        if not _is_directory_account(instance):
            return
        grants = grants.filter(directoryaccount__user=instance)
        if action == "post_remove":
            grants = grants.filter(group_id__in=pk_set)
    else:  # group.user_set.remove(...) / .clear()
        grants = grants.filter(group_id=instance.pk)
        if action == "post_remove":
            grants = grants.filter(directoryaccount__user_id__in=pk_set)
    grants.delete()
