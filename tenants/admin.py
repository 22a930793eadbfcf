"""Tenant administration for the district IT team (Django admin on the public host).

Every write goes through `tenants.actions`, the same functions the CLI calls.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tenants import actions
from tenants.errors import TenantActionError
from tenants.models import Domain, Tenant, TenantAuditEntry
from tenants.validation import check_ags, check_domain, check_name, check_slug


def _as_form_error(exc: TenantActionError) -> forms.ValidationError:
    return forms.ValidationError(str(exc))


class TenantCreationForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label="Art",
        choices=[(Tenant.Kind.DISTRICT, "Kreis"), (Tenant.Kind.MUNICIPALITY, "Gemeinde/Stadt")],
    )
    extra_domains = forms.CharField(
        label="Weitere Domains",
        required=False,
        help_text="Optional, durch Kommas getrennt (z. B. service.erkelenz.de).",
    )

    class Meta:
        model = Tenant
        fields = ["name", "slug", "kind", "ags"]

    def _checked(self, check, *args):
        try:
            return check(*args)
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc

    def clean_name(self):
        return self._checked(check_name, self.cleaned_data.get("name", ""))

    def clean_slug(self):
        return self._checked(check_slug, self.cleaned_data.get("slug", ""))

    def clean_extra_domains(self):
        raw = self.cleaned_data.get("extra_domains", "")
        return tuple(self._checked(check_domain, item) for item in raw.split(",") if item.strip())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") and "ags" in cleaned:
            try:
                cleaned["ags"] = check_ags(cleaned["ags"], cleaned["kind"])
            except TenantActionError as exc:
                self.add_error("ags", str(exc))
        return cleaned

    def validate_unique(self):
        """Uniqueness is checked above with clearer messages."""


class TenantChangeForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "ags"]

    def clean_name(self):
        try:
            return check_name(self.cleaned_data.get("name", ""))
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc

    def clean_ags(self):
        try:
            return check_ags(
                self.cleaned_data.get("ags", ""), self.instance.kind, exclude_pk=self.instance.pk
            )
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    fields = ["domain", "is_primary"]
    readonly_fields = ["domain", "is_primary"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "ags", "status", "primary_domain", "created"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "slug", "ags"]
    inlines = [DomainInline]
    actions = ["suspend_tenants", "resume_tenants", "delete_tenants_with_backup"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return super().get_queryset(request).portals().prefetch_related("domains")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = TenantChangeForm if obj else TenantCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "slug", "kind", "ags", "extra_domains"]
        return ["name", "ags", "slug", "kind", "schema_name", "status", "created"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug", "kind", "schema_name", "status", "created"] if obj else []

    def get_inlines(self, request, obj=None):
        return self.inlines if obj else []

    @admin.display(description="Hauptdomain")
    def primary_domain(self, obj: Tenant) -> str:
        return next((d.domain for d in obj.domains.all() if d.is_primary), "–")

    def save_model(self, request, obj, form, change):
        actor = request.user.get_username()
        if change:
            actions.do_refresh_tenant(
                tenant=Tenant.objects.get(pk=obj.pk), name=obj.name, ags=obj.ags, actor=actor
            )
            return
        created = actions.do_create_tenant(
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            kind=form.cleaned_data["kind"],
            ags=form.cleaned_data["ags"],
            extra_domains=form.cleaned_data.get("extra_domains", ()),
            actor=actor,
        )
        obj.pk = created.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # deletion only through the action below, which dumps the schema first

    def _run(self, request, queryset, action, done: str) -> None:
        for tenant in queryset:
            try:
                action(tenant=tenant, actor=request.user.get_username())
            except TenantActionError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{tenant.name}: {done}", messages.SUCCESS)

    @admin.action(description="Ausgewählte Mandanten sperren")
    def suspend_tenants(self, request, queryset):
        self._run(request, queryset, actions.do_suspend_tenant, "gesperrt")

    @admin.action(description="Ausgewählte Mandanten entsperren")
    def resume_tenants(self, request, queryset):
        self._run(request, queryset, actions.do_resume_tenant, "entsperrt")

    @admin.action(description="Ausgewählte Mandanten löschen (nach Sicherung des Schemas)")
    def delete_tenants_with_backup(self, request, queryset):
        self._run(request, queryset, actions.do_delete_tenant, "gesichert und gelöscht")


class DomainForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ["domain", "tenant", "is_primary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tenant" in self.fields:
            self.fields["tenant"].queryset = Tenant.objects.portals()

    def clean_domain(self):
        try:
            return check_domain(self.cleaned_data.get("domain", ""))
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc

    def validate_unique(self):
        """Checked by check_domain with a clearer message."""


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    form = DomainForm
    list_display = ["domain", "tenant", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["domain", "tenant__name", "tenant__slug"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("tenant")
            .exclude(tenant__kind=Tenant.Kind.SYSTEM)
        )

    def has_change_permission(self, request, obj=None):
        return False  # a domain is added or removed, never renamed in place

    def save_model(self, request, obj, form, change):
        created = actions.do_add_domain(
            tenant=obj.tenant,
            hostname=obj.domain,
            make_primary=obj.is_primary,
            actor=request.user.get_username(),
        )
        obj.pk = created.pk

    def delete_model(self, request, obj):
        try:
            actions.do_remove_domain(hostname=obj.domain, actor=request.user.get_username())
        except TenantActionError as exc:
            self.message_user(request, str(exc), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for domain in queryset:
            self.delete_model(request, domain)


@admin.register(TenantAuditEntry)
class TenantAuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "tenant_slug", "action", "actor"]
    list_filter = ["action"]
    search_fields = ["tenant_slug", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
