"""`kreisportal tenant backup` / `tenant restore`: a demo municipality backed up and restored as a
new tenant, compared model by model, served on its own host, isolated from the original; and
every refusal (exit 1, one line, nothing left behind).

The round trip runs on committed data (pg_dump and pg_restore are separate processes), so it
uses `django_db_blocker.unblock()` and removes everything it added afterwards.
"""

from __future__ import annotations

import io
import json
import tarfile
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from kreisportal.cli import main
from tenants.backup import media_root_of, private_root_of
from tenants.models import Domain, Tenant, TenantAuditEntry

SOURCE = "erkelenz"
COPY = "erkelenz-wiederhergestellt"
MARK = f"backup-probe-{uuid.uuid4().hex[:8]}"

# Every model whose rows must survive the round trip: (model label, fields compared).
# A new app's data is one more line here.
ROUND_TRIP = [
    ("wagtailcore.Page", ("id", "title", "slug", "url_path", "live", "content_type__model")),
    ("cms.NewsArticlePage", ("id", "title", "teaser", "date")),
    ("cms.BrandingSettings", ("site_id", "primary_colour", "accent_colour", "font", "logo_id")),
    ("wagtailimages.Image", ("id", "title", "file")),
    ("services_local.Office", ("id", "name", "street", "postcode", "phone", "opening_hours")),
    ("services_local.LocalService", ("id", "service_id", "offered", "office_id", "fee_cents")),
    ("payments.Payment", ("id", "amount_cents", "status", "purpose", "payer_id")),
    ("payments.PaymentEvent", ("id", "payment_id", "event_id", "kind")),
    ("accounts.Citizen", ("id", "pseudonym", "given_name", "family_name")),
    ("postbox.PostboxMessage", ("id", "citizen_id", "subject", "body", "attachment")),
    ("applications.ApplicationForm", ("id", "slug", "fee_cents", "handling", "local_service_id")),
    ("applications.ApplicationFormField", ("id", "form_id", "name", "kind", "required")),
    ("applications.Application", ("id", "public_id", "status", "data", "payment_id")),
    ("applications.ApplicationEvent", ("id", "application_id", "action", "to_status")),
    ("applications.ApplicationUpload", ("id", "application_id", "field_name", "file")),
]


def _rows(label: str, fields: tuple[str, ...]) -> list[tuple]:
    return sorted(apps.get_model(label).objects.values_list(*fields), key=repr)


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _add_citizen_data(tenant: Tenant) -> None:
    """Citizen, postbox message with an attachment (a media file) and a booked payment."""
    from django.contrib.auth import get_user_model

    from payments.models import Payment, PaymentEvent
    from services.accounts.models import Citizen
    from services.postbox.models import PostboxMessage

    with tenant_context(tenant):
        user = get_user_model().objects.create(username=MARK)
        citizen = Citizen.objects.create(
            user=user, pseudonym=MARK, given_name="Erika", family_name="Mustermann",
            trust_level="substantial",
        )  # fmt: skip
        message = PostboxMessage(citizen=citizen, subject="Ihr Bescheid", body="Anbei.")
        message.attachment.save("bescheid.pdf", ContentFile(b"%PDF-1.4 " + MARK.encode()))
        payment = Payment.objects.create(
            provider="sandbox", amount_cents=1500, purpose=MARK, payer=citizen, status="paid"
        )
        PaymentEvent.objects.create(payment=payment, event_id=MARK, kind="paid")
        from services.applications.models import Application, ApplicationForm, ApplicationUpload

        application = Application.objects.create(
            form=ApplicationForm.objects.get(slug="bewohnerparkausweis"), citizen=citizen,
            status="paid", payment=payment, data={"amtliches_kennzeichen": MARK},
        )  # fmt: skip
        application.events.create(actor="Erika", action="paid", to_status="paid")
        upload = ApplicationUpload(application=application, field_name="schein", size=9,
                                   original_name="schein.pdf")  # fmt: skip
        upload.file.save("schein.pdf", ContentFile(b"%PDF-1.4 " + MARK.encode()))


def _remove_citizen_data(tenant: Tenant) -> None:
    from django.contrib.auth import get_user_model

    from payments.models import Payment
    from services.applications.models import Application
    from services.postbox.models import PostboxMessage

    with tenant_context(tenant):
        for message in PostboxMessage.objects.filter(citizen__pseudonym=MARK):
            message.attachment.delete(save=False)
        for application in Application.objects.filter(citizen__pseudonym=MARK):
            for upload in application.uploads.all():
                upload.file.delete(save=False)
            application.delete()
        Payment.objects.filter(purpose=MARK).delete()
        get_user_model().objects.filter(username=MARK).delete()  # citizen and messages cascade


def _drop_tenant(slug: str) -> None:
    import shutil

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None:
        tenant.delete(force_drop=True)
    schema = slug.replace("-", "_")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    shutil.rmtree(media_root_of(schema), ignore_errors=True)
    shutil.rmtree(private_root_of(schema), ignore_errors=True)


@pytest.fixture(scope="module")
def round_trip(django_db_setup, django_db_blocker, tmp_path_factory):
    """Back up Erkelenz (with a citizen, postbox and payment added), restore it as COPY."""
    import time

    archive = tmp_path_factory.mktemp("backup") / "erkelenz.tar.gz"
    with django_db_blocker.unblock():
        source = Tenant.objects.get(slug=SOURCE)
        _add_citizen_data(source)
        try:
            started = time.monotonic()
            assert main(["tenant", "backup", SOURCE, "--output", str(archive)]) == 0
            backup_seconds = time.monotonic() - started
            started = time.monotonic()
            assert main(["tenant", "restore", str(archive), "--as", COPY]) == 0
            restore_seconds = time.monotonic() - started
            yield {
                "archive": archive,
                "source": source,
                "copy": Tenant.objects.get(slug=COPY),
                "seconds": (backup_seconds, restore_seconds),
            }
        finally:
            _drop_tenant(COPY)
            _remove_citizen_data(source)
            connection.set_schema_to_public()


@pytest.fixture
def committed(django_db_blocker):
    """For the tests that restore for real: no test transaction (pg_restore commits in its own
    session). pytest-django sets up the test database only when a selected test uses `db`, so
    run these together with the rest of this module (as the suite does)."""
    with django_db_blocker.unblock():
        yield


def test_archive_holds_manifest_dump_and_media(round_trip, benchmark_report, db):
    with tarfile.open(round_trip["archive"]) as tar:
        names = set(tar.getnames())
        manifest = json.load(tar.extractfile("manifest.json"))
    logo = _logo_name(round_trip["source"])  # e.g. original_images/logo-erkelenz.svg
    assert {"manifest.json", "schema.dump", f"media/{logo}"} <= names
    # citizens' documents are in the private part of the archive, never under media/
    assert any(name.startswith("private/postfach/") for name in names)
    assert not any(name.startswith("media/postfach/") for name in names)
    assert manifest["slug"] == SOURCE and manifest["schema"] == "erkelenz"
    assert manifest["kind"] == "municipality" and manifest["ags"] == "05370004"
    assert {"domain": "erkelenz.localhost", "primary": True} in manifest["domains"]
    assert manifest["format_version"] == 1
    backup, restore = round_trip["seconds"]
    size = round_trip["archive"].stat().st_size / 1e6
    benchmark_report(f"tenant backup {backup:.1f} s ({size:.2f} MB), restore {restore:.1f} s")


@pytest.mark.parametrize("label,fields", ROUND_TRIP, ids=[label for label, _ in ROUND_TRIP])
def test_restored_rows_equal_the_original(round_trip, db, label, fields):
    with tenant_context(round_trip["source"]):
        original = _rows(label, fields)
    with tenant_context(round_trip["copy"]):
        restored = _rows(label, fields)
    assert original, f"{label}: the source has no rows, the comparison would prove nothing"
    assert restored == original


def test_restored_tenant_is_registered_with_its_own_host(round_trip, db):
    from wagtail.models import Site

    from services.local.models import LocalService
    from services.models import ServiceOffer

    copy = round_trip["copy"]
    assert copy.schema_name == "erkelenz_wiederhergestellt" and copy.kind == "municipality"
    assert copy.name == round_trip["source"].name
    assert copy.ags == ""  # Erkelenz still holds its official key
    assert list(Domain.objects.filter(tenant=copy).values_list("domain", "is_primary")) == [
        (f"{COPY}.{settings.BASE_DOMAIN}", True)
    ]
    with tenant_context(copy):
        assert list(Site.objects.values_list("hostname", flat=True)) == [
            f"{COPY}.{settings.BASE_DOMAIN}"
        ]
        local_count = LocalService.objects.count()
    assert ServiceOffer.objects.filter(tenant=copy).count() == local_count > 400
    entry = TenantAuditEntry.objects.filter(tenant_slug=COPY, action="restored").first()
    assert entry.details["source_slug"] == SOURCE
    assert entry.details["file"] == str(round_trip["archive"])
    with tenant_context(round_trip["source"]):
        assert list(Site.objects.values_list("hostname", flat=True)) == ["erkelenz.localhost"]


def _logo_name(tenant: Tenant) -> str:
    from cms.branding import BrandingSettings

    with tenant_context(tenant):
        return BrandingSettings.objects.select_related("logo").get().logo.file.name


def _get(port: str, slug: str, path: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": f"{slug}.localhost:{port}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_restored_portal_is_served_on_the_new_host(round_trip, tenant_server, db):
    from cms.news import NewsArticlePage

    port = tenant_server
    name = _logo_name(round_trip["copy"])
    assert name == _logo_name(round_trip["source"])
    logo_url = f"/media/erkelenz_wiederhergestellt/{name}"
    status, home = _get(port, COPY, "/")
    assert status == 200
    assert logo_url.encode() in home
    status, logo = _get(port, COPY, logo_url)
    assert status == 200
    assert logo == (media_root_of("erkelenz") / name).read_bytes()
    with tenant_context(round_trip["copy"]):
        article = NewsArticlePage.objects.live().first()
        path = article.get_url_parts()[2]
    status, page = _get(port, COPY, path)
    assert status == 200 and article.title.encode() in page
    status, _ = _get(port, SOURCE, path)
    assert status == 200  # the original still serves the same article
    with tenant_context(round_trip["copy"]):
        from services.postbox.models import PostboxMessage

        attachment = PostboxMessage.objects.get(citizen__pseudonym=MARK).attachment
        assert attachment.read() == b"%PDF-1.4 " + MARK.encode()


def test_restored_tenant_and_original_are_isolated(round_trip, db):
    from services.local.models import Office

    source, copy = round_trip["source"], round_trip["copy"]
    with tenant_context(copy):
        office = Office.objects.order_by("id").first()
        original_name = office.name
        Office.objects.filter(pk=office.pk).update(name="Nur in der Kopie")
    try:
        with tenant_context(source):
            assert Office.objects.get(pk=office.pk).name == original_name
        with tenant_context(source):
            Office.objects.filter(pk=office.pk).update(name="Nur im Original")
        with tenant_context(copy):
            assert Office.objects.get(pk=office.pk).name == "Nur in der Kopie"
    finally:
        with tenant_context(source):
            Office.objects.filter(pk=office.pk).update(name=original_name)


# --- refusals: exit 1, one readable line, nothing changed ----------------------------------------


def _one_error_line(code: int, err: str) -> str:
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kreisportal: error: "), err
    return lines[0]


def test_backup_of_an_unknown_tenant_is_refused(capsys, db, tmp_path):
    code, _, err = _cli(capsys, "tenant", "backup", "nirgendwo", "--output", str(tmp_path / "x"))
    assert "unknown tenant 'nirgendwo'" in _one_error_line(code, err)
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    "target,expected",
    [(SOURCE, "already taken"), ("Ungültig!", "invalid slug"), ("admin", "reserved")],
)
def test_restore_into_an_existing_or_invalid_slug_is_refused(
    capsys, round_trip, db, target, expected
):
    before = sorted(Tenant.objects.values_list("slug", flat=True))
    code, _, err = _cli(capsys, "tenant", "restore", str(round_trip["archive"]), "--as", target)
    assert expected in _one_error_line(code, err)
    assert sorted(Tenant.objects.values_list("slug", flat=True)) == before


def _corrupt(path: Path, kind: str, archive: Path) -> Path:
    if kind == "missing":
        return path / "gibt-es-nicht.tar.gz"
    target = path / f"{kind}.tar.gz"
    if kind == "garbage":
        target.write_bytes(b"not a tar file at all" * 100)
    elif kind == "truncated":
        target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    elif kind == "bad-dump":  # a valid archive whose dump pg_restore cannot read
        with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as tar:
            manifest = source.extractfile("manifest.json").read()
            for name, data in (("manifest.json", manifest), ("schema.dump", b"PGDMP broken")):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return target


@pytest.mark.parametrize(
    "kind,expected",
    [
        ("missing", "not found"),
        ("garbage", "damaged or not a Kreisportal tenant backup"),
        ("truncated", "damaged or not a Kreisportal tenant backup"),
        ("bad-dump", "pg_restore failed"),
    ],
)
def test_missing_or_corrupt_backup_is_refused_and_leaves_nothing(
    capsys, round_trip, committed, tmp_path, kind, expected
):
    path = _corrupt(tmp_path, kind, round_trip["archive"])
    code, _, err = _cli(capsys, "tenant", "restore", str(path), "--as", "kaputt")
    assert expected in _one_error_line(code, err)
    assert not Tenant.objects.filter(slug="kaputt").exists()
    assert not schema_exists("kaputt")
    assert not media_root_of("kaputt").exists()
    assert not private_root_of("kaputt").exists()


def test_a_failure_after_the_schema_was_restored_removes_it_again(
    capsys, round_trip, committed, monkeypatch
):
    """The read model rebuild fails (fault injected): no schema, no row, no media, exit 1."""
    import services.finder

    def broken(**kwargs):
        raise RuntimeError("read model unavailable")

    monkeypatch.setattr(services.finder, "sync_offers", broken)
    code, _, err = _cli(capsys, "tenant", "restore", str(round_trip["archive"]), "--as", "halb")
    assert "nothing kept: RuntimeError: read model unavailable" in _one_error_line(code, err)
    assert not Tenant.objects.filter(slug="halb").exists()
    assert not Domain.objects.filter(domain=f"halb.{settings.BASE_DOMAIN}").exists()
    assert not schema_exists("halb")
    assert not media_root_of("halb").exists()
    assert not private_root_of("halb").exists()
    assert not TenantAuditEntry.objects.filter(tenant_slug="halb").exists()


def test_a_backup_from_an_older_version_is_migrated_on_restore(
    capsys, round_trip, committed, tmp_path
):
    """A tenant backed up before the fulfillment app existed comes back with its tables."""
    from django.db.migrations.recorder import MigrationRecorder

    from tenants.actions import do_create_tenant

    old = do_create_tenant(name="Altstand", slug="altstand", kind="municipality", ags="05370996")
    archive = tmp_path / "altstand.tar.gz"
    try:
        # The state of a schema from before the app existed: no tables, no migration rows.
        # (Unapplying with `migrate … zero` fails on cloned schemas: django-tenants' clone
        # renames named unique constraints, e.g. parcel_unique.)
        with connection.cursor() as cursor:
            for table in sorted(t for t in _tables("altstand") if t.startswith("fulfillment_")):
                cursor.execute(f'DROP TABLE IF EXISTS "altstand"."{table}" CASCADE')
            cursor.execute("DELETE FROM altstand.django_migrations WHERE app = 'fulfillment'")
        assert "fulfillment_cadastralorder" not in _tables("altstand")
        assert main(["tenant", "backup", "altstand", "--output", str(archive)]) == 0
    finally:
        _drop_tenant(old.slug)
    try:
        code, out, err = _cli(capsys, "tenant", "restore", str(archive), "--as", "altstand-neu")
        assert code == 0, err
        assert "note: the backup was older than this version: its schema was migrated" in out
        assert "fulfillment_cadastralorder" in _tables("altstand_neu")
        with tenant_context(Tenant.objects.get(slug="altstand-neu")):
            assert MigrationRecorder.Migration.objects.filter(app="fulfillment").exists()
    finally:
        _drop_tenant("altstand-neu")
        connection.set_schema_to_public()


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}
