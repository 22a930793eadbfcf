"""Wagtail admin of a tenant: members of the group "Redaktion" invite colleagues to their
portal's editorial team (tenants.invitations). Registered by cms/wagtail_hooks.py."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from tenants.errors import TenantActionError
from tenants.invitations import INVITATION_DAYS, do_invite_editor, may_invite


class InviteColleagueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=150,
        help_text=_("An diese Adresse geht der Einladungslink; sie ist später der Benutzername."),
    )


def invite_colleague(request: HttpRequest) -> HttpResponse:
    if not may_invite(request.user):
        raise PermissionDenied
    form = InviteColleagueForm(request.POST or None)
    invited = link = None
    if request.method == "POST" and form.is_valid():
        try:
            invited, link = do_invite_editor(
                tenant=request.tenant,
                origin=f"{request.scheme}://{request.get_host()}",
                actor=request.user.get_full_name() or request.user.get_username(),
                **form.cleaned_data,
            )
        except TenantActionError as exc:
            form.add_error(None, exc.for_admin)
        else:
            form = InviteColleagueForm()
    response = TemplateResponse(
        request,
        "cms/admin/invite_colleague.html",
        {
            "form": form,
            "invited": invited,
            "link": link,
            "days": INVITATION_DAYS,
            "page_title": _("Kolleginnen und Kollegen einladen"),
            "header_icon": "user",
        },
    )
    add_never_cache_headers(response)
    return response
