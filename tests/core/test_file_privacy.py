"""Every file field has decided: public (per-tenant media, served by URL) or private (a storage no
URL serves, random names, streamed only to its owner or staff). The walk goes over every model
of the app registry, so a new FileField without a decision fails here.

For every private field, one owned file is made in a real tenant schema and fetched by: its
owner (200, a download that no cache keeps), staff with the permission where there is a staff
route (200), anonymous, another citizen, the owner signed in on another tenant's host, and the
file's stored name guessed under /media/ (all 404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import models
from django.test import Client

from kreisportal.files import PrivateTenantStorage
from services.accounts.actions import do_sign_in_citizen
from services.accounts.models import Citizen
from services.postbox.actions import do_deliver_message

BASE = settings.BASE_DOMAIN
CONTENT = b"%PDF-1.4\n% Eingangsbestaetigung A-2026-000001 Erika Mustermann, Musterweg 1\n"

# Files anybody may fetch on their tenant's host: pictures and documents editors publish, the
# editors' own multiple-upload staging files of those (Wagtail's UploadedFile), and staff avatars
# (shown as <img> in the admin, so they need a URL; no citizen data).
PUBLIC_FILE_FIELDS = {
    "wagtailimages.Image.file",
    "wagtailimages.Rendition.file",
    "wagtaildocs.Document.file",
    "wagtailcore.UploadedFile.file",
    "wagtailusers.UserProfile.avatar",
}


def file_fields() -> list[tuple[str, models.FileField]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and field.model is model:
                found.append((f"{model._meta.label}.{field.name}", field))
    return sorted(found, key=lambda item: item[0])


@dataclass
class OwnedFile:
    tenant: str
    owner: Citizen
    citizen_url: str
    staff_url: str | None
    stored_name: str


def _citizen(pseudonym: str, given_name: str = "Erika") -> Citizen:
    return do_sign_in_citizen(
        identity={
            "pseudonym": pseudonym,
            "given_name": given_name,
            "family_name": "Mustermann",
            "level": "substantial",
        }
    )


def _postbox_attachment() -> OwnedFile:
    owner = _citizen("privacy-owner-postbox")
    message = do_deliver_message(
        citizen=owner,
        subject="Eingangsbestätigung",
        body="Ihr Antrag ist eingegangen.",
        attachment=("eingangsbestaetigung-A-2026-000001.pdf", CONTENT),
    )
    return OwnedFile(
        "erkelenz",
        owner,
        f"/konto/postfach/{message.pk}/anhang/",
        None,
        message.attachment.name,
    )


def _application(owner: Citizen, status: str):
    from services.applications.models import Application, ApplicationForm

    form = ApplicationForm.objects.get(slug="bewohnerparkausweis")
    return Application.objects.create(form=form, citizen=owner, status=status)


def _application_upload() -> OwnedFile:
    from services.applications.models import ApplicationUpload

    owner = _citizen("privacy-owner-upload")
    application = _application(owner, "submitted")
    upload = ApplicationUpload(
        application=application, field_name="schein", original_name="schein.pdf", size=10
    )
    upload.file.save("zulassung-A-2026-000001.pdf", ContentFile(CONTENT), save=False)
    upload.save()
    return OwnedFile(
        "erkelenz",
        owner,
        f"/antraege/vorgang/{application.public_id}/datei/{upload.public_id}/",
        f"/cms/antraege/{application.pk}/datei/{upload.pk}/",
        upload.file.name,
    )


def _application_document() -> OwnedFile:
    owner = _citizen("privacy-owner-decision")
    application = _application(owner, "completed")
    application.document.save("bescheid-A-2026-000001.pdf", ContentFile(CONTENT), save=True)
    return OwnedFile(
        "erkelenz",
        owner,
        f"/antraege/vorgang/{application.public_id}/dokument/",
        f"/cms/antraege/{application.pk}/dokument/",
        application.document.name,
    )


def _cadastral_extract() -> OwnedFile:
    from django.utils import timezone

    from services.fulfillment.actions import do_place_cadastral_order
    from services.fulfillment.models import Parcel

    owner = _citizen("privacy-owner-cadastre")
    order = do_place_cadastral_order(
        citizen=owner,
        parcel=Parcel.objects.first(),
        product="flurstuecksnachweis",
        trust_level="substantial",
    )
    case = order.application  # the order's document is its case's
    case.document.save(
        f"liegenschaftsauskunft-{order.verification_code}.pdf", ContentFile(CONTENT), save=False
    )
    case.status = "completed"
    case.completed_at = timezone.now()
    case.save()
    return OwnedFile(
        "kreis",
        owner,
        f"/liegenschaftsauskunft/auftrag/{order.pk}/dokument/",
        None,
        order.document.name,
    )


# How each private file field is made and where it is served. A private field missing here
# fails `test_every_file_field_is_public_or_private_with_an_access_route`.
PRIVATE_FILE_CASES: dict[str, Callable[[], OwnedFile]] = {
    "postbox.PostboxMessage.attachment": _postbox_attachment,
    "applications.ApplicationUpload.file": _application_upload,
    "applications.Application.document": _application_document,
}
# Further routes to a private field: the cadastral extract is the document of its case
# (applications.Application.document), served on the order's own page of the district portal.
FURTHER_ROUTES: dict[str, Callable[[], OwnedFile]] = {
    "fulfillment.Liegenschaftsauskunft (applications.Application.document)": _cadastral_extract,
}


def test_every_file_field_is_public_or_private_with_an_access_route():
    undecided, private_without_route, public_but_private = [], [], []
    for label, field in file_fields():
        private = isinstance(field.storage, PrivateTenantStorage)
        if label in PUBLIC_FILE_FIELDS:
            if private:
                public_but_private.append(label)
        elif not private:
            undecided.append(label)
        elif label not in PRIVATE_FILE_CASES:
            private_without_route.append(label)
    assert not undecided, f"file fields that are neither public nor private: {undecided}"
    assert not private_without_route, (
        f"private fields without a tested route: {private_without_route}"
    )
    assert not public_but_private
    assert set(PRIVATE_FILE_CASES) <= {label for label, _ in file_fields()}


def test_private_files_get_random_names_outside_the_media_root(in_tenant, made_files):
    with in_tenant("erkelenz"):
        owned = _postbox_attachment()
        path = Path(settings.PRIVATE_MEDIA_ROOT) / "erkelenz" / owned.stored_name
        made_files.append(path)
        assert path.read_bytes() == CONTENT
    assert "A-2026" not in owned.stored_name and "eingangs" not in owned.stored_name
    assert not str(path).startswith(str(settings.MEDIA_ROOT) + "/")
    with pytest.raises(ValueError):
        PrivateTenantStorage().url(owned.stored_name)


def _login(client: Client, tenant_slug: str, user, in_tenant) -> Client:
    with in_tenant(tenant_slug):
        client.force_login(user)
    return client


@pytest.fixture
def made_files():
    """Private files a test wrote: removed again (the database rows roll back by themselves)."""
    made: list[Path] = []
    yield made
    for path in made:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("label", sorted(PRIVATE_FILE_CASES) + sorted(FURTHER_ROUTES))
def test_private_file_reaches_its_owner_and_staff_only(label, in_tenant, made_files):
    make = {**PRIVATE_FILE_CASES, **FURTHER_ROUTES}[label]
    tenant_slug = "kreis" if label.startswith("fulfillment.") else "erkelenz"
    other_slug = "gangelt"
    with in_tenant(tenant_slug):
        owned = make()
        made_files.append(Path(settings.PRIVATE_MEDIA_ROOT) / tenant_slug / owned.stored_name)
        stranger = _citizen(f"privacy-stranger-{label}", given_name="Max")
    with in_tenant(other_slug):
        # the owner signed in on another portal: the same person, that tenant's own record
        owner_elsewhere = _citizen(owned.owner.pseudonym)
    host = f"{owned.tenant}.{BASE}"
    other_host = f"{other_slug}.{BASE}"

    owner = _login(Client(), owned.tenant, owned.owner.user, in_tenant)
    answer = owner.get(owned.citizen_url, HTTP_HOST=host)
    assert answer.status_code == 200, (label, answer.status_code)
    assert b"".join(answer.streaming_content) == CONTENT
    assert answer["Content-Disposition"].startswith("attachment")
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]

    refused = {
        "anonymous": Client().get(owned.citizen_url, HTTP_HOST=host),
        "another citizen": _login(Client(), owned.tenant, stranger.user, in_tenant).get(
            owned.citizen_url, HTTP_HOST=host
        ),
        "owner on another tenant's host": _login(
            Client(), other_slug, owner_elsewhere.user, in_tenant
        ).get(owned.citizen_url, HTTP_HOST=other_host),
    }
    for guess in (
        f"/media/{owned.tenant}/{owned.stored_name}",
        f"/media/{owned.stored_name}",
        f"/media/{owned.tenant}/../{owned.tenant}/{owned.stored_name}",
    ):
        refused[f"guessed {guess}"] = owner.get(guess, HTTP_HOST=host)
    for who, response in refused.items():
        assert response.status_code == 404, (label, who, response.status_code)
        assert CONTENT not in (
            b"".join(response.streaming_content) if response.streaming else response.content
        )

    if owned.staff_url:
        with in_tenant(owned.tenant):
            clerk = get_user_model().objects.create_user(f"clerk-{label}"[:150])
            clerk.groups.add(Group.objects.get(name="Sachbearbeitung"))
            editor = get_user_model().objects.create_user(f"editor-{label}"[:150])
            editor.groups.add(Group.objects.get(name="Moderators"))
        staff = _login(Client(), owned.tenant, clerk, in_tenant).get(
            owned.staff_url, HTTP_HOST=host
        )
        assert staff.status_code == 200, (label, staff.status_code)
        assert b"".join(staff.streaming_content) == CONTENT
        assert "no-store" in staff["Cache-Control"]
        # staff without the inbox permission, and staff of another tenant: nothing
        not_clerk = _login(Client(), owned.tenant, editor, in_tenant).get(
            owned.staff_url, HTTP_HOST=host
        )
        assert not_clerk.status_code in (302, 403, 404), not_clerk.status_code
        assert Client().get(owned.staff_url, HTTP_HOST=host).status_code in (302, 404)
        with in_tenant(other_slug):
            other_clerk = get_user_model().objects.create_user(f"clerk-other-{label}"[:150])
            other_clerk.groups.add(Group.objects.get(name="Sachbearbeitung"))
        elsewhere = _login(Client(), other_slug, other_clerk, in_tenant).get(
            owned.staff_url, HTTP_HOST=other_host
        )
        assert elsewhere.status_code == 404, elsewhere.status_code


@pytest.mark.parametrize(
    "path",
    ["/konto/", "/konto/export/", "/konto/loeschen/", "/", "/leistungen/?q=Hund"],
)
def test_pages_of_a_signed_in_citizen_are_never_stored(in_tenant, path):
    """Personal pages (and any page a signed-in citizen sees, which shows their name) must not
    stay in a browser's or proxy's cache."""
    with in_tenant("erkelenz"):
        citizen = _citizen("privacy-no-store")
    client = _login(Client(), "erkelenz", citizen.user, in_tenant)
    answer = client.get(path, HTTP_HOST=f"erkelenz.{BASE}")
    assert answer.status_code == 200, answer.status_code
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]


@pytest.mark.parametrize("path", ["/konto/postfach/00000000-0000-0000-0000-000000000000/anhang/"])
def test_personal_paths_are_never_stored_even_when_refused(client, db, path):
    answer = client.get(path, HTTP_HOST=f"erkelenz.{BASE}")
    assert answer.status_code == 404
    assert "no-store" in answer["Cache-Control"]


def test_anonymous_public_pages_stay_cacheable(client, db):
    answer = client.get("/", HTTP_HOST=f"erkelenz.{BASE}")
    assert answer.status_code == 200
    assert "no-store" not in answer.get("Cache-Control", "")
