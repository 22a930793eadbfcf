"""Tenant administration for the district IT team (Django admin on the public host).

Every write goes through `tenants.actions`, the same functions the CLI calls.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join

from tenants import actions
from tenants.errors import TenantActionError
from tenants.models import IMPRINT_FIELDS, Domain, Tenant, TenantAuditEntry
from tenants.validation import (
    check_ags,
    check_domain,
    check_name,
    check_official_ags,
    check_slug,
)


def _as_form_error(exc: TenantActionError) -> forms.ValidationError:
    return forms.ValidationError(exc.for_admin)


class TenantCreationForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label="Art",
        choices=[(Tenant.Kind.DISTRICT, "Kreis"), (Tenant.Kind.MUNICIPALITY, "Gemeinde/Stadt")],
    )
    start_status = forms.ChoiceField(
        label="Start",
        choices=[
            (Tenant.Status.PREPARING, "in Vorbereitung (Bürger sehen „bald verfügbar“)"),
            (Tenant.Status.ACTIVE, "sofort live"),
        ],
        initial=Tenant.Status.PREPARING,
        help_text="In Vorbereitung sehen nur die Redaktion (angemeldet) und die Vorschau der "
        "Kreis-IT das Portal. Live geschaltet wird, wenn die Checkliste erfüllt ist.",
    )
    extra_domains = forms.CharField(
        label="Weitere Domains",
        required=False,
        help_text="Optional, durch Kommas getrennt (z. B. service.erkelenz.de).",
    )

    class Meta:
        model = Tenant
        fields = ["name", "slug", "kind", "ags", *IMPRINT_FIELDS]

    def _checked(self, check, *args):
        try:
            return check(*args)
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = (
            "Leer lassen: der Name kommt aus dem Gemeindeverzeichnis (z. B. „Stadt Erkelenz“ "
            "zum Schlüssel 05370004)."
        )
        self.fields["ags"].help_text = (
            "8 Ziffern für Gemeinden, 5 Ziffern (Kreisschlüssel) für den Kreis; geprüft gegen "
            "das Gemeindeverzeichnis des Statistischen Bundesamts."
        )

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        return self._checked(check_name, name) if name else ""

    def clean_slug(self):
        return self._checked(check_slug, self.cleaned_data.get("slug", ""))

    def clean_extra_domains(self):
        raw = self.cleaned_data.get("extra_domains", "")
        return tuple(self._checked(check_domain, item) for item in raw.split(",") if item.strip())

    def clean(self):
        cleaned = super().clean()
        entry = None
        if cleaned.get("kind") and "ags" in cleaned:
            try:
                cleaned["ags"] = check_ags(cleaned["ags"], cleaned["kind"])
                entry = check_official_ags(cleaned["ags"], cleaned["kind"])
            except TenantActionError as exc:
                self.add_error("ags", exc.for_admin)
        if "name" in cleaned and not cleaned["name"]:
            if entry is not None:
                cleaned["name"] = entry.suggested_name  # the name suggested from the key
            elif "ags" not in self.errors:
                self.add_error("name", "Bitte einen Namen angeben.")
        return cleaned

    def validate_unique(self):
        """Uniqueness is checked above with clearer messages."""


class TenantChangeForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "ags", *IMPRINT_FIELDS]

    def clean_name(self):
        try:
            return check_name(self.cleaned_data.get("name", ""))
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc

    def clean_ags(self):
        try:
            ags = check_ags(
                self.cleaned_data.get("ags", ""), self.instance.kind, exclude_pk=self.instance.pk
            )
            check_official_ags(ags, self.instance.kind)
        except TenantActionError as exc:
            raise _as_form_error(exc) from exc
        return ags


class DeleteConfirmationForm(forms.Form):
    confirm_slug = forms.CharField(label="Kurzname zur Bestätigung", max_length=40)

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    def clean_confirm_slug(self):
        typed = self.cleaned_data["confirm_slug"].strip()
        if typed != self.tenant.slug:
            raise forms.ValidationError(
                f"Der Kurzname stimmt nicht. Geben Sie „{self.tenant.slug}“ ein, um zu löschen."
            )
        return typed


class InvitationForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(
        label="E-Mail-Adresse",
        max_length=150,
        help_text="An diese Adresse geht der Einladungslink; sie ist später der Benutzername.",
    )


# What citizens see and what becomes of running business when a portal is suspended or resumed:
# shown on the confirmation page and repeated (short) in the message after the action. True to
# kreisportal.middleware.SuspendedTenantMiddleware (every path but /cms/ and /static/ answers 503)
# and the identity provider's refusal of suspended portals.
SUSPEND_EFFECTS = (
    "Bürgerinnen und Bürger sehen auf jeder Seite des Portals – auch unter seinen weiteren "
    "Domains – nur den Hinweis „Das Portal ist vorübergehend nicht erreichbar“ (HTTP 503 mit "
    "„später erneut versuchen“, damit Suchmaschinen nichts aus ihrem Verzeichnis löschen).",
    "Niemand kann sich anmelden: Konto, Postfach und gebuchte Termine sind für Bürgerinnen und "
    "Bürger nicht erreichbar.",
    "Es können keine Anträge gestellt, keine Zahlungen begonnen oder abgeschlossen und keine "
    "Termine gebucht, verschoben oder abgesagt werden.",
    "Laufende Anträge bleiben unverändert erhalten; Redaktion und Sachbearbeitung arbeiten im "
    "CMS (/cms/) weiter, Hintergrundaufgaben (Zustellung, automatisch erledigte Anträge) laufen "
    "weiter. Was dabei ins Postfach geht, lesen Bürgerinnen und Bürger nach dem Entsperren.",
    "Bereits gebuchte Zahlungen bleiben gebucht. Offene Zahlungen bleiben offen: Rückmeldungen "
    "der Zahlungsdienstleister an das Portal werden während der Sperre abgewiesen und von den "
    "Anbietern später erneut zugestellt; Bürgerinnen und Bürger bezahlen nach dem Entsperren.",
    "Gebuchte Termine bleiben bestehen.",
)
SUSPENDED_DONE = (
    "gesperrt. Bürgerinnen und Bürger sehen jetzt „Das Portal ist vorübergehend nicht "
    "erreichbar“; Anmelden, Anträge, Zahlungen und Termine sind bis zum Entsperren nicht "
    "möglich. Laufende Anträge und gebuchte Zahlungen und Termine bleiben erhalten."
)
RESUME_EFFECTS = {
    Tenant.Status.ACTIVE: (
        "Das Portal ist sofort wieder für alle erreichbar: Anmelden, Anträge, Zahlungen und "
        "Termine funktionieren wieder wie vor der Sperre.",
        "Offene Zahlungen können jetzt abgeschlossen werden; Rückmeldungen der "
        "Zahlungsdienstleister, die während der Sperre abgewiesen wurden, kommen erneut an.",
    ),
    Tenant.Status.PREPARING: (
        "Das Portal war vor der Sperre in Vorbereitung und kehrt dorthin zurück: Bürgerinnen "
        "und Bürger sehen wieder „Unser Bürgerportal ist bald verfügbar“.",
        "Live geht es erst, wenn die Checkliste erfüllt ist und es live geschaltet wird.",
    ),
}
RESUMED_DONE = {
    Tenant.Status.ACTIVE: "entsperrt. Das Portal ist wieder für alle Bürgerinnen und Bürger "
    "erreichbar; Anmelden, Anträge, Zahlungen und Termine funktionieren wieder.",
    Tenant.Status.PREPARING: "entsperrt und wieder in Vorbereitung. Bürgerinnen und Bürger "
    "sehen „bald verfügbar“, bis das Portal live geschaltet wird.",
}


def _tenant_url(request: HttpRequest, tenant: Tenant, path_: str) -> str:
    """An absolute URL on the tenant's primary host, on the port the browser uses here."""
    host = request.get_host()
    port = f":{host.rsplit(':', 1)[1]}" if ":" in host else ""
    return f"{request.scheme}://{actions.primary_hostname(tenant.slug)}{port}{path_}"


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
    actions = ["go_live", "suspend_tenants", "resume_tenants", "delete_tenants_with_backup"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tenant]:
        return super().get_queryset(request).portals().prefetch_related("domains")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = TenantChangeForm if obj else TenantCreationForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "slug", "kind", "ags", "start_status", "extra_domains", *IMPRINT_FIELDS]
        return [
            "name",
            "ags",
            "official_name",
            "slug",
            "kind",
            "schema_name",
            "status",
            "created",
            "preview",
            "checklist",
            "editors",
            "deletion",
            *IMPRINT_FIELDS,
        ]

    def get_fieldsets(self, request, obj=None):
        fields = [f for f in self.get_fields(request, obj) if f not in IMPRINT_FIELDS]
        return [
            (None, {"fields": fields}),
            (
                "Angaben für das Impressum",
                {
                    "fields": list(IMPRINT_FIELDS),
                    "description": "Neue Portale bekommen Impressum, Datenschutzerklärung und "
                    "Erklärung zur Barrierefreiheit als Entwürfe; das Impressum wird aus diesen "
                    "Angaben gefüllt. Die Redaktion ergänzt und veröffentlicht sie.",
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        return (
            [
                "official_name",
                "slug",
                "kind",
                "schema_name",
                "status",
                "created",
                "preview",
                "checklist",
                "editors",
                "deletion",
            ]
            if obj
            else []
        )

    @admin.display(description="Laut Gemeindeverzeichnis")
    def official_name(self, obj: Tenant) -> str:
        from tenants.municipality_keys import as_of, lookup

        kind = "district" if obj.kind == Tenant.Kind.DISTRICT else "municipality"
        entry = lookup(obj.ags, kind)
        if entry is None:
            return f"Schlüssel nicht im Gemeindeverzeichnis (Gebietsstand {as_of()})"
        return f"{entry.name} (ARS {entry.ars}, Gebietsstand {as_of()})"

    @admin.display(description="Checkliste zum Live-Schalten")
    def checklist(self, obj: Tenant) -> str:
        if not obj.is_preparing:
            return "–"
        open_items = actions.open_go_live_items(obj)
        if not open_items:
            return "Erfüllt: der Mandant kann live geschaltet werden."
        return format_html(
            "Noch offen:<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((item,) for item in open_items)),
        )

    @admin.display(description="Vorschau")
    def preview(self, obj: Tenant) -> str:
        if not obj.is_preparing:
            return "–"
        url = reverse("admin:tenants_tenant_preview", args=[obj.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Portal in Vorbereitung ansehen</a>', url
        )

    def preview_view(self, request: HttpRequest, object_id: str):
        """A fresh signed preview link (valid 15 minutes), opened on the tenant's host."""
        from tenants.preview import PREVIEW_PATH, preview_link_token

        tenant = self.get_object(request, object_id)
        if tenant is None or not tenant.is_preparing:
            raise Http404
        if not self.has_view_permission(request, tenant):
            raise PermissionDenied
        token = preview_link_token(tenant)
        return redirect(_tenant_url(request, tenant, f"{PREVIEW_PATH}?t={token}"))

    @admin.display(description="Löschen")
    def deletion(self, obj: Tenant) -> str:
        url = reverse("admin:tenants_tenant_delete_confirm", args=[obj.pk])
        return format_html('<a class="deletelink" href="{}">Mandanten löschen …</a>', url)

    @admin.display(description="Redaktion")
    def editors(self, obj: Tenant) -> str:
        url = reverse("admin:tenants_tenant_invitations", args=[obj.pk])
        invite = format_html('<a class="button" href="{}">Redaktion einladen</a>', url)
        try:  # the branding form is the cms' (kreisportal.urls_admin wires it)
            branding = reverse("tenant_branding", args=[obj.pk])
        except NoReverseMatch:
            return invite
        return format_html(
            '{} <a class="button" href="{}">Gestaltung (Logo, Farben, Schrift)</a>',
            invite,
            branding,
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/einladungen/",
                self.admin_site.admin_view(self.invitations_view),
                name="tenants_tenant_invitations",
            ),
            path(
                "<path:object_id>/vorschau/",
                self.admin_site.admin_view(self.preview_view),
                name="tenants_tenant_preview",
            ),
            path(
                "<path:object_id>/loeschen/",
                self.admin_site.admin_view(self.delete_confirmation_view),
                name="tenants_tenant_delete_confirm",
            ),
            *super().get_urls(),
        ]

    def invitations_view(self, request: HttpRequest, object_id: str):
        """ "Redaktion einladen": invite a person by name and e-mail (the link goes out by
        e-mail and is shown here once), resend (new link, the old one stops working) or revoke
        the invitations of this portal."""
        from tenants import invitations

        tenant = self.get_object(request, object_id)
        if tenant is None:
            raise Http404
        if not self.has_change_permission(request, tenant):
            raise PermissionDenied
        actor = request.user.get_username()
        origin = _tenant_url(request, tenant, "")
        form = InvitationForm(request.POST if request.POST.get("do") == "invite" else None)
        link = invited = refused = None
        if request.method == "POST" and request.POST.get("do") == "invite":
            if form.is_valid():
                try:
                    invited, link = invitations.do_invite_editor(
                        tenant=tenant, origin=origin, actor=actor, **form.cleaned_data
                    )
                except TenantActionError as exc:
                    form.add_error(None, exc.for_admin)
                else:
                    form = InvitationForm()
        elif request.method == "POST":
            try:
                if request.POST.get("do") in ("resend", "revoke"):
                    invitation = invitations.access_invitation(tenant, request.POST.get("id", ""))
                    if request.POST["do"] == "resend":
                        invited, link = invitations.do_resend_invitation(
                            invitation=invitation, origin=origin, actor=actor
                        )
                    else:
                        invitations.do_revoke_invitation(invitation=invitation, actor=actor)
                        done = f"Einladung an {invitation.email} widerrufen."
                        self.message_user(request, done, messages.SUCCESS)
                        return redirect(request.path)
            except TenantActionError as exc:
                refused = exc.for_admin
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": tenant,
            "title": f"Redaktion einladen – {tenant.name}",
            "form": form,
            "link": link,
            "invited": invited,
            "refused": refused,
            "invitations": invitations.invitations_of(tenant),
            "days": invitations.INVITATION_DAYS,
        }
        response = TemplateResponse(request, "admin/tenants/tenant/invitations.html", context)
        add_never_cache_headers(response)  # the link is shown once and never cached
        return response

    def get_inlines(self, request, obj=None):
        return self.inlines if obj else []

    @admin.display(description="Hauptdomain")
    def primary_domain(self, obj: Tenant) -> str:
        return next((d.domain for d in obj.domains.all() if d.is_primary), "–")

    def save_model(self, request, obj, form, change):
        actor = request.user.get_username()
        if change:
            actions.do_refresh_tenant(
                tenant=Tenant.objects.get(pk=obj.pk),
                name=obj.name,
                ags=obj.ags,
                imprint={field: form.cleaned_data.get(field, "") for field in IMPRINT_FIELDS},
                actor=actor,
            )
            return
        created = actions.do_create_tenant(
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            kind=form.cleaned_data["kind"],
            ags=form.cleaned_data["ags"],
            extra_domains=form.cleaned_data.get("extra_domains", ()),
            imprint={field: form.cleaned_data.get(field, "") for field in IMPRINT_FIELDS},
            status=form.cleaned_data["start_status"],
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
                self.message_user(request, exc.for_admin, messages.ERROR)
            else:
                self.message_user(request, f"{tenant.name}: {done}", messages.SUCCESS)

    @admin.action(description="Ausgewählte Mandanten live schalten (Checkliste erfüllt)")
    def go_live(self, request, queryset):
        self._run(request, queryset, actions.do_go_live, "ist live")

    @admin.action(description="Ausgewählte Mandanten sperren …")
    def suspend_tenants(self, request, queryset):
        """Confirmed on a page that says what citizens will see; then suspended."""
        if request.POST.get("confirmed") != "yes":
            return self._confirm_status_change(request, queryset, "suspend_tenants", suspend=True)
        for tenant in queryset:
            try:
                actions.do_suspend_tenant(tenant=tenant, actor=request.user.get_username())
            except TenantActionError as exc:
                self.message_user(request, exc.for_admin, messages.ERROR)
            else:
                self.message_user(request, f"{tenant.name}: {SUSPENDED_DONE}", messages.SUCCESS)
        return None

    @admin.action(description="Ausgewählte Mandanten entsperren …")
    def resume_tenants(self, request, queryset):
        """Confirmed on a page that says what citizens will see; then resumed."""
        if request.POST.get("confirmed") != "yes":
            return self._confirm_status_change(request, queryset, "resume_tenants", suspend=False)
        for tenant in queryset:
            try:
                tenant = actions.do_resume_tenant(tenant=tenant, actor=request.user.get_username())
            except TenantActionError as exc:
                self.message_user(request, exc.for_admin, messages.ERROR)
            else:
                done = RESUMED_DONE[Tenant.Status(tenant.status)]
                self.message_user(request, f"{tenant.name}: {done}", messages.SUCCESS)
        return None

    def _confirm_status_change(
        self, request: HttpRequest, queryset: QuerySet[Tenant], action: str, *, suspend: bool
    ) -> TemplateResponse:
        """The page between choosing "sperren"/"entsperren" and doing it: which portals, what
        their citizens will see, what happens to running applications, payments and
        appointments. Portals the action does not apply to are named, not hidden."""
        tenants = list(queryset.order_by("name"))
        if suspend:
            affected = [t for t in tenants if not t.is_suspended]
            skipped = [(t, "ist schon gesperrt") for t in tenants if t.is_suspended]
            groups = [(None, SUSPEND_EFFECTS, affected)] if affected else []
        else:
            affected = [t for t in tenants if t.is_suspended]
            skipped = [(t, "ist nicht gesperrt") for t in tenants if not t.is_suspended]
            groups = []
            for status, effects in RESUME_EFFECTS.items():
                members = [t for t in affected if actions.status_after_resume(t) == status]
                if members:
                    groups.append((Tenant.Status(status).label, effects, members))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Mandanten sperren" if suspend else "Mandanten entsperren",
            "suspend": suspend,
            "action": action,
            "groups": groups,
            "skipped": skipped,
            "affected": affected,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        response = TemplateResponse(
            request, "admin/tenants/tenant/status_confirmation.html", context
        )
        add_never_cache_headers(response)
        return response

    @admin.action(description="Ausgewählten Mandanten löschen (nach Sicherung des Schemas) …")
    def delete_tenants_with_backup(self, request, queryset):
        """Deleting is confirmed on its own page, one tenant at a time."""
        if queryset.count() != 1:
            self.message_user(
                request,
                "Bitte genau einen Mandanten zum Löschen auswählen; jedes Löschen wird einzeln "
                "bestätigt.",
                messages.ERROR,
            )
            return None
        tenant = queryset.get()
        return redirect("admin:tenants_tenant_delete_confirm", tenant.pk)

    def delete_confirmation_view(self, request: HttpRequest, object_id: str):
        """Deleting a whole portal: shows what goes and where the backup goes; the slug must be
        typed to confirm (as for a repository on GitHub). The schema is dumped first."""
        tenant = self.get_object(request, object_id)
        if tenant is None:
            raise Http404
        if not self.has_change_permission(request, tenant):
            raise PermissionDenied
        form = DeleteConfirmationForm(request.POST or None, tenant=tenant)
        if request.method == "POST" and form.is_valid():
            try:
                dump = actions.do_delete_tenant(tenant=tenant, actor=request.user.get_username())
            except TenantActionError as exc:
                form.add_error(None, exc.for_admin)
            else:
                self.message_user(
                    request,
                    f"{tenant.name} wurde gelöscht. Sicherung des Schemas: {dump}",
                    messages.SUCCESS,
                )
                return redirect("admin:tenants_tenant_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": tenant,
            "title": f"{tenant.name} löschen",
            "form": form,
            "domains": [d.domain for d in tenant.domains.order_by("-is_primary", "domain")],
            "backup_dir": actions.default_backup_dir(),
        }
        return TemplateResponse(request, "admin/tenants/tenant/delete_confirmation.html", context)


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
