"""The signed-in citizen of this tenant, in one place: who it is, how to ask for a sign-in (at a
minimum trust level), and whether the level reached suffices. Views of every app use these
instead of their own copies."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from kreisportal.http import safe_local_path
from kreisportal.identity import levels, stepup
from services.accounts.models import Citizen

# how long a re-authentication for a service counts for that service's binding step
STEP_UP_LIFETIME = 900
STEP_UP_SESSION_KEY = "step_up"


def current_citizen(request: HttpRequest) -> Citizen | None:
    """This tenant's record of the signed-in citizen, or None."""
    if not request.user.is_authenticated:
        return None
    return Citizen.objects.filter(user=request.user).first()


def sign_in_url(*, next_path: str, level: str = "") -> str:
    params = {"level": level} if level else {}
    params["next"] = next_path
    return f"{reverse('account-sign-in')}?{urlencode(params)}"


def sign_in_redirect(request: HttpRequest, *, level: str = "") -> HttpResponse:
    """Back to this page after the sign-in (at `level` when given)."""
    return HttpResponseRedirect(sign_in_url(next_path=request.get_full_path(), level=level))


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets `citizen` as its second argument; anybody else is sent to sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        citizen = current_citizen(request)
        if citizen is None:
            return sign_in_redirect(request)
        return view(request, citizen, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class TrustCheck:
    """Whether the level reached in this session suffices for `required`."""

    required: str
    reached: str
    next_path: str

    @property
    def ok(self) -> bool:
        return bool(self.reached) and levels.meets(self.reached, self.required)

    @property
    def required_label(self) -> str:
        return levels.label(self.required)

    @property
    def reached_label(self) -> str:
        return levels.label(self.reached) if self.reached else ""

    @property
    def required_description(self) -> str:
        """ "substanziell – ELSTER-Zertifikat (STORK-QAA-Level-3)": the level and how one signs in
        at it, for the page that asks for a higher sign-in."""
        return levels.describe(self.required)

    @property
    def login_url(self) -> str:
        return sign_in_url(next_path=self.next_path, level=self.required)


def trust_check(request: HttpRequest, required: str, *, next_path: str = "") -> TrustCheck:
    reached = request.session.get("trust_level", "") if request.user.is_authenticated else ""
    return TrustCheck(required=required, reached=reached, next_path=next_path or request.path)


@dataclass(frozen=True)
class StepUp:
    """Whether the citizen re-authenticated for this service recently enough for a binding step
    at `required` (BundID: substanziell or higher asks the IdP again, ForceAuthn). Below that,
    the session's level is enough (single sign-on)."""

    service_key: str
    required: str
    ok: bool
    next_path: str

    @property
    def needed(self) -> bool:
        """Whether this step asks the IdP again at all (substanziell or higher)."""
        return bool(self.required) and levels.needs_step_up(self.required)


def step_up_check(
    request: HttpRequest, *, service_key: str, required: str, next_path: str = ""
) -> StepUp:
    """Call on every request of a binding step's page (the form and its submission). A signed
    proof the broker sent back (`?anmeldung=…`) for this tenant, citizen and service is
    remembered in the session; a binding step is allowed within STEP_UP_LIFETIME of it."""
    path = next_path or request.path
    if not required or not levels.needs_step_up(required):
        return StepUp(service_key, required, trust_check(request, required).ok, path)
    citizen = current_citizen(request)
    if citizen is None:
        return StepUp(service_key, required, False, path)
    remembered = dict(request.session.get(STEP_UP_SESSION_KEY, {}))
    token = request.GET.get(stepup.PARAM, "")
    proof = (
        stepup.verify(token, tenant_slug=request.tenant.slug, pseudonym=citizen.pseudonym)
        if token
        else None
    )
    if proof and proof["service"] == service_key and levels.meets(proof["level"], required):
        remembered[service_key] = {"at": time.time(), "level": proof["level"]}
        request.session[STEP_UP_SESSION_KEY] = remembered
    entry = remembered.get(service_key) or {}
    fresh = time.time() - float(entry.get("at", 0)) <= STEP_UP_LIFETIME
    ok = fresh and levels.meets(str(entry.get("level", "")), required)
    return StepUp(service_key, required, ok, path)


def step_up_redirect(request: HttpRequest, check: StepUp) -> HttpResponse:
    """Re-authenticate at the IdP for the service (ForceAuthn, with its LeiKa key as
    OnlineServiceId and this tenant as OrganizationDisplayName), then back to `next_path`."""
    state = secrets.token_urlsafe(24)
    request.session["login_state"] = state  # the account callback checks and consumes it
    params = {
        "tenant": request.tenant.slug,
        "level": check.required,
        "state": state,
        "next": safe_local_path(check.next_path),
        "service": check.service_key,
        "force": "1",
    }
    return HttpResponseRedirect(
        f"{settings.PUBLIC_URL.rstrip('/')}/auth/start/?{urlencode(params)}"
    )


def consume_step_up(request: HttpRequest, service_key: str) -> None:
    """After the binding step: the next one for this service asks the IdP again."""
    remembered = dict(request.session.get(STEP_UP_SESSION_KEY, {}))
    if remembered.pop(service_key, None) is not None:
        request.session[STEP_UP_SESSION_KEY] = remembered
