"""Tenant and Domain (public schema)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connection, models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import schema_exists

from tenants.clone import clone_schema

SLUG_PATTERN = r"^[a-z][a-z0-9-]{0,38}[a-z0-9]$"
# Sub-domains a tenant may not take: they are the platform's own hosts or would confuse citizens.
RESERVED_SLUGS = frozenset(
    {"admin", "api", "www", "public", "static", "media", "mail", "cms", "template", "system"}
)


# The tenant's master data for its Impressum (see Tenant), in form order.
IMPRINT_FIELDS = (
    "address_street",
    "address_postcode",
    "address_city",
    "representative",
    "contact_phone",
    "contact_email",
    "supervisory_authority",
)


class TenantQuerySet(models.QuerySet):
    def portals(self) -> TenantQuerySet:
        """Tenants that are portals (district and municipalities), not the system rows."""
        return self.exclude(kind=Tenant.Kind.SYSTEM)

    def district(self) -> Tenant | None:
        """The district's portal (there is one per deployment), None before it is created."""
        return self.filter(kind=Tenant.Kind.DISTRICT).first()


class Tenant(TenantMixin):
    """A portal: the district or a municipality. Its data lives in schema `schema_name`.

    Two system rows share this table and never serve a portal: the public schema (the district IT
    team's host, the shared catalogue) and the template schema new tenants are cloned from. Both
    must be rows so that `migrate_schemas` keeps the template migrated along with every tenant.
    """

    class Kind(models.TextChoices):
        DISTRICT = "district", _("Kreis")
        MUNICIPALITY = "municipality", _("Gemeinde/Stadt")
        SYSTEM = "system", _("System (kein Portal)")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("in Vorbereitung")
        ACTIVE = "active", _("aktiv")
        SUSPENDED = "suspended", _("gesperrt")

    name = models.CharField(_("Name"), max_length=120)
    slug = models.SlugField(
        _("Kurzname (Subdomain)"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(SLUG_PATTERN, _("Nur a–z, 0–9 und Bindestrich."))],
    )
    kind = models.CharField(_("Art"), max_length=16, choices=Kind.choices)
    ags = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        blank=True,
        help_text=_("8 Ziffern für Gemeinden, 5 Ziffern (Kreisschlüssel) für den Kreis."),
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    created = models.DateTimeField(_("angelegt"), auto_now_add=True)

    # Master data for the Impressum the portal's legal page drafts are filled from (editable in
    # the tenant administration; editors complete and publish the pages in the tenant's CMS).
    address_street = models.CharField(_("Straße und Hausnummer"), max_length=120, blank=True)
    address_postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    address_city = models.CharField(_("Ort"), max_length=80, blank=True)
    representative = models.CharField(
        _("Vertreten durch"),
        max_length=160,
        blank=True,
        help_text=_("z. B. „Bürgermeisterin Erika Beispiel“ oder „Landrat Max Muster“."),
    )
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    contact_email = models.EmailField(_("E-Mail"), max_length=120, blank=True)
    supervisory_authority = models.CharField(
        _("Aufsichtsbehörde"),
        max_length=200,
        blank=True,
        help_text=_(
            "Die zuständige Kommunalaufsicht, z. B. der Landrat als untere staatliche "
            "Verwaltungsbehörde oder die Bezirksregierung."
        ),
    )

    objects = TenantQuerySet.as_manager()

    auto_create_schema = True
    auto_drop_schema = False  # schemas are dropped only by do_delete_tenant, after a dump

    class Meta:
        verbose_name = _("Mandant")
        verbose_name_plural = _("Mandanten")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ags"], condition=~models.Q(ags=""), name="tenant_ags_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_suspended(self) -> bool:
        return self.status == self.Status.SUSPENDED

    @property
    def is_preparing(self) -> bool:
        """Not live yet: its staff and the IT team's preview see it, citizens a "bald verfügbar"
        page (kreisportal.middleware)."""
        return self.status == self.Status.PREPARING

    @property
    def is_portal(self) -> bool:
        return self.kind != self.Kind.SYSTEM

    def imprint_data(self) -> dict[str, str]:
        """What the Impressum template is filled from: the name and the master data above."""
        return {"name": self.name, **{field: getattr(self, field) for field in IMPRINT_FIELDS}}

    def create_schema(self, check_if_exists=False, sync_schema=True, verbosity=1):
        """Clone the template schema when there is one, else migrate from zero.

        Our clone (`tenants.clone`) replaces django-tenants' clone function, whose cost grew with
        the number of tenants. django-tenants would run `migrate_schemas --fake` afterwards; that is
        redundant: the clone copies the template's `django_migrations` rows too. The template
        itself is always migrated from zero.
        """
        base_schema = self.get_base_schema()
        if (
            sync_schema
            and base_schema
            and self.schema_name != base_schema
            and schema_exists(base_schema)
        ):
            if schema_exists(self.schema_name, case_sensitive=False):
                if check_if_exists:
                    return False
                raise ValidationError(_("Ein Schema mit diesem Namen besteht bereits."))
            connection.set_schema_to_public()
            clone_schema(base_schema, self.schema_name)
            return True
        return super().create_schema(
            check_if_exists=check_if_exists, sync_schema=sync_schema, verbosity=verbosity
        )


# Pairs each unique constraint of the clone with the template's constraint of the same table and
# the same definition whose name differs.
_RENAMED_CONSTRAINTS = """
SELECT cls.relname, cloned.conname, original.conname
FROM pg_constraint original
JOIN pg_class orig_cls ON orig_cls.oid = original.conrelid
JOIN pg_class cls ON cls.relname = orig_cls.relname
    AND cls.relnamespace = to_regnamespace(%(clone)s)
JOIN pg_constraint cloned ON cloned.conrelid = cls.oid
    AND cloned.contype = original.contype
    AND pg_get_constraintdef(cloned.oid) = pg_get_constraintdef(original.oid)
WHERE original.connamespace = to_regnamespace(%(template)s)
    AND original.contype = 'u'
    AND cloned.conname <> original.conname
"""


def restore_constraint_names(template: str, clone: str) -> int:
    """Give the clone's unique constraints the template's names.

    django-tenants' clone function, used before `tenants.clone`, re-created unique constraints
    under PostgreSQL's generated names (`parcel_unique` became
    `fulfillment_parcel_gemarkung_id_flur_zaehler_nenner_key`); a later migration that removes or
    changes a named constraint would fail on every tenant cloned that way. `kreisportal migrate`
    aligns them first. Returns the number renamed.
    """
    from django.db import connection

    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(_RENAMED_CONSTRAINTS, {"template": template, "clone": clone})
        renames = cursor.fetchall()
        for table, cloned_name, original_name in renames:
            cursor.execute(
                f"ALTER TABLE {quote(clone)}.{quote(table)} "
                f"RENAME CONSTRAINT {quote(cloned_name)} TO {quote(original_name)}"
            )
    return len(renames)


class Domain(DomainMixin):
    """A host name that routes to a tenant: `<slug>.<BASE_DOMAIN>` or a custom domain."""

    class Meta:
        verbose_name = _("Domain")
        verbose_name_plural = _("Domains")
        ordering = ["domain"]


class TenantAuditEntry(models.Model):
    """Who did what to which tenant, and when (public schema; survives the tenant's deletion)."""

    tenant_slug = models.CharField(max_length=40, db_index=True)
    action = models.CharField(max_length=40)
    actor = models.CharField(max_length=150)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Protokoll")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.tenant_slug}: {self.action}"


class EditorInvitation(models.Model):
    """An invitation to a portal's editorial team (group "Redaktion"): a one-time link to the
    tenant's /cms/ where the invited person sets a password. Only a hash of the link's token is
    stored; the account is created when the invitation is accepted, in the tenant's schema.

    Kept in the public schema beside its tenant: the IT team lists, resends and revokes
    invitations from the tenant administration; deleting the tenant deletes them."""

    tenant = models.ForeignKey(
        Tenant, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("Mandant")
    )
    name = models.CharField(_("Name"), max_length=150)
    email = models.EmailField(_("E-Mail-Adresse"), max_length=150)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("gültig bis"))
    invited_by = models.CharField(_("eingeladen von"), max_length=150)
    created = models.DateTimeField(_("eingeladen am"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("angenommen am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Einladung")
        verbose_name_plural = _("Einladungen")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def state(self) -> str:
        """accepted, revoked, expired or open."""
        from django.utils import timezone

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"

    def get_state_display(self) -> str:
        return {
            "accepted": _("angenommen"),
            "revoked": _("widerrufen"),
            "expired": _("abgelaufen"),
            "open": _("offen"),
        }[self.state]
