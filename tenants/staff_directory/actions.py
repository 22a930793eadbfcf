"""Writes: the staff account of a person who signed in through the tenant's directory.

Runs in the schema of the tenant whose host the person is on (the request's schema), so the
account exists in that tenant's schema only.

A person invited to the editorial team (tenants.invitations) may accept the invitation by signing
in through the directory instead of setting a password: the invitation is then linked to their
directory account, which keeps the invitation's groups ("Redaktion", "Moderators") beside the
mapped ones at every later sign-in.

"Deactivated in the directory" means, at the next sign-in, any of:
- the directory refuses the sign-in (the person is disabled or deleted there): no account is
  touched, the portal shows the refusal;
- the ID token carries the claim ``active`` with the value false;
- none of the person's directory groups maps to a group of this portal any more.
In the last two cases an existing account is switched off (inactive, not staff, no groups), so
a session still open elsewhere ends at its next request. Directory sessions last at most
DIRECTORY_SESSION_SECONDS in any case.
"""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tenants.actions import _audit
from tenants.errors import TenantActionError
from tenants.invitations import EDITORIAL_GROUP, RIGHTS_GROUP, open_invitation
from tenants.models import EditorInvitation, TenantAuditEntry
from tenants.staff_directory.models import StaffDirectory
from tenants.staff_directory.selectors import mapped_group_names

log = logging.getLogger(__name__)

# a working day: a person switched off in the directory loses an open session by then at latest
DIRECTORY_SESSION_SECONDS = 8 * 3600
# ":" cannot be typed into Django's or Wagtail's user forms (the username validator refuses it),
# so no local account can take the name of a directory account
USERNAME_PREFIX = "verzeichnis:"


class DirectoryAccessRefused(Exception):
    """The person may not use this portal's CMS; the message is German, for the login page."""


def directory_username(subject: str) -> str:
    name = f"{USERNAME_PREFIX}{subject}"
    if len(name) <= 150:
        return name
    return f"{USERNAME_PREFIX}{hashlib.sha256(subject.encode()).hexdigest()}"


def _switch_off(user) -> None:
    user.is_active = False
    user.is_staff = False
    user.save(update_fields=["is_active", "is_staff"])
    user.groups.clear()


INVITED_GROUPS = frozenset({EDITORIAL_GROUP, RIGHTS_GROUP})
ACCEPTED_THROUGH_DIRECTORY = "invitation_accepted"


def invited_group_names(directory: StaffDirectory, username: str) -> set[str]:
    """The groups an invitation accepted through the directory granted this account."""
    accepted = TenantAuditEntry.objects.filter(
        tenant_slug=directory.tenant.slug,
        action=ACCEPTED_THROUGH_DIRECTORY,
        details__username=username,
    ).exists()
    return set(INVITED_GROUPS) if accepted else set()


def do_sign_in_from_directory(*, directory: StaffDirectory, claims: dict):
    """Create or update the staff account for verified ID token claims and return it; groups
    are replaced by the mapped ones (and those of an invitation the account accepted) at every
    sign-in. Raises DirectoryAccessRefused (after switching an existing account off) when the
    person has no access (see module docstring)."""
    username = directory_username(str(claims["sub"]))
    group_names = mapped_group_names(directory, claims) | invited_group_names(directory, username)
    return _sign_in(username=username, group_names=group_names, claims=claims)


def _sign_in(*, username: str, group_names: set[str], claims: dict):
    users = get_user_model().objects
    active_in_directory = claims.get("active", True) is not False
    with transaction.atomic():
        user = users.select_for_update().filter(username=username).first()
        groups = list(Group.objects.filter(name__in=group_names))
        if not active_in_directory or not groups:
            if user is not None:
                _switch_off(user)
            reason = "inactive" if not active_in_directory else "no mapped group"
            log.warning("staff directory sign-in refused (%s) for %s", reason, username)
            refused = True
        else:
            refused = False
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
    if refused:
        raise DirectoryAccessRefused(
            _(
                "Ihr Konto im Verzeichnis der Kommune berechtigt nicht (mehr) zur Arbeit in "
                "diesem Portal. Bitte wenden Sie sich an die IT Ihrer Verwaltung."
            )
        )
    log.info("staff directory sign-in of %s with groups %s", username, sorted(group_names))
    return user


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
        invitation = open_invitation(tenant, token)
        invitation = EditorInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state != "open":  # accepted meanwhile in another request
            raise TenantActionError(
                "Diese Einladung wurde schon angenommen. Bitte melden Sie sich an."
            )
        email = str(claims.get("email") or "").strip().lower()
        if email != invitation.email.lower() or claims.get("email_verified") is False:
            raise TenantActionError(
                f"Diese Einladung gilt für {invitation.email}; das Verzeichnis hat Sie als "
                f"{email or 'Person ohne E-Mail-Adresse'} angemeldet. Melden Sie sich mit dem "
                "eingeladenen Konto an oder legen Sie ein Passwort fest."
            )
        if get_user_model().objects.filter(username__iexact=invitation.email).exists():
            raise TenantActionError(
                f"Für {invitation.email} gibt es in diesem Portal schon ein Konto."
            )
        group_names = mapped_group_names(directory, claims) | set(INVITED_GROUPS)
        user = _sign_in(username=username, group_names=group_names, claims=claims)
        if len({g.name for g in user.groups.all()} & INVITED_GROUPS) != len(INVITED_GROUPS):
            raise TenantActionError(
                f"Die Gruppe „{EDITORIAL_GROUP}“ fehlt im Portal {tenant.slug!r}."
            )
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
