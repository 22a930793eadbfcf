"""The submission's metadata (FIT-Connect metadata schema 2.1.0): what the data and each
attachment are, with their SHA-512 hashes over the unencrypted bytes, the public service (LeiKa
key and name), the reply channel and the portal's reference."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.fitconnect.crypto import sha512_hex

METADATA_SCHEMA = "https://schema.fitko.de/fit-connect/metadata/2.1.0/metadata.schema.json"
LEIKA_URN = "urn:de:fim:leika:leistung:"
# the portal's own schema of an application's data (JSON); see data_schema.json in this app
DATA_SCHEMA_URI = "urn:kreisportal:schema:antrag:1.0"


@dataclass
class Attachment:
    attachment_id: str
    filename: str
    mime_type: str
    content: bytes
    purpose: str = "attachment"  # "form" (the application as a document), "attachment", "report"
    description: str = ""


@dataclass
class Submission:
    """What one delivery sends: data (JSON bytes), attachments and the describing fields."""

    service_identifier: str  # urn:de:fim:leika:leistung:<14 digits>, or the ZBP's service id
    service_name: str
    data: bytes
    data_schema_uri: str = DATA_SCHEMA_URI
    attachments: list[Attachment] = field(default_factory=list)
    reply_email: str = ""
    reference: str = ""
    application_date: str = ""  # YYYY-MM-DD


def leika_identifier(leika_key: str) -> str:
    return f"{LEIKA_URN}{leika_key}"


def build_metadata(submission: Submission) -> dict:
    """The metadata document (unencrypted); the caller encrypts it for the destination."""
    metadata: dict = {
        "$schema": METADATA_SCHEMA,
        "contentStructure": {
            "data": {
                "hash": {"type": "sha512", "content": sha512_hex(submission.data)},
                "submissionSchema": {
                    "schemaUri": submission.data_schema_uri,
                    "mimeType": "application/json",
                },
            },
            "attachments": [
                {
                    "hash": {"type": "sha512", "content": sha512_hex(a.content)},
                    "purpose": a.purpose,
                    "filename": a.filename[-255:],
                    "mimeType": a.mime_type,
                    "attachmentId": a.attachment_id,
                    **({"description": a.description[:255]} if a.description else {}),
                }
                for a in submission.attachments
            ],
        },
        "publicServiceType": {
            "name": submission.service_name[:255],
            "identifier": submission.service_identifier,
        },
    }
    if submission.reply_email:
        metadata["replyChannel"] = {"eMail": {"address": submission.reply_email}}
    reference = {}
    if submission.reference:
        reference["senderReference"] = submission.reference
    if submission.application_date:
        reference["applicationDate"] = submission.application_date
    if reference:
        metadata["additionalReferenceInfo"] = reference
    return metadata
