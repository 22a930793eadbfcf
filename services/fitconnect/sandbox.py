"""The Sandbox-Fachverfahren (demo only, clearly marked): a back office of this portal with its
own keys that receives FIT-Connect submissions in-process, speaking the same calls as the
Submission API (`services.fitconnect.client.SubmissionApi`), decrypts them with its private key,
checks the metadata and hashes, shows them to a demo clerk, and answers with signed events.
The sandbox ZBP is a second destination of the same kind that accepts what it gets.

Its private keys are generated on first use into the portal's state folder (never the
repository), one pair per tenant schema, readable by the portal's user only.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from jwcrypto import jwk

from services.fitconnect import crypto
from services.fitconnect.client import ApiRefused
from services.fitconnect.models import SandboxAttachment, SandboxSubmission

ISSUER = "https://sandbox.fit-connect.kreisportal.invalid"
EVENTS = "https://schema.fitko.de/fit-connect/events/"
_NAMESPACE = uuid.UUID("6a1d3c1e-8f0b-4b7e-9d0a-2f3c4b5a6e7f")


def back_office_id() -> str:
    """The sandbox back office's destination id in this tenant."""
    return str(uuid.uuid5(_NAMESPACE, f"{connection.schema_name}:fachverfahren"))


def zbp_id() -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{connection.schema_name}:zbp"))


def _key_file() -> Path:
    return Path(settings.KREISPORTAL_HOME) / "fitconnect-sandbox" / f"{connection.schema_name}.json"


_KEYS: dict[str, tuple[jwk.JWK, jwk.JWK]] = {}


def keys() -> tuple[jwk.JWK, jwk.JWK]:
    """(encryption key, signing key) of this tenant's sandbox, private halves."""
    schema = connection.schema_name
    if schema in _KEYS:
        return _KEYS[schema]
    path = _key_file()
    if path.exists():
        stored = json.loads(path.read_text())
        pair = (jwk.JWK(**stored["enc"]), jwk.JWK(**stored["sig"]))
    else:
        suffix = uuid.uuid4().hex[:12]
        pair = (
            crypto.new_key_pair(kid=f"sandbox-enc-{suffix}", use="enc"),
            crypto.new_key_pair(kid=f"sandbox-sig-{suffix}", use="sig"),
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(
                {"enc": pair[0].export(as_dict=True), "sig": pair[1].export(as_dict=True)}, handle
            )
        os.replace(tmp, path)
    _KEYS[schema] = pair
    return pair


class SandboxApi:
    """In-process stand-in for the Submission API, for this tenant's sandbox destinations."""

    def destination(self, destination_id: str) -> dict:
        self._known(destination_id)
        return {
            "destinationId": destination_id,
            "status": "active",
            "encryptionKid": keys()[0].key_id,
        }

    def destination_key(self, destination_id: str, kid: str) -> dict:
        self._known(destination_id)
        for key in keys():
            if key.key_id == kid:
                return crypto.public_jwk(key)
        raise ApiRefused(f"destination key: HTTP 404 unbekannte Schlüssel-ID {kid}", 404)

    def create_submission(self, body: dict) -> dict:
        self._known(body.get("destinationId", ""))
        service = body.get("publicService") or {}
        record = SandboxSubmission.objects.create(
            destination_id=body["destinationId"],
            service_identifier=service.get("identifier", ""),
            service_name=service.get("name", ""),
            announced_attachments=list(body.get("announcedAttachments") or []),
        )
        self._event(record, "create-submission", issuer=ISSUER)
        return {"submissionId": str(record.submission_id), "caseId": str(record.case_id)}

    @transaction.atomic
    def upload_attachment(self, submission_id: str, attachment_id: str, jwe: str) -> None:
        record = self._submission(submission_id, lock=True)
        if attachment_id not in record.announced_attachments:
            raise ApiRefused("attachment: HTTP 404 nicht angekündigt", 404)
        if record.state != SandboxSubmission.State.ANNOUNCED:
            raise ApiRefused("attachment: HTTP 409 bereits eingereicht", 409)
        record.encrypted.setdefault("attachments", {})[attachment_id] = jwe
        record.save(update_fields=["encrypted"])

    @transaction.atomic
    def submit(self, submission_id: str, body: dict) -> None:
        record = self._submission(submission_id, lock=True)
        if record.state != SandboxSubmission.State.ANNOUNCED:
            raise ApiRefused("submit: HTTP 409 bereits eingereicht", 409)
        missing = set(record.announced_attachments) - set(record.encrypted.get("attachments", {}))
        if missing:
            raise ApiRefused("submit: HTTP 422 Anlagen fehlen", 422)
        record.encrypted["metadata"] = body["encryptedMetadata"]
        record.encrypted["data"] = body.get("encryptedData", "")
        record.state = SandboxSubmission.State.SUBMITTED
        record.save(update_fields=["encrypted", "state"])
        self._event(record, "submit-submission", issuer=ISSUER)
        receive(record)

    def submission(self, submission_id: str) -> dict:
        record = self._submission(submission_id)
        return {
            "submissionId": str(record.submission_id),
            "caseId": str(record.case_id),
            "destinationId": record.destination_id,
            "status": record.state,
        }

    def case_events(self, case_id: str) -> list[str]:
        record = SandboxSubmission.objects.filter(case_id=case_id).first()
        if record is None:
            raise ApiRefused("events: HTTP 404", 404)
        return list(record.event_log)

    def signing_keys_for(self, issuer: str, kid: str) -> list[dict]:
        return [crypto.public_jwk(keys()[1])]

    # --- helpers -----------------------------------------------------------------------------
    def _known(self, destination_id: str) -> None:
        if destination_id not in {back_office_id(), zbp_id()}:
            raise ApiRefused(
                f"destination: HTTP 404 unbekannter Zustellpunkt {destination_id}", 404
            )

    def _submission(self, submission_id: str, lock: bool = False) -> SandboxSubmission:
        query = SandboxSubmission.objects.select_for_update() if lock else SandboxSubmission.objects
        record = query.filter(submission_id=submission_id).first()
        if record is None:
            raise ApiRefused("submission: HTTP 404", 404)
        return record

    @staticmethod
    def _event(record: SandboxSubmission, name: str, *, issuer: str, detail: dict | None = None):
        claims = {
            "jti": str(uuid.uuid4()),
            "iss": issuer,
            "iat": int(time.time()),
            "sub": f"submission:{record.submission_id}",
            "txn": f"case:{record.case_id}",
            "events": {f"{EVENTS}{name}": detail or {}},
        }
        record.event_log = [*record.event_log, crypto.sign(claims, keys()[1], typ="secevent+jwt")]
        record.save(update_fields=["event_log"])


def receive(record: SandboxSubmission) -> None:
    """What the back office does with a new submission: decrypt, check the metadata's hashes
    against data and attachments, keep the decrypted content. A submission that does not check
    out is rejected at once with the problem named (as a real receiver must)."""
    private = keys()[0]
    problems: list[dict] = []
    try:
        metadata = json.loads(crypto.decrypt(record.encrypted["metadata"], private))
        data = (
            crypto.decrypt(record.encrypted["data"], private) if record.encrypted["data"] else b""
        )
    except (ValueError, KeyError) as exc:
        problems.append(
            {
                "type": "encryption-issue",
                "title": "Entschlüsselung fehlgeschlagen",
                "detail": str(exc)[:200],
            }
        )
        metadata, data = {}, b""
    structure = metadata.get("contentStructure", {})
    if data and structure.get("data", {}).get("hash", {}).get("content") != crypto.sha512_hex(data):
        problems.append({"type": "hash-mismatch", "title": "Prüfsumme der Fachdaten falsch"})
    described = {a.get("attachmentId"): a for a in structure.get("attachments", [])}
    for attachment_id, jwe in (record.encrypted.get("attachments") or {}).items():
        meta = described.get(attachment_id)
        try:
            content = crypto.decrypt(jwe, private)
        except ValueError as exc:
            problems.append(
                {
                    "type": "encryption-issue",
                    "title": "Anlage nicht entschlüsselbar",
                    "detail": str(exc)[:200],
                }
            )
            continue
        if meta is None or meta.get("hash", {}).get("content") != crypto.sha512_hex(content):
            problems.append(
                {"type": "hash-mismatch", "title": f"Prüfsumme der Anlage {attachment_id} falsch"}
            )
            continue
        SandboxAttachment.objects.create(
            submission=record,
            attachment_id=attachment_id,
            filename=meta.get("filename", "anlage")[:200],
            mime_type=meta.get("mimeType", "application/octet-stream")[:100],
            purpose=meta.get("purpose", "attachment")[:20],
            content=content,
        )
    record.metadata = metadata
    try:
        record.data = json.loads(data) if data else {}
    except ValueError:
        record.data = {"_": data.decode("utf-8", "replace")[:10000]}
    record.problems = problems
    record.encrypted = {}  # the back office keeps the decrypted content only
    record.save(update_fields=["metadata", "data", "problems", "encrypted"])
    if problems:
        decide(record, accept=False, note="Die Einreichung ist fehlerhaft.", problems=problems)
    elif record.destination_id == zbp_id():
        decide(record, accept=True, note="")


def decide(
    record: SandboxSubmission, *, accept: bool, note: str, problems: list[dict] | None = None
) -> None:
    """The demo clerk (or the sandbox ZBP) accepts or rejects: a signed event in the case's log,
    issued by the destination as in FIT-Connect."""
    if record.state != SandboxSubmission.State.SUBMITTED:
        raise ApiRefused("Über diese Einreichung ist bereits entschieden.", 409)
    if accept:
        detail: dict = {}
        record.state = SandboxSubmission.State.ACCEPTED
    else:
        detail = {
            "problems": problems
            or [{"type": "rejected", "title": "Antrag abgelehnt", "detail": note[:500]}]
        }
        record.state = SandboxSubmission.State.REJECTED
    record.decision_note = note
    record.save(update_fields=["state", "decision_note"])
    SandboxApi._event(
        record,
        "accept-submission" if accept else "reject-submission",
        issuer=record.destination_id,
        detail=detail,
    )
