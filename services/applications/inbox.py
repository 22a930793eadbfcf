"""The staff inbox in the tenant's Wagtail admin: list, filter, assign, open, ask the citizen for
more information, accept or reject with a message. Needs `applications.handle_application`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from kreisportal.files import download_name, private_file_response
from kreisportal.http import parse_number
from kreisportal.identity import levels
from services.applications import states
from services.applications.actions import (
    ApplicationRefused,
    do_accept,
    do_approve_review,
    do_assign,
    do_reject,
    do_request_information,
)
from services.applications.documents import answers
from services.applications.forms import MessageForm
from services.applications.handlers import handling_of
from services.applications.models import CLERK, Application, ApplicationForm, Review, Status

handles = permission_required("applications.handle_application", raise_exception=True)


def _staff():
    """Who may be assigned: users who may work the inbox (superusers included)."""
    users = get_user_model().objects.filter(is_active=True)
    return (
        users.filter(
            Q(is_superuser=True)
            | Q(groups__permissions__codename="handle_application")
            | Q(user_permissions__codename="handle_application")
        )
        .distinct()
        .order_by("username")
    )


class InboxFilter(forms.Form):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "alle offenen")]
        + [(s.value, s.label) for s in Status if s != Status.DRAFT]
        + [("alle", "alle")],
    )
    zustaendig = forms.ChoiceField(
        label="Zuständig",
        required=False,
        choices=[("", "alle"), ("ich", "mir zugewiesen"), ("niemand", "nicht zugewiesen")],
    )
    formular = forms.ModelChoiceField(
        label="Antrag", required=False, queryset=ApplicationForm.objects.all(), empty_label="alle"
    )
    q = forms.CharField(label="Suche (Aktenzeichen, Name)", required=False, max_length=100)
    bearbeitung = forms.ChoiceField(
        label="Bearbeitung",
        required=False,
        choices=[("", "durch die Sachbearbeitung"), ("alle", "auch automatisch bearbeitete")],
    )


def for_clerk() -> Q:
    """Cases a clerk works: forms handled in the inbox, and cases an automated handler
    referred to a clerk (a legitimate-interest request for owner data). Automated cases and
    those another system handles (FIT-Connect) are not waiting for anyone here."""
    return Q(form__handling=CLERK) | ~Q(review=Review.NONE)


def waits_for_clerk(application: Application) -> bool:
    return application.status in states.OPEN_FOR_CLERK and (
        application.form.handled_by_clerk or application.review == Review.PENDING
    )


@handles
def index(request: HttpRequest) -> HttpResponse:
    queryset = Application.objects.select_related("form", "citizen", "assigned_to").exclude(
        status=Status.DRAFT
    )
    filters = InboxFilter(request.GET or None)
    if not (filters.is_valid() and filters.cleaned_data["bearbeitung"] == "alle"):
        queryset = queryset.filter(for_clerk())
    if filters.is_valid():
        data = filters.cleaned_data
        if data["status"] == "":
            queryset = queryset.filter(status__in=states.OPEN_FOR_CLERK)
        elif data["status"] != "alle":
            queryset = queryset.filter(status=data["status"])
        if data["zustaendig"] == "ich":
            queryset = queryset.filter(assigned_to=request.user)
        elif data["zustaendig"] == "niemand":
            queryset = queryset.filter(assigned_to__isnull=True)
        if data["formular"]:
            queryset = queryset.filter(form=data["formular"])
        if data["q"]:
            term = data["q"].strip()
            number = parse_number(term.rsplit("-", 1)[-1])
            match = Q(citizen__family_name__icontains=term) | Q(citizen__given_name__icontains=term)
            if number is not None:
                match |= Q(pk=number)
            queryset = queryset.filter(match)
    else:
        queryset = queryset.filter(status__in=states.OPEN_FOR_CLERK)
    page = Paginator(queryset.order_by("submitted_at", "pk"), 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "applications/admin/inbox.html",
        {"page": page, "filters": filters, "page_title": "Anträge", "header_icon": "mail"},
    )


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="Zuweisen an",
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label="niemand",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _staff()


class DecisionForm(MessageForm):
    DECISIONS = [("annehmen", "Antrag bewilligen"), ("ablehnen", "Antrag ablehnen")]
    decision = forms.ChoiceField(label="Entscheidung", choices=DECISIONS, widget=forms.RadioSelect)


@handles
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related(
            "form__local_service__service", "citizen", "payment", "assigned_to"
        ).exclude(status=Status.DRAFT),
        pk=pk,
    )
    forms_by_name = {
        "zuweisen": AssignForm(initial={"assignee": application.assigned_to_id}),
        "rueckfrage": MessageForm(prefix="rueckfrage"),
        "entscheidung": DecisionForm(prefix="entscheidung"),
    }
    status = 200
    if request.method == "POST":
        step = request.POST.get("schritt", "")
        try:
            done = _handle_step(request, application, step, forms_by_name)
        except ApplicationRefused as exc:
            messages.error(request, str(exc))
            done = False
        if done:
            messages.success(request, done)
            return HttpResponseRedirect(reverse("applications_inbox_detail", args=[pk]))
        status = 400
    return TemplateResponse(
        request,
        "applications/admin/detail.html",
        {
            "application": application,
            "answers": answers(application),
            "summary": handling_of(application).case_summary(application),
            "in_review": application.review == Review.PENDING,
            "events": application.events.select_related("actor_user"),
            "uploads": application.uploads.all(),
            "open": waits_for_clerk(application),
            "trust_label": levels.label(application.citizen.trust_level),
            "page_title": f"Antrag {application.reference}",
            "header_icon": "mail",
            **forms_by_name,
        },
        status=status,
    )


def _handle_step(request, application, step, forms_by_name) -> str | bool:
    """Run one clerk action from the detail page; returns the success message or False."""
    if application.status in states.OPEN_FOR_CLERK and not waits_for_clerk(application):
        raise ApplicationRefused(
            "Dieser Vorgang wird automatisch oder von einem anderen System bearbeitet; hier ist "
            "nichts zu entscheiden."
        )
    if step == "zuweisen":
        form = AssignForm(request.POST)
        forms_by_name["zuweisen"] = form
        if not form.is_valid():
            return False
        do_assign(
            application=application, clerk=request.user, assignee=form.cleaned_data["assignee"]
        )
        return "Zuweisung gespeichert."
    if step == "uebernehmen":
        do_assign(application=application, clerk=request.user, assignee=request.user)
        return "Sie bearbeiten diesen Antrag."
    if step == "rueckfrage":
        form = MessageForm(request.POST, request.FILES, prefix="rueckfrage")
        forms_by_name["rueckfrage"] = form
        if not form.is_valid():
            return False
        do_request_information(
            application=application,
            clerk=request.user,
            message=form.cleaned_data["message"],
            attachment=form.cleaned_data.get("attachment"),
        )
        return "Die Rückfrage liegt im Postfach der antragstellenden Person."
    if step == "entscheidung":
        form = DecisionForm(request.POST, request.FILES, prefix="entscheidung")
        forms_by_name["entscheidung"] = form
        if not form.is_valid():
            return False
        data = form.cleaned_data
        if data["decision"] == "annehmen" and application.review == Review.PENDING:
            do_approve_review(application=application, clerk=request.user, message=data["message"])
            return "Freigegeben: das Dokument wird erstellt und in das Postfach zugestellt."
        if data["decision"] == "annehmen":
            do_accept(
                application=application,
                clerk=request.user,
                message=data["message"],
                document=data.get("attachment"),
            )
            return "Der Antrag ist bewilligt; der Bescheid liegt im Postfach."
        do_reject(application=application, clerk=request.user, message=data["message"])
        return "Der Antrag ist abgelehnt; die Nachricht liegt im Postfach."
    raise ApplicationRefused("Unbekannter Bearbeitungsschritt.")


@handles
def upload_file(request: HttpRequest, pk: int, upload_pk: int) -> HttpResponse:
    application = get_object_or_404(Application.objects.exclude(status=Status.DRAFT), pk=pk)
    upload = get_object_or_404(application.uploads, pk=upload_pk)
    return private_file_response(upload.file, download_name=upload.original_name)


@handles
def document(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision or automated document of an application, for staff of this tenant."""
    application = get_object_or_404(Application.objects.exclude(status=Status.DRAFT), pk=pk)
    if not application.document:
        raise Http404("Kein Dokument")
    return private_file_response(
        application.document,
        download_name=download_name(application.document, stem=f"bescheid-{application.reference}"),
    )
