"""The IT team configures a tenant's staff directory in the tenant administration."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import DatabaseError
from django.urls import reverse
from django_tenants.utils import schema_context

from tenants.actions import primary_hostname
from tenants.models import Tenant
from tenants.staff_directory.models import GroupMapping, StaffDirectory


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class StaffDirectoryForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="Client-Secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "Wird verschlüsselt gespeichert und nie wieder angezeigt. Leer lassen, um das "
            "gespeicherte Secret zu behalten."
        ),
    )

    class Meta:
        model = StaffDirectory
        fields = [
            "tenant",
            "enabled",
            "issuer",
            "client_id",
            "scopes",
            "group_claim",
            "emails_verified",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tenant" in self.fields:
            self.fields["tenant"].queryset = Tenant.objects.portals().order_by("name")

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip().rstrip("/")
        parts = urlsplit(issuer)
        if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
            raise forms.ValidationError(
                "Die Issuer-URL muss mit https:// beginnen (unverschlüsselt nur für "
                "Tests auf diesem Rechner)."
            )
        if parts.query or parts.fragment:
            raise forms.ValidationError("Die Issuer-URL darf keine ?-Parameter oder # enthalten.")
        return issuer

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data.get("client_secret", "")
        if not secret and not (self.instance.pk and self.instance.client_secret_encrypted):
            raise forms.ValidationError("Bitte das Client-Secret aus dem Verzeichnis eintragen.")
        return secret

    def save(self, commit: bool = True) -> StaffDirectory:
        if self.cleaned_data.get("client_secret"):
            self.instance.set_client_secret(self.cleaned_data["client_secret"])
        return super().save(commit=commit)


class GroupMappingFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """Each named portal group must exist in the tenant's own schema."""
        super().clean()
        tenant = getattr(self.instance, "tenant", None) if self.instance.tenant_id else None
        if tenant is None:
            return
        names = {
            form.cleaned_data["group_name"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("group_name")
        }
        try:
            with schema_context(tenant.schema_name):
                existing = set(Group.objects.filter(name__in=names).values_list("name", flat=True))
                available = sorted(Group.objects.values_list("name", flat=True))
        except DatabaseError:
            return
        for form in self.forms:
            name = (form.cleaned_data or {}).get("group_name")
            if name and name in names - existing:
                form.add_error(
                    "group_name",
                    f"Die Gruppe „{name}“ gibt es im Portal {tenant.name} nicht. "
                    f"Vorhanden: {', '.join(available)}.",
                )


class GroupMappingInline(admin.TabularInline):
    model = GroupMapping
    formset = GroupMappingFormSet
    extra = 1
    fields = ["claim_value", "group_name"]


@admin.register(StaffDirectory)
class StaffDirectoryAdmin(admin.ModelAdmin):
    form = StaffDirectoryForm
    inlines = [GroupMappingInline]
    list_display = ["tenant", "issuer", "client_id", "enabled", "updated"]
    list_select_related = ["tenant"]
    list_filter = ["enabled"]
    search_fields = ["tenant__name", "tenant__slug", "issuer"]
    readonly_fields = ["redirect_uri", "post_logout_redirect_uri", "secret_state"]

    def get_fields(self, request, obj=None):
        fields = ["tenant", "enabled", "issuer", "client_id", "client_secret"]
        fields += ["scopes", "group_claim", "emails_verified"]
        return fields + (
            ["secret_state", "redirect_uri", "post_logout_redirect_uri"] if obj else []
        )

    def get_readonly_fields(self, request, obj=None):
        # the tenant of an existing configuration is fixed: a new tenant gets its own
        return [*self.readonly_fields, "tenant"] if obj else []

    @admin.display(description="Client-Secret gespeichert")
    def secret_state(self, obj: StaffDirectory) -> str:
        if not obj.client_secret_encrypted:
            return "nein"
        if obj.client_secret is None:
            return "nicht lesbar (SECRET_KEY geändert) – bitte neu eintragen"
        return "ja (wird nicht angezeigt)"

    @admin.display(description="Redirect-URI (im Verzeichnis einzutragen)")
    def redirect_uri(self, obj: StaffDirectory) -> str:
        path = reverse("staff_directory:callback", urlconf="kreisportal.urls_tenant")
        return f"https://{primary_hostname(obj.tenant.slug)}{path}"

    @admin.display(description="Post-Logout-Redirect-URI (im Verzeichnis einzutragen)")
    def post_logout_redirect_uri(self, obj: StaffDirectory) -> str:
        """Where the directory sends the browser back after signing out (RP-initiated logout,
        if the directory offers an end_session_endpoint)."""
        path = reverse("wagtailadmin_login", urlconf="kreisportal.urls_tenant")
        return f"https://{primary_hostname(obj.tenant.slug)}{path}"
