"""Where files live and how they are handed out (DESIGN §2, "Files and personal data").

Every FileField decides one of two things:

* **public**: Wagtail images and documents, logos. Per-tenant media under MEDIA_ROOT/<schema>/,
  served on the owner's host by `kreisportal.views.tenant_media`.
* **private**: what a citizen owns (postbox attachments, receipts, decisions, uploads, cadastral
  extracts). `PrivateTenantStorage` keeps them under PRIVATE_MEDIA_ROOT/<schema>/, outside
  MEDIA_ROOT, with no URL at all; names are random (`private_upload_to`), so neither the
  reference number nor the citizen's file name can be counted or guessed. They reach a browser
  only through a view that has checked the owner (an `access_*` helper) and then calls
  `private_file_response`.

`tests/core/test_file_privacy.py` walks every file field of every model and fails for a field that
has made neither decision.
"""

from __future__ import annotations

import os
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.deconstruct import deconstructible

MAX_EXTENSION_LENGTH = 10


class PrivateTenantStorage(FileSystemStorage):
    """Citizens' files of the current tenant: PRIVATE_MEDIA_ROOT/<schema>/, never a URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # not cached: the schema changes from request to request
    def base_location(self) -> str:
        return os.path.join(settings.PRIVATE_MEDIA_ROOT, connection.schema_name)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError(
            "a private file has no URL: stream it through a view that checks its owner "
            "(kreisportal.files.private_file_response)"
        )


private_storage = PrivateTenantStorage()


@deconstructible
class private_upload_to:  # noqa: N801 - used like a function in field definitions
    """`upload_to` for private files: `<folder>/<yyyy>/<random hex><.ext>`.

    Only the extension of the given name is kept (lower case, letters and digits); the name the
    citizen or the code chose is stored in the database where it is needed, never on disk.
    """

    def __init__(self, folder: str) -> None:
        self.folder = folder.strip("/")

    def __call__(self, instance: object, filename: str) -> str:
        from django.utils import timezone

        return f"{self.folder}/{timezone.now():%Y}/{uuid.uuid4().hex}{safe_extension(filename)}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, private_upload_to) and other.folder == self.folder

    def __hash__(self) -> int:
        return hash(self.folder)


def safe_extension(filename: str) -> str:
    suffix = PurePosixPath(filename or "").suffix.lower()
    if 1 < len(suffix) <= MAX_EXTENSION_LENGTH and suffix[1:].isascii() and suffix[1:].isalnum():
        return suffix
    return ""


def is_private(field_file_or_field: object) -> bool:
    storage = getattr(field_file_or_field, "storage", None)
    return isinstance(storage, PrivateTenantStorage)


def is_pdf(file: FieldFile) -> bool:
    """A PDF by name and by its first bytes (what may be shown inline)."""
    if safe_extension(file.name) != ".pdf":
        return False
    with file.open("rb") as handle:
        return handle.read(5) == b"%PDF-"


def private_file_response(
    file: FieldFile, *, download_name: str, inline: bool = False
) -> FileResponse:
    """Stream a private file to the owner the caller has checked: a download, never cached by
    the browser or a proxy, never sniffed into another type. `inline` shows a PDF in the
    browser's viewer instead (the portal's receipts, decisions and extracts are PDF/UA); any
    other file stays a download whatever the caller asks."""
    as_attachment = not (inline and is_pdf(file))
    response = FileResponse(file.open("rb"), as_attachment=as_attachment, filename=download_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_name(file: FieldFile, *, stem: str) -> str:
    """A readable name for the browser's download (the file on disk has a random name)."""
    return f"{stem}{safe_extension(file.name)}"


def move_files_to_private_storage(
    model, field_name: str, folder: str, schema_name: str, *, keep_name_in: str = ""
) -> int:
    """For data migrations: move the files of `model.field_name` that still lie in the public
    media folder of `schema_name` into private storage under a random name. Files already moved
    or missing are left alone, so the migration can run again. Returns how many moved."""
    import shutil

    public_root = os.path.join(settings.MEDIA_ROOT, schema_name)
    private_root = os.path.join(settings.PRIVATE_MEDIA_ROOT, schema_name)
    make_name = private_upload_to(folder)
    moved = 0
    for row in model.objects.exclude(**{field_name: ""}).only("pk", field_name):
        old_name = getattr(row, field_name).name
        source = os.path.join(public_root, old_name)
        if ".." in PurePosixPath(old_name).parts or not os.path.isfile(source):
            continue
        new_name = make_name(row, old_name)
        target = os.path.join(private_root, new_name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.move(source, target)
        updates = {field_name: new_name}
        if keep_name_in:
            updates[keep_name_in] = PurePosixPath(old_name).name[:200]
        model.objects.filter(pk=row.pk).update(**updates)
        moved += 1
    return moved
