"""Accessible PDFs (issue 20): the receipt, the automated decision (confirmation) and the
cadastral extract are tagged PDF/UA-1 — structure tree, document language, title shown as the
window title, marked content, images with alternative text — checked by reading the PDF's own
objects; and the owner can view them in the browser (inline), nobody else at all."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from services.applications.actions import do_submit
from services.applications.documents import render_confirmation, render_receipt
from services.fulfillment.documents import render_extract
from services.postbox.models import PostboxMessage
from tests import factories

BASE = settings.BASE_DOMAIN


def structure(data: bytes) -> tuple[DictionaryObject, list[tuple[str, str]], PdfReader]:
    """The catalog, every structure element as (type, alt text) in reading order, the reader."""
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    elements: list[tuple[str, str]] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for child in node:
                walk(child)
            return
        if not isinstance(node, DictionaryObject):
            return  # a marked-content id: the leaf that points into the page content
        if "/S" in node:
            elements.append((str(node["/S"]), str(node.get("/Alt", ""))))
        if "/K" in node:
            walk(node["/K"])

    walk(catalog["/StructTreeRoot"]["/K"])
    return catalog, elements, reader


def assert_pdf_ua(data: bytes, *, title: str) -> list[tuple[str, str]]:
    catalog, elements, reader = structure(data)
    assert catalog["/Lang"] == "de"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a PDF boolean object
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert title in reader.metadata.title
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()  # PDF/UA-1 claimed
    kinds = [kind for kind, _alt in elements]
    assert kinds[0] == "/Document" and "/H1" in kinds and "/Table" in kinds
    assert all(alt for kind, alt in elements if kind == "/Figure"), "a figure without /Alt"
    return elements


@pytest.fixture
def submitted(in_tenant):
    with in_tenant("erkelenz"):
        owner = factories.citizen("pdf-ua-erika", given_name="Erika", family_name="Muster")
        application = do_submit(application=factories.draft(owner))
        yield owner, application


def test_receipt_and_confirmation_are_tagged_pdf_ua(submitted):
    _owner, application = submitted
    receipt = assert_pdf_ua(render_receipt(application), title="Eingangsbestätigung")
    confirmation = assert_pdf_ua(render_confirmation(application), title="Bestätigung")
    # reading order: the heading comes before the table of answers
    for elements in (receipt, confirmation):
        kinds = [kind for kind, _alt in elements]
        assert kinds.index("/H1") < kinds.index("/Table")


def test_cadastral_extract_is_tagged_with_described_map_and_qr_code(in_tenant):
    with in_tenant("kreis"):
        owner = factories.citizen("pdf-ua-extract")
        order = factories.cadastral_order(owner)
        pdf = render_extract(order, verify_url="https://kreis.example/pruefen/ABC")
    elements = assert_pdf_ua(pdf, title=order.get_product_display())
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert any(alt.startswith("Lageplan: Flurstück") for alt in figures), figures
    assert any(
        "QR-Code mit der Prüfadresse https://kreis.example/pruefen/ABC" in alt for alt in figures
    )


def test_the_receipt_opens_in_the_browser_for_its_owner_only(submitted, in_tenant):
    owner, application = submitted
    with in_tenant("erkelenz"):
        message = PostboxMessage.objects.filter(citizen=owner).exclude(attachment="").get()
        stored = Path(settings.PRIVATE_MEDIA_ROOT) / "erkelenz" / message.attachment.name
        stranger = factories.citizen("pdf-ua-stranger")
        owner_client, stranger_client = Client(), Client()
        owner_client.force_login(owner.user)
        stranger_client.force_login(stranger.user)
    try:
        url = f"/konto/postfach/{message.id}/anhang/"
        host = f"erkelenz.{BASE}"
        shown = owner_client.get(f"{url}?ansehen=1", HTTP_HOST=host)
        assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
        assert shown["Content-Disposition"].startswith("inline")
        assert "no-store" in shown["Cache-Control"] and "private" in shown["Cache-Control"]
        assert_pdf_ua(b"".join(shown.streaming_content), title="Eingangsbestätigung")
        downloaded = owner_client.get(url, HTTP_HOST=host)
        assert downloaded["Content-Disposition"].startswith("attachment")
        for other in (stranger_client, Client()):
            assert other.get(f"{url}?ansehen=1", HTTP_HOST=host).status_code == 404
        page = owner_client.get(f"/konto/postfach/{message.id}/", HTTP_HOST=host).content.decode()
        assert f'href="{url}?ansehen=1"' in page and f'href="{url}" download' in page
    finally:
        stored.unlink(missing_ok=True)


def test_only_a_real_pdf_is_ever_shown_inline(in_tenant):
    from django.core.files.base import ContentFile

    from kreisportal.files import private_file_response
    from services.postbox.models import PostboxMessage as Message

    with in_tenant("erkelenz"):
        owner = factories.citizen("pdf-ua-html")
        message = Message.objects.create(citizen=owner, subject="Test", body="x")
        message.attachment.save("falsch.pdf", ContentFile(b"<html><script>alert(1)</script>"))
        try:
            answer = private_file_response(message.attachment, download_name="x.pdf", inline=True)
            assert answer["Content-Disposition"].startswith("attachment")
            answer.close()
        finally:
            message.attachment.delete(save=False)
