"""Staff sign-in through the tenant's directory: start (POST from Wagtail's login page) and
the provider's redirect back. Every refusal returns to the login page with a German message."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from joserfc.errors import JoseError

from tenants.errors import TenantActionError
from tenants.invitations import open_invitation
from tenants.staff_directory.actions import (
    DIRECTORY_SESSION_SECONDS,
    DirectoryAccessRefused,
    do_accept_invitation_from_directory,
    do_sign_in_from_directory,
)
from tenants.staff_directory.client import (
    DirectoryMisconfigured,
    id_token_claims_options,
    oauth_app,
)
from tenants.staff_directory.selectors import enabled_directory_for

log = logging.getLogger(__name__)

NEXT_KEY = "staff_directory_next"
# the ID token of a directory sign-in: sent back as id_token_hint when the person signs out
ID_TOKEN_KEY = "staff_directory_id_token"
# the token of the editorial invitation accepted through this sign-in (tenants.invitations)
INVITATION_KEY = "staff_directory_invitation"

UNREACHABLE = _(
    "Das Verzeichnis der Kommune ist gerade nicht erreichbar. Bitte versuchen Sie es später "
    "noch einmal oder melden Sie sich mit Ihrem Passwort an."
)
MISCONFIGURED = _(
    "Die Anmeldung über das Verzeichnis ist nicht vollständig eingerichtet. Bitte wenden Sie "
    "sich an die IT des Kreises."
)
STALE = _(
    "Die Anmeldung ist abgelaufen oder wurde nicht in diesem Browser begonnen. Bitte starten "
    "Sie sie noch einmal."
)
DENIED = _("Das Verzeichnis der Kommune hat die Anmeldung nicht bestätigt.")
INVALID = _(
    "Die Anmeldebestätigung des Verzeichnisses ist ungültig und wurde abgelehnt. Bitte "
    "versuchen Sie es noch einmal; bleibt der Fehler, wenden Sie sich an die IT."
)


def _back_to_login(request: HttpRequest, message: object) -> HttpResponse:
    messages.error(request, message)
    return HttpResponseRedirect(reverse("wagtailadmin_login"))


def _directory(request: HttpRequest):
    directory = enabled_directory_for(getattr(request, "tenant", None))
    if directory is None:
        raise Http404("no staff directory for this portal")
    return directory


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("staff_directory:callback"))


@require_POST
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the directory (authorization code flow, PKCE, state and nonce)."""
    directory = _directory(request)
    invitation_token = request.POST.get("invitation", "")
    if invitation_token:
        try:
            open_invitation(directory.tenant, invitation_token)
        except TenantActionError as exc:
            return _back_to_login(request, exc.for_admin)
        request.session[INVITATION_KEY] = invitation_token
    else:
        request.session.pop(INVITATION_KEY, None)
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_KEY] = next_url
    else:
        request.session.pop(NEXT_KEY, None)
    try:
        return oauth_app(directory).authorize_redirect(request, _callback_url(request))
    except DirectoryMisconfigured:
        log.error("staff directory of %s: client secret unreadable", directory.tenant.slug)
        return _back_to_login(request, MISCONFIGURED)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        log.warning("staff directory of %s unreachable: %s", directory.tenant.slug, exc)
        return _back_to_login(request, UNREACHABLE)


@require_GET
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """The directory's redirect back: exchange the code, verify the ID token, sign in."""
    directory = _directory(request)
    slug = directory.tenant.slug
    try:
        app = oauth_app(directory)
        metadata = app.load_server_metadata()
        issuer = str(metadata.get("issuer", ""))
        if issuer.rstrip("/") != directory.issuer.rstrip("/"):
            log.warning("staff directory of %s: discovery names issuer %r", slug, issuer)
            return _back_to_login(request, INVALID)
        token = app.authorize_access_token(
            request, claims_options=id_token_claims_options(directory, issuer)
        )
    except DirectoryMisconfigured:
        return _back_to_login(request, MISCONFIGURED)
    except MismatchingStateError:
        log.warning("staff directory of %s: unknown state", slug)
        return _back_to_login(request, STALE)
    except OAuthError as exc:
        log.warning("staff directory of %s refused: %s", slug, exc)
        return _back_to_login(request, DENIED if request.GET.get("error") else INVALID)
    except (JoseError, AuthlibBaseError, ValueError, KeyError, TypeError) as exc:
        log.warning("staff directory of %s: ID token refused: %r", slug, exc)
        return _back_to_login(request, INVALID)
    except requests.RequestException as exc:
        log.warning("staff directory of %s unreachable: %s", slug, exc)
        return _back_to_login(request, UNREACHABLE)
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        log.warning("staff directory of %s: answer without ID token", slug)
        return _back_to_login(request, INVALID)
    invitation_token = request.session.pop(INVITATION_KEY, "")
    try:
        if invitation_token:
            user = do_accept_invitation_from_directory(
                directory=directory, token=invitation_token, claims=dict(claims)
            )
        else:
            user = do_sign_in_from_directory(directory=directory, claims=dict(claims))
    except DirectoryAccessRefused as exc:
        return _back_to_login(request, str(exc))
    except TenantActionError as exc:
        return _back_to_login(request, exc.for_admin)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(DIRECTORY_SESSION_SECONDS)
    if token.get("id_token"):
        request.session[ID_TOKEN_KEY] = token["id_token"]
    next_url = request.session.pop(NEXT_KEY, "") or reverse("wagtailadmin_home")
    return HttpResponseRedirect(next_url)


def _end_session_endpoint(directory) -> str:
    """The provider's end_session_endpoint from its discovery document, '' when it offers
    none or cannot be asked (signing out of the portal must work all the same)."""
    try:
        metadata = oauth_app(directory).load_server_metadata()
    except DirectoryMisconfigured:
        return ""
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as exc:
        log.warning("staff directory of %s unreachable at sign-out: %s", directory.tenant.slug, exc)
        return ""
    endpoint = str(metadata.get("end_session_endpoint") or "")
    return endpoint if endpoint.startswith(("https://", "http://")) else ""


@never_cache
def sign_out(request: HttpRequest) -> HttpResponse:
    """Wagtail's sign-out of /cms/ (it answers first: the portal's session ends in any case);
    for a session begun at the directory, the browser then goes on to the provider's
    end_session_endpoint (OpenID Connect RP-initiated logout, with id_token_hint and
    post_logout_redirect_uri = the login page), so the directory's session ends as well."""
    from wagtail.admin.views.account import LogoutView

    id_token = request.session.get(ID_TOKEN_KEY, "") if request.method == "POST" else ""
    directory = enabled_directory_for(getattr(request, "tenant", None)) if id_token else None
    endpoint = _end_session_endpoint(directory) if directory is not None else ""
    response = LogoutView.as_view()(request)
    if not endpoint or response.status_code != 302:
        return response
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("wagtailadmin_login")),
        "client_id": directory.client_id,
    }
    separator = "&" if "?" in endpoint else "?"
    redirect = HttpResponseRedirect(f"{endpoint}{separator}{urlencode(params)}")
    for name, morsel in response.cookies.items():  # Wagtail deletes the session cookie
        redirect.cookies[name] = morsel
    return redirect
