"""Staff sign-in through the tenant's directory: start (POST from Wagtail's login page) and
the provider's redirect back. Every refusal returns to the login page with a German message."""

from __future__ import annotations

import logging

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

from tenants.staff_directory.actions import (
    DIRECTORY_SESSION_SECONDS,
    DirectoryAccessRefused,
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
    try:
        user = do_sign_in_from_directory(directory=directory, claims=dict(claims))
    except DirectoryAccessRefused as exc:
        return _back_to_login(request, str(exc))
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.set_expiry(DIRECTORY_SESSION_SECONDS)
    next_url = request.session.pop(NEXT_KEY, "") or reverse("wagtailadmin_home")
    return HttpResponseRedirect(next_url)
