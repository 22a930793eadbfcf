"""HTTP of FIT-Connect on a tenant host: the callback the Submission API calls when there are
new events (HMAC-verified), and the staff pages in the tenant's Wagtail admin: deliveries
(failing first, "erneut versuchen"), the Sandbox-Fachverfahren (decrypted submissions, accept
or reject) and the sandbox ZBP (what would reach the citizen's federal postbox)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from kreisportal.outbox import dispatch
from services.fitconnect import sandbox
from services.fitconnect.actions import do_retry
from services.fitconnect.client import ApiRefused
from services.fitconnect.models import Delivery, SandboxAttachment, SandboxSubmission

CALLBACK_MAX_AGE = 300  # seconds a callback's timestamp may be off
handles = permission_required("applications.handle_application", raise_exception=True)


def _problem(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"status": status, "detail": detail}, status=status)


@csrf_exempt  # called by the Submission API; the HMAC over timestamp and body protects it
@require_POST
def callback(request: HttpRequest) -> JsonResponse:
    secret = settings.FITCONNECT_CALLBACK_SECRET
    if not secret:
        return _problem(404, "Kein Callback eingerichtet.")
    signature = request.headers.get("callback-authentication", "")
    stamp = request.headers.get("callback-timestamp", "")
    if not signature or not stamp.isdigit():
        return _problem(400, "callback-authentication und callback-timestamp fehlen.")
    if abs(time.time() - int(stamp)) > CALLBACK_MAX_AGE:
        return _problem(400, "callback-timestamp ist zu alt oder liegt in der Zukunft.")
    expected = hmac.new(
        secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha512
    ).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        return _problem(401, "callback-authentication stimmt nicht.")
    try:
        body = json.loads(request.body)
    except ValueError:
        return _problem(400, "Der Inhalt ist kein JSON.")
    if not isinstance(body, dict):
        return _problem(400, "Der Inhalt ist kein JSON-Objekt.")
    case_ids = [str(c) for c in body.get("caseIds") or [] if isinstance(c, str)][:500]
    submission_ids = [str(s) for s in body.get("submissionIds") or [] if isinstance(s, str)]
    if submission_ids:
        case_ids += list(
            Delivery.objects.filter(submission_id__in=submission_ids[:500]).values_list(
                "case_id", flat=True
            )
        )
    # read the event logs now (in the worker); the beat task would within a minute anyway
    dispatch("fitconnect.poll", sorted(set(case_ids)) if case_ids else None)
    return JsonResponse({"status": 202, "detail": "Ereignisse werden abgerufen."}, status=202)


# --- staff ---------------------------------------------------------------------------------------


@handles
@require_GET
def deliveries(request: HttpRequest) -> HttpResponse:
    failing_first = Case(
        When(state=Delivery.State.FAILED, then=Value(0)),
        When(state=Delivery.State.PENDING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    rows = Delivery.objects.select_related("application__form").order_by(failing_first, "-created")[
        :200
    ]
    return TemplateResponse(
        request,
        "fitconnect/admin/deliveries.html",
        {"rows": rows, "page_title": "FIT-Connect-Zustellungen", "header_icon": "mail"},
    )


@handles
@require_POST
def retry(request: HttpRequest, public_id: str) -> HttpResponse:
    delivery = get_object_or_404(Delivery, public_id=public_id)
    do_retry(delivery=delivery, user=request.user)
    messages.success(request, "Die Zustellung wird erneut versucht.")
    return HttpResponseRedirect(reverse("fitconnect_deliveries"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Entscheidung", choices=[("accept", "annehmen"), ("reject", "zurückweisen")]
    )
    note = forms.CharField(
        label="Begründung (bei Zurückweisung)",
        required=False,
        widget=forms.Textarea,
        max_length=2000,
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", "Bitte geben Sie eine Begründung für die Zurückweisung an.")
        return data


@handles
@require_GET
def sandbox_index(request: HttpRequest) -> HttpResponse:
    zbp = request.GET.get("zbp") == "1"
    destination = sandbox.zbp_id() if zbp else sandbox.back_office_id()
    rows = SandboxSubmission.objects.filter(destination_id=destination)[:200]
    return TemplateResponse(
        request,
        "fitconnect/admin/sandbox_index.html",
        {
            "rows": rows,
            "zbp": zbp,
            "page_title": "Sandbox-ZBP" if zbp else "Sandbox-Fachverfahren",
            "header_icon": "warning",
        },
    )


@handles
def sandbox_detail(request: HttpRequest, submission_id: str) -> HttpResponse:
    record = SandboxSubmission.objects.filter(submission_id=_uuid(submission_id)).first()
    if record is None:
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sandbox.decide(
                record,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"].strip(),
            )
        except ApiRefused as exc:
            messages.error(request, str(exc))
        else:
            delivery = Delivery.objects.filter(submission_id=str(record.submission_id)).first()
            if delivery is not None:  # the portal's sender reads the answer at once
                dispatch("fitconnect.poll", [delivery.case_id])
            messages.success(request, "Die Entscheidung ist im Ereignisprotokoll eingetragen.")
            return HttpResponseRedirect(request.path)
    return TemplateResponse(
        request,
        "fitconnect/admin/sandbox_detail.html",
        {
            "record": record,
            "form": form,
            "data_json": json.dumps(record.data, ensure_ascii=False, indent=2),
            "metadata_json": json.dumps(record.metadata, ensure_ascii=False, indent=2),
            "page_title": "Sandbox-Fachverfahren",
            "header_icon": "warning",
        },
    )


@handles
@require_GET
def sandbox_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = get_object_or_404(SandboxAttachment, pk=pk)
    response = HttpResponse(bytes(attachment.content), content_type="application/octet-stream")
    ascii_name = attachment.filename.encode("ascii", "replace").decode().replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{ascii_name}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _uuid(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
