"""Writes: the staff account of a person who signed in through the tenant's directory.

Runs in the schema of the tenant whose host the person is on (the request's schema), so the
account exists in that tenant's schema only.

A person invited to the editorial team (tenants.invitations) may accept the invitation by signing
in through the directory instead of setting a password, if the directory vouches for the invited
e-mail address (``email_verified: true`` in the ID token, or the directory's setting "E-Mail-
Adressen des Verzeichnisses gelten als bestätigt" for directories that never send the claim).
The invitation's groups ("Redaktion", "Moderators") are then recorded as a grant of that
directory account in the tenant's own schema (accounts.models.DirectoryAccount) and kept beside
the mapped groups at every later sign-in, even without a mapped directory group, as long as the
directory still lets the person sign in and the portal's administration has not revoked them:
removing such a group from the user in Wagtail drops it from the grant, switching the account
off drops the whole grant.

"Deactivated in the directory" means, at the next sign-in, any of:
- the directory refuses the sign-in (the person is disabled or deleted there): no account is
  touched, the portal shows the refusal;
- the ID token carries the claim ``active`` with the value false;
- none of the person's directory groups maps to a group of this portal any more, and no
  invitation grant is left.
In the last two cases an existing account is switched off (inactive, not staff, no groups, the
invitation grant ends too), so a session still open elsewhere ends at its next request. Directory
sessions last at most DIRECTORY_SESSION_SECONDS in any case. A later sign-in with mapped groups
switches an account the directory switched off on again.

An account the portal's administration switched off (inactive, set in Wagtail) stays off: a
directory sign-in is refused with a message saying so and changes nothing.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.actions import _audit
from tenants.errors import TenantActionError
from tenants.invitations import EDITORIAL_GROUP, RIGHTS_GROUP, lock_open_invitation
from tenants.staff_directory.accounts.models import (
    SWITCHED_OFF_BY_DIRECTORY,
    SWITCHED_OFF_BY_PORTAL,
    DirectoryAccount,
)
from tenants.staff_directory.accounts.signals import DIRECTORY_SWITCH_OFF, USERNAME_PREFIX
from tenants.staff_directory.models import StaffDirectory
from tenants.staff_directory.selectors import mapped_group_names

log = logging.getLogger(__name__)

# a working day: a person switched off in the directory loses an open session by then at latest
DIRECTORY_SESSION_SECONDS = 8 * 3600


class DirectoryAccessRefused(Exception):
    """The person may not use this portal's CMS; the message is German, for the login page."""


def directory_username(subject: str) -> str:
    name = f"{USERNAME_PREFIX}{subject}"
    if len(name) <= 150:
        return name
    return f"{USERNAME_PREFIX}{hashlib.sha256(subject.encode()).hexdigest()}"


def _switch_off(user) -> None:
    """Switched off because of the directory: a later sign-in may switch it on again."""
    setattr(user, DIRECTORY_SWITCH_OFF, True)
    user.is_active = False
    user.is_staff = False
    user.save(update_fields=["is_active", "is_staff"])
    user.groups.clear()  # ends the invitation grant too (accounts.signals)
    account, _ = DirectoryAccount.objects.get_or_create(user=user)
    account.switched_off_by = SWITCHED_OFF_BY_DIRECTORY
    account.save(update_fields=["switched_off_by", "updated"])


INVITED_GROUPS = frozenset({EDITORIAL_GROUP, RIGHTS_GROUP})
ACCEPTED_THROUGH_DIRECTORY = "invitation_accepted"

NO_ACCESS = _(
    "Ihr Konto im Verzeichnis der Kommune berechtigt nicht (mehr) zur Arbeit in "
    "diesem Portal. Bitte wenden Sie sich an die IT Ihrer Verwaltung."
)
SWITCHED_OFF_LOCALLY = _(
    "Die Verwaltung dieses Portals hat Ihr Konto abgeschaltet. Die Anmeldung über das "
    "Verzeichnis schaltet es nicht wieder ein; bitte wenden Sie sich an die Redaktion oder "
    "die IT Ihrer Verwaltung."
)


def invited_group_names(user) -> set[str]:
    """The groups an invitation accepted through the directory granted this account and the
    portal's administration has not taken away since (accounts.models.DirectoryAccount)."""
    if user is None or user.pk is None:
        return set()
    return set(
        Group.objects.filter(
            pk__in=DirectoryAccount.invited_groups.through.objects.filter(
                directoryaccount__user=user
            ).values("group_id")
        ).values_list("name", flat=True)
    )


def do_sign_in_from_directory(*, directory: StaffDirectory, claims: dict):
    """Create or update the staff account for verified ID token claims and return it; groups
    are replaced by the mapped ones (and those an accepted invitation still grants) at every
    sign-in. Raises DirectoryAccessRefused (after switching an existing account off) when the
    person has no access (see module docstring)."""
    username = directory_username(str(claims["sub"]))
    user, refusal = _sign_in(
        username=username, group_names=mapped_group_names(directory, claims), claims=claims
    )
    if refusal:
        raise DirectoryAccessRefused(str(refusal))
    return user


def _sign_in(*, username: str, group_names: set[str], claims: dict, invited: bool = False):
    """Returns (user, None) or (None, refusal message). Runs in the caller's transaction (or
    its own); the invitation grant is added to `group_names` here, under the row lock.
    With `invited`, the invitation's groups become the account's grant."""
    users = get_user_model().objects
    active_in_directory = claims.get("active", True) is not False
    with transaction.atomic():
        user = users.select_for_update().filter(username=username).first()
        account = DirectoryAccount.objects.filter(user=user).first() if user else None
        if (
            user is not None
            and not user.is_active
            and (account is None or account.switched_off_by != SWITCHED_OFF_BY_DIRECTORY)
        ):
            # also for a switch-off the signals did not see (Wagtail's bulk action "set active
            # state" writes with update()): the grant ends, the account is marked
            account, _ = DirectoryAccount.objects.get_or_create(user=user)
            account.switched_off_by = SWITCHED_OFF_BY_PORTAL
            account.save(update_fields=["switched_off_by", "updated"])
            account.invited_groups.clear()
            log.warning("staff directory sign-in refused (switched off locally) for %s", username)
            return None, SWITCHED_OFF_LOCALLY
        granted = set(INVITED_GROUPS) if invited else invited_group_names(user)
        wanted = group_names | granted
        groups = list(Group.objects.filter(name__in=wanted))
        if not active_in_directory or not groups:
            if user is not None:
                _switch_off(user)
            reason = "inactive" if not active_in_directory else "no mapped group"
            log.warning("staff directory sign-in refused (%s) for %s", reason, username)
            return None, NO_ACCESS
        if user is None:
            user = users.model(username=username)
            user.set_unusable_password()
        user.first_name = str(claims.get("given_name", ""))[:150]
        user.last_name = str(claims.get("family_name", ""))[:150]
        user.email = str(claims.get("email", ""))[:254]
        user.is_active = True
        user.is_staff = True
        user.save()
        user.groups.set(groups)
        account, _ = DirectoryAccount.objects.get_or_create(user=user)
        if account.switched_off_by:
            account.switched_off_by = ""
            account.save(update_fields=["switched_off_by", "updated"])
        if invited:
            account.invited_groups.add(*(g for g in groups if g.name in INVITED_GROUPS))
    log.info("staff directory sign-in of %s with groups %s", username, sorted(wanted))
    return user, None


def do_accept_invitation_from_directory(*, directory: StaffDirectory, token: str, claims: dict):
    """Accept an editorial invitation by signing in through the tenant's directory: the
    directory account (created or found by its subject) gets the invitation's groups beside
    the mapped ones, and the invitation is used up. The directory must vouch for the invited
    e-mail address, so a forwarded link does not make someone else an editor. Raises a German
    TenantActionError (invitation not open, other address) or DirectoryAccessRefused; nothing
    is written then."""
    tenant = directory.tenant
    username = directory_username(str(claims["sub"]))
    with transaction.atomic():
        invitation = lock_open_invitation(tenant, token)
        email = str(claims.get("email") or "").strip().lower()
        if email != invitation.email.lower():
            raise TenantActionError(
                f"Diese Einladung gilt für {invitation.email}; das Verzeichnis hat Sie als "
                f"{email or 'Person ohne E-Mail-Adresse'} angemeldet. Melden Sie sich mit dem "
                "eingeladenen Konto an oder legen Sie ein Passwort fest."
            )
        # the setting stands in for a claim the directory never sends, never for a "false"
        trusted = directory.emails_verified and "email_verified" not in claims
        if claims.get("email_verified") is not True and not trusted:
            raise TenantActionError(
                f"Das Verzeichnis hat nicht bestätigt, dass {invitation.email} Ihre "
                "E-Mail-Adresse ist. Legen Sie bitte ein Passwort fest, um die Einladung "
                "anzunehmen, oder wenden Sie sich an die IT Ihrer Verwaltung."
            )
        if get_user_model().objects.filter(username__iexact=invitation.email).exists():
            raise TenantActionError(
                f"Für {invitation.email} gibt es in diesem Portal schon ein Konto."
            )
        user, refusal = _sign_in(
            username=username,
            group_names=mapped_group_names(directory, claims),
            claims=claims,
            invited=True,
        )
        if refusal:
            raise DirectoryAccessRefused(str(refusal))
        if len({g.name for g in user.groups.all()} & INVITED_GROUPS) != len(INVITED_GROUPS):
            raise TenantActionError(
                f"Die Gruppe „{EDITORIAL_GROUP}“ fehlt im Portal {tenant.slug!r}."
            )
        DirectoryAccount.objects.filter(user=user).update(invitation_id=invitation.pk)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        _audit(
            tenant.slug,
            ACCEPTED_THROUGH_DIRECTORY,
            invitation.email,
            invitation=invitation.pk,
            username=username,
            via="directory",
        )
    return user
