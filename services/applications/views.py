"""Citizen side of online applications (tenant host): fill in, save a draft, submit, pay, follow,
answer a query, withdraw. Every application is reachable only by its own citizen."""

from __future__ import annotations

import hashlib
import json

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kreisportal.files import download_name, private_file_response
from payments.actions import do_start_payment
from payments.providers import ProviderError
from services.accounts.access import (
    consume_step_up,
    current_citizen,
    sign_in_redirect,
    step_up_check,
    step_up_redirect,
    trust_check,
)
from services.accounts.models import Citizen
from services.applications import selectors, states
from services.applications.access import access_application, access_upload
from services.applications.actions import (
    ApplicationRefused,
    do_prepare_payment,
    do_reply,
    do_save_draft,
    do_submit,
    do_withdraw,
)
from services.applications.documents import answers
from services.applications.forms import MessageForm, build_form, max_upload_bytes, stored_values
from services.applications.models import Application, ApplicationForm, Status


def _own_application(request: HttpRequest, public_id: str) -> tuple[Citizen, Application]:
    citizen = current_citizen(request)
    return citizen, access_application(citizen, public_id)


@require_http_methods(["GET", "POST"])
def fill_in(request: HttpRequest, slug: str) -> HttpResponse:
    definition = selectors.active_form(slug)
    if definition is None:
        raise Http404("Diesen Online-Antrag gibt es hier nicht.")
    if definition.entry_url != request.path:  # a handler with an order page of its own
        return HttpResponseRedirect(definition.entry_url)
    citizen = current_citizen(request)
    if citizen is None:
        return sign_in_redirect(request, level=definition.min_trust_level)
    trust = trust_check(request, definition.min_trust_level)
    if not trust.ok:
        return TemplateResponse(
            request,
            "applications/trust_level.html",
            {
                "definition": definition,
                "required": trust.required_label,
                "reached": trust.reached_label or "unbekannt",
                "login_url": trust.login_url,
            },
            status=403,
        )
    # submitting at "substanziell" or higher asks the IdP again for this service (BundID's
    # ForceAuthn); called on every request, as the proof comes back on the form's page
    step = step_up_check(
        request,
        service_key=definition.local_service.service.leika_key,
        required=definition.min_trust_level,
    )
    draft = selectors.draft_of(definition, citizen)
    uploaded = {u.field_name for u in draft.uploads.all()} if draft else set()
    action = request.POST.get("aktion", "")
    # "pruefen" (and "einreichen", which older clients post directly): complete and on to
    # "Angaben prüfen", the only place a submission binds; otherwise a draft is saved
    complete = action in ("pruefen", "einreichen")
    if request.method == "POST":
        form = build_form(
            definition,
            for_draft=not complete,
            uploaded=uploaded,
            data=request.POST,
            files=request.FILES,
        )
        if form.is_valid():
            values, uploads = stored_values(definition, form.cleaned_data)
            application = do_save_draft(
                form=definition, citizen=citizen, values=values, uploads=uploads
            )
            if complete:
                _remember_checked(request, application)
                return HttpResponseRedirect(reverse("application-review", args=[definition.slug]))
            return TemplateResponse(
                request,
                "applications/form.html",
                _form_context(
                    definition, _bound_from(definition, application), application, step, saved=True
                ),
            )
        return TemplateResponse(
            request,
            "applications/form.html",
            _form_context(definition, form, draft, step),
            status=400,
        )
    form = _bound_from(definition, draft) if draft else build_form(definition, for_draft=False)
    return TemplateResponse(
        request, "applications/form.html", _form_context(definition, form, draft, step)
    )


CHECKED_SESSION_KEY = "applications_checked"


def _remember_checked(request: HttpRequest, application: Application) -> None:
    """The draft as it was checked complete; "Angaben prüfen" shows it, and only this version
    can be submitted from there (a change in another tab sends the citizen back)."""
    checked = dict(request.session.get(CHECKED_SESSION_KEY, {}))
    checked[str(application.public_id)] = application.updated.isoformat()
    request.session[CHECKED_SESSION_KEY] = checked


def _was_checked(request: HttpRequest, application: Application) -> bool:
    checked = request.session.get(CHECKED_SESSION_KEY, {})
    return checked.get(str(application.public_id)) == application.updated.isoformat()


REVIEWED_FIELD = "geprueft"


def _answers_digest(application: Application) -> str:
    """Fingerprint of exactly what "Angaben prüfen" shows: the answers and the files."""
    uploads = sorted(
        (u.field_name, str(u.public_id)) for u in application.uploads.all() if u.uploaded_by_citizen
    )
    payload = json.dumps(
        {"id": str(application.public_id), "data": application.data, "uploads": uploads},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _review_signer(application: Application) -> signing.Signer:
    return signing.Signer(salt=f"applications.review:{application.public_id}")


def review_token(application: Application) -> str:
    """The hidden field of the review page: signed, so only a page this server rendered for
    these very answers can bind them (a direct POST, or answers changed since, cannot)."""
    return _review_signer(application).sign(_answers_digest(application))


def _was_reviewed(token: str, application: Application) -> bool:
    try:
        shown = _review_signer(application).unsign(token)
    except signing.BadSignature:
        return False
    return constant_time_compare(shown, _answers_digest(application))


def _submitted_url(application: Application) -> str:
    """The case's page, opened with the confirmation panel (reference and receipt)."""
    return f"{application.detail_url}?eingereicht=1"


def _identity_rows(citizen: Citizen, level_label: str) -> list[tuple[str, str]]:
    """The personal data the identity provider sent, as the authority receives it."""
    address = ", ".join(
        part
        for part in (citizen.street, f"{citizen.postal_code} {citizen.locality}".strip())
        if part
    )
    birth = citizen.birth_date
    if len(birth) == 10 and birth[4] == "-":
        birth = f"{birth[8:10]}.{birth[5:7]}.{birth[0:4]}"
    rows = [
        (_("Name"), f"{citizen.given_name} {citizen.family_name}".strip()),
        (_("Geburtsdatum"), birth),
        (_("Anschrift"), address),
        (_("E-Mail-Adresse"), citizen.email),
        (_("Vertrauensniveau der Anmeldung"), level_label),
    ]
    return [(str(label), value or "–") for label, value in rows]


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Angaben prüfen" (GOV.UK's check your answers): every answer and the data from the
    identity provider, each with "ändern", before "verbindlich absenden". Submitting here is
    the binding step: at "substanziell" or higher the IdP is asked again (ForceAuthn), and
    the proof comes back to this page."""
    definition = selectors.active_form(slug)
    if definition is None:
        raise Http404("Diesen Online-Antrag gibt es hier nicht.")
    citizen = current_citizen(request)
    if citizen is None:
        return sign_in_redirect(request, level=definition.min_trust_level)
    form_url = reverse("application-form", args=[definition.slug])
    draft = selectors.draft_of(definition, citizen)
    if draft is None or not _was_checked(request, draft):
        return HttpResponseRedirect(form_url)  # nothing checked to review (or it changed)
    trust = trust_check(request, definition.min_trust_level)
    if not trust.ok:
        return HttpResponseRedirect(form_url)  # the form page explains the sign-in needed
    step = step_up_check(
        request,
        service_key=definition.local_service.service.leika_key,
        required=definition.min_trust_level,
    )
    error = ""
    if request.method == "POST":
        if not _was_reviewed(request.POST.get(REVIEWED_FIELD, ""), draft):
            # not sent from this page for these answers: show them first, bind nothing
            error = str(
                _(
                    "Bitte prüfen Sie Ihre Angaben unten und senden Sie den Antrag dann "
                    "verbindlich ab."
                )
            )
        elif not step.ok:  # the draft is saved; back here after signing in again
            return step_up_redirect(request, step)
        else:
            try:
                application = do_submit(application=draft)
            except ApplicationRefused as exc:
                error = str(exc)
            else:
                consume_step_up(request, step.service_key)
                return HttpResponseRedirect(_submitted_url(application))
    specs = list(definition.fields.all())
    rows = [
        (label, value, f"{form_url}#id_{spec.name}")
        for (label, value), spec in zip(answers(draft), specs, strict=True)
    ]
    return TemplateResponse(
        request,
        "applications/review.html",
        {
            "definition": definition,
            "draft": draft,
            "rows": rows,
            "identity": _identity_rows(citizen, trust.reached_label or ""),
            "step_up": step,
            "form_url": form_url,
            "error": error,
            "reviewed_field": REVIEWED_FIELD,
            "review_token": review_token(draft),
        },
        status=400 if error else 200,
    )


def _bound_from(definition: ApplicationForm, application: Application):
    uploaded = {u.field_name for u in application.uploads.all()}
    return build_form(definition, for_draft=False, uploaded=uploaded, initial=application.data)


def _form_context(definition, form, draft, step, *, saved: bool = False) -> dict:
    return {
        "definition": definition,
        "step_up": step,
        "form": form,
        "draft": draft,
        "uploads": {u.field_name: u for u in draft.uploads.all()} if draft else {},
        "saved": saved,
        "max_upload_mb": round(_max_upload() / 1_048_576),
    }


def _max_upload() -> int:
    return max_upload_bytes()


def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    if current_citizen(request) is None:
        return sign_in_redirect(request)
    _, application = _own_application(request, public_id)
    context = _detail_context(application, MessageForm())
    if request.GET.get("eingereicht") and application.status != Status.DRAFT:
        context["just_submitted"] = True
        context["receipt"] = selectors.receipt_of(application)
    return TemplateResponse(request, "applications/detail.html", context)


def _detail_context(application: Application, reply_form) -> dict:
    return {
        "application": application,
        "answers": answers(application),
        "events": application.events.filter(visible_to_citizen=True),
        "uploads": application.uploads.all(),
        "reply_form": reply_form,
        "withdrawable": application.status in states.WITHDRAWABLE
        and application.status != Status.DRAFT,
    }


@require_POST
def pay(request: HttpRequest, public_id: str) -> HttpResponse:
    """Pay now or again ("Jetzt bezahlen", "Erneut bezahlen"): the open payment, or a new
    attempt after a failed or cancelled one (do_prepare_payment, committed before the provider
    is called)."""
    _, application = _own_application(request, public_id)
    if application.status != Status.AWAITING_PAYMENT or application.payment is None:
        return HttpResponseRedirect(application.detail_url)
    try:
        payment = do_prepare_payment(application=application)
    except ApplicationRefused:
        return HttpResponseRedirect(application.detail_url)
    try:
        target = do_start_payment(
            payment=payment,
            request=request,
            return_path=application.detail_url,
        )
    except ProviderError:
        application.refresh_from_db()
        context = _detail_context(application, MessageForm())
        context["error"] = _(
            "Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut."
        )
        return TemplateResponse(request, "applications/detail.html", context, status=503)
    return HttpResponseRedirect(target.url)


@require_POST
def reply(request: HttpRequest, public_id: str) -> HttpResponse:
    citizen, application = _own_application(request, public_id)
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            do_reply(
                application=application,
                citizen=citizen,
                message=form.cleaned_data["message"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except ApplicationRefused as exc:
            form.add_error(None, str(exc))
        else:
            return HttpResponseRedirect(application.detail_url)
    return TemplateResponse(
        request, "applications/detail.html", _detail_context(application, form), status=400
    )


@require_POST
def withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    citizen, application = _own_application(request, public_id)
    try:
        do_withdraw(application=application, citizen=citizen)
    except ApplicationRefused as exc:
        context = _detail_context(application, MessageForm())
        context["error"] = str(exc)
        return TemplateResponse(request, "applications/detail.html", context, status=400)
    return HttpResponseRedirect(application.detail_url)


def upload_file(request: HttpRequest, public_id: str, upload_id: str) -> HttpResponse:
    _, application = _own_application(request, public_id)
    upload = access_upload(application, upload_id)
    return private_file_response(upload.file, download_name=upload.original_name)


def document(request: HttpRequest, public_id: str) -> HttpResponse:
    _, application = _own_application(request, public_id)
    if not application.document or application.status != Status.COMPLETED:
        raise Http404("Kein Dokument")
    return private_file_response(
        application.document,
        download_name=download_name(application.document, stem=f"bescheid-{application.reference}"),
        inline=request.GET.get("ansehen") == "1",
    )
