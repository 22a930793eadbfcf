"""Helpers for tests of the legal pages every portal must publish."""

from __future__ import annotations

import re

from cms.legal import TO_COMPLETE, LegalPage

MARKED_PLACE = re.compile(rf"<b>\[{TO_COMPLETE}: [^\]]*\]</b>")


def complete_and_publish_legal_pages() -> None:
    """What the editors do with the legal drafts (in the current schema): every place marked
    TO_COMPLETE filled in, then published."""
    for page in LegalPage.objects.all():
        page.body = MARKED_PLACE.sub("ausgefüllt", page.body)
        page.save_revision().publish()
