"""Mein Konto (tenant host): sign-in through the broker, personal data, postbox, export, delete."""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from kreisportal.http import safe_local_path
from kreisportal.identity import levels
from kreisportal.identity.broker import (
    LoginRefused,
    issue_logout_proof,
    redeem_login_code,
    remember_tenant_session,
)
from services.accounts.access import citizen_required
from services.accounts.actions import (
    AccountKept,
    do_delete_account,
    do_sign_in_citizen,
    export_data,
)
from services.accounts.models import Citizen


def _broker_url(path: str, **params: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}{path}?{urlencode(params)}"


def sign_in(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the broker (which reuses an existing login without asking again)."""
    level = request.GET.get("level", "basic")
    if level not in levels.LEVELS:
        level = "basic"
    state = secrets.token_urlsafe(24)
    request.session["login_state"] = state
    return HttpResponseRedirect(
        _broker_url(
            "/auth/start/",
            tenant=request.tenant.slug,
            level=level,
            state=state,
            next=safe_local_path(request.GET.get("next", "")),
        )
    )


def callback(request: HttpRequest) -> HttpResponse:
    """Redeem the one-time code server-side and sign the citizen in to this tenant."""
    expected = request.session.pop("login_state", None)
    if not expected or request.GET.get("state") != expected:
        return TemplateResponse(
            request,
            "identity/error.html",
            {"message": gettext("Die Anmeldung wurde nicht in diesem Browser begonnen.")},
            status=400,
        )
    try:
        # the code is bound to the state of the login that asked for it: a code intercepted
        # and presented with another browser's own state is refused (and burnt)
        record = redeem_login_code(
            code=request.GET.get("code", ""), tenant_slug=request.tenant.slug, state=expected
        )
    except LoginRefused as exc:
        return TemplateResponse(request, "identity/error.html", {"message": str(exc)}, status=400)
    citizen = do_sign_in_citizen(identity=record.identity)
    login(request, citizen.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session["trust_level"] = record.identity.get("level", "")
    request.session.save()
    remember_tenant_session(
        broker_session_key=record.broker_session_key,
        tenant_slug=request.tenant.slug,
        session_key=request.session.session_key,
    )
    return HttpResponseRedirect(safe_local_path(request.GET.get("next", "")))


@citizen_required
def account(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    messages = list(citizen.messages.all())
    applications = list(citizen.applications.select_related("form").all()[:20])
    return TemplateResponse(
        request,
        "accounts/account.html",
        {
            "citizen": citizen,
            "messages_list": messages,
            "applications": applications,
            "unread": sum(1 for m in messages if m.read_at is None),
            "level_label": levels.label(citizen.trust_level),
        },
    )


@citizen_required
def export(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    response = HttpResponse(
        json.dumps(export_data(citizen), ensure_ascii=False, indent=2),
        content_type="application/json",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="meine-daten-{request.tenant.slug}.json"'
    )
    return response


@require_http_methods(["GET", "POST"])
@citizen_required
def delete(request: HttpRequest, citizen: Citizen) -> HttpResponse:
    error = confirm_error = ""
    if request.method == "POST" and request.POST.get("confirm") != "ja":
        confirm_error = gettext("Bitte bestätigen Sie, dass Sie Ihr Konto löschen möchten.")
    elif request.method == "POST":
        try:
            do_delete_account(citizen=citizen)
        except AccountKept as exc:
            error = str(exc)
        else:
            logout(request)
            return TemplateResponse(request, "accounts/deleted.html", {})
    return TemplateResponse(
        request,
        "accounts/delete.html",
        {"citizen": citizen, "error": error, "confirm_error": confirm_error},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Log out here and at the broker, which ends the sessions of every tenant visited."""
    # the citizen's CSRF-protected POST, handed on as a one-time proof: the broker ends the
    # other sessions on the redirect's GET only with it
    proof = issue_logout_proof(
        tenant_slug=request.tenant.slug, tenant_session_key=request.session.session_key
    )
    logout(request)
    params = {"tenant": request.tenant.slug, **({"proof": proof} if proof else {})}
    return HttpResponseRedirect(_broker_url("/auth/logout/", **params))


def signed_out(request: HttpRequest) -> HttpResponse:
    """After "Abmelden (überall)": what happened, in words. Someone still signed in (the
    address opened by hand) is sent to the account instead of being told otherwise."""
    if request.user.is_authenticated:
        return HttpResponseRedirect("/konto/")
    return TemplateResponse(request, "accounts/signed_out.html", {})


def sign_in_cancelled(request: HttpRequest) -> HttpResponse:
    """The citizen cancelled at the identity provider ("Abbrechen – zurück zum Portal"):
    nothing changed; back to where they were, or sign in again."""
    return TemplateResponse(
        request,
        "accounts/sign_in_cancelled.html",
        {
            "back": safe_local_path(request.GET.get("weiter", "")) or "/",
            "signed_in": request.user.is_authenticated,
        },
    )
