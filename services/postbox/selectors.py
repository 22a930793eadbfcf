"""Reads on the postbox."""

from __future__ import annotations

from services.accounts.models import Citizen
from services.postbox.models import PostboxMessage


def export_messages(*, citizen: Citizen, export: dict) -> None:
    """The citizen's postbox in the GDPR export (services.accounts.hooks)."""
    export["postbox"] = [
        {
            "subject": m.subject,
            "body": m.body,
            "created": m.created.isoformat(),
            "read": m.read_at.isoformat() if m.read_at else None,
            "attachment": (m.attachment_name or "Anhang") if m.attachment else None,
        }
        for m in PostboxMessage.objects.filter(citizen=citizen)
    ]
