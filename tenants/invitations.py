"""Invitations to a portal's editorial team (actions and reads; actions.py is long enough).

The district IT team invites a portal's first editor from the tenant administration; members of
the group "Redaktion" invite colleagues from their tenant's Wagtail admin. The invited person
gets a one-time link (INVITATION_DAYS valid, single use) to their tenant's /cms/, sets a password
there and lands in "Redaktion" (and Wagtail's "Moderators", which carries the page and catalogue
rights). The account is created only then, in the tenant's schema: a revoked or expired
invitation leaves nothing behind. Only a hash of the link's token is stored; resending makes a
new link and the old one invalid.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.actions import _audit
from tenants.errors import TenantActionError
from tenants.models import EditorInvitation, Tenant
from tenants.validation import check_email

INVITATION_DAYS = 7
INVITATION_PATH = "/cms/einladung/{token}/"
EDITORIAL_GROUP = "Redaktion"
# Wagtail's group with the page, image, document and catalogue rights (granted by each app's
# migrations); invited editors get it beside "Redaktion".
RIGHTS_GROUP = "Moderators"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, _hash(token)


def may_invite(user: AbstractBaseUser) -> bool:
    """Whether a tenant's staff user may invite colleagues: members of "Redaktion"."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.groups.filter(name=EDITORIAL_GROUP).exists())
    )


def invitations_of(tenant: Tenant) -> list[EditorInvitation]:
    return list(EditorInvitation.objects.filter(tenant=tenant).order_by("-created"))


def access_invitation(tenant: Tenant, invitation_id: int | str) -> EditorInvitation:
    """One invitation of this tenant; another tenant's or a missing one: the same error."""
    text = str(invitation_id)
    invitation = (
        EditorInvitation.objects.filter(tenant=tenant, pk=int(text)).first()
        if text.isascii() and text.isdigit() and len(text) < 19
        else None
    )
    if invitation is None:
        raise TenantActionError("Diese Einladung gibt es nicht.")
    return invitation


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name or len(name) > 150:
        raise TenantActionError("Bitte den Namen der Person angeben (höchstens 150 Zeichen).")
    return name


def _send(invitation: EditorInvitation, link: str) -> None:
    subject = f"Einladung in die Redaktion des Portals {invitation.tenant.name}"
    body = (
        f"Guten Tag {invitation.name},\n\n"
        f"{invitation.invited_by} lädt Sie in die Redaktion des Bürgerportals "
        f"{invitation.tenant.name} ein.\n\n"
        f"Über diesen Link legen Sie Ihr Passwort fest und melden sich an:\n{link}\n\n"
        f"Der Link gilt bis {timezone.localtime(invitation.expires_at):%d.%m.%Y, %H:%M} Uhr "
        "und nur einmal. Wenn Sie diese Einladung nicht erwartet haben, ignorieren Sie diese "
        "E-Mail.\n"
    )
    send_mail(subject, body, None, [invitation.email])


def _link(origin: str, token: str) -> str:
    return origin.rstrip("/") + INVITATION_PATH.format(token=token)


def do_invite_editor(
    *, tenant: Tenant, name: str, email: str, origin: str, actor: str = ""
) -> tuple[EditorInvitation, str]:
    """Invite a person to the tenant's editorial team. `origin` is the tenant host's scheme and
    host (with port) the link is made on. Returns the invitation and the link (shown once to the
    inviting person; the e-mail goes out after commit)."""
    if not tenant.is_portal:
        raise TenantActionError("Ein Systemmandant hat keine Redaktion.")
    name = _check_name(name)
    email = check_email(email).lower()
    with tenant_context(tenant):
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise TenantActionError(
                f"Für {email} gibt es in diesem Portal schon ein Konto. Wer sein Passwort "
                "vergessen hat, setzt es über „Passwort vergessen?“ neu."
            )
    if EditorInvitation.objects.filter(
        tenant=tenant,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).exists():
        raise TenantActionError(
            f"{email} ist schon eingeladen. Senden Sie die offene Einladung erneut, statt eine "
            "zweite anzulegen."
        )
    token, token_hash = _new_token()
    with transaction.atomic():
        invitation = EditorInvitation.objects.create(
            tenant=tenant,
            name=name,
            email=email,
            token_hash=token_hash,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
            invited_by=actor or "Kreis-IT",
        )
        _audit(tenant.slug, "editor_invited", actor, invitation=invitation.pk, email=email)
        link = _link(origin, token)
        transaction.on_commit(lambda: _send(invitation, link))
    return invitation, link


def do_resend_invitation(
    *, invitation: EditorInvitation, origin: str, actor: str = ""
) -> tuple[EditorInvitation, str]:
    """A new link (valid INVITATION_DAYS from now) for an invitation not yet accepted or
    revoked; the old link stops working."""
    with transaction.atomic():
        invitation = EditorInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state in ("accepted", "revoked"):
            raise TenantActionError(
                f"Die Einladung an {invitation.email} ist {invitation.get_state_display()} und "
                "kann nicht erneut gesendet werden."
            )
        token, invitation.token_hash = _new_token()
        invitation.expires_at = timezone.now() + timedelta(days=INVITATION_DAYS)
        invitation.save(update_fields=["token_hash", "expires_at"])
        _audit(invitation.tenant.slug, "invitation_resent", actor, invitation=invitation.pk)
        link = _link(origin, token)
        transaction.on_commit(lambda: _send(invitation, link))
    return invitation, link


def do_revoke_invitation(*, invitation: EditorInvitation, actor: str = "") -> EditorInvitation:
    with transaction.atomic():
        invitation = EditorInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.state in ("accepted", "revoked"):
            raise TenantActionError(
                f"Die Einladung an {invitation.email} ist schon {invitation.get_state_display()}."
            )
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _audit(invitation.tenant.slug, "invitation_revoked", actor, invitation=invitation.pk)
    return invitation


def open_invitation(tenant: Tenant, token: str) -> EditorInvitation:
    """The invitation this link stands for, if it can still be accepted; else a German
    TenantActionError saying why."""
    invitation = (
        EditorInvitation.objects.select_related("tenant")
        .filter(tenant=tenant, token_hash=_hash(token or ""))
        .first()
    )
    if invitation is None:
        raise TenantActionError(
            "Dieser Einladungslink ist ungültig. Vielleicht wurde die Einladung erneut gesendet: "
            "dann gilt nur der neueste Link."
        )
    refusals = {
        "accepted": "Diese Einladung wurde schon angenommen. Bitte melden Sie sich an.",
        "revoked": "Diese Einladung wurde widerrufen.",
        "expired": "Diese Einladung ist abgelaufen. Bitten Sie um eine neue Einladung.",
    }
    if invitation.state in refusals:
        raise TenantActionError(refusals[invitation.state])
    return invitation


def invitee_user(invitation: EditorInvitation) -> AbstractBaseUser:
    """The (unsaved) account the invitation becomes: the e-mail address is the user name."""
    first, _, last = invitation.name.rpartition(" ")
    return get_user_model()(
        username=invitation.email,
        email=invitation.email,
        first_name=(first or last)[:150],
        last_name=(last if first else "")[:150],
        is_staff=True,
    )


def lock_open_invitation(tenant: Tenant, token: str) -> EditorInvitation:
    """`open_invitation`, locked for accepting it inside the caller's transaction: a second
    request accepting the same link at the same time waits and is then refused."""
    invitation = open_invitation(tenant, token)
    invitation = EditorInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != "open":  # accepted meanwhile in another request
        raise TenantActionError("Diese Einladung wurde schon angenommen. Bitte melden Sie sich an.")
    return invitation


def do_accept_invitation(*, tenant: Tenant, token: str, password: str) -> AbstractBaseUser:
    """Accept an invitation: the account in the tenant's schema with the given (validated by the
    caller's form) password, in "Redaktion" and "Moderators". Single use."""
    with transaction.atomic():
        invitation = lock_open_invitation(tenant, token)
        with tenant_context(tenant):
            users = get_user_model().objects
            if users.filter(username__iexact=invitation.email).exists():
                raise TenantActionError(
                    f"Für {invitation.email} gibt es in diesem Portal schon ein Konto."
                )
            groups = list(Group.objects.filter(name__in=[EDITORIAL_GROUP, RIGHTS_GROUP]))
            if len(groups) != 2:
                raise TenantActionError(
                    f"Die Gruppe „{EDITORIAL_GROUP}“ fehlt im Portal {tenant.slug!r}."
                )
            user = invitee_user(invitation)
            user.set_password(password)
            user.save()
            user.groups.add(*groups)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        _audit(tenant.slug, "invitation_accepted", invitation.email, invitation=invitation.pk)
    return user
