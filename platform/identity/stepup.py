"""Re-authentication for a binding step (BundID's connection guide: submitting at trust level
"substanziell" or higher asks the IdP again, ForceAuthn, for that online service).

The broker, after a forced authentication for a service, hands the tenant a signed proof in the
return path (`?anmeldung=…`): which tenant, service, citizen (bPK2) and level, valid a few
minutes. The tenant checks it with `verify` and remembers the step-up in its own session
(services.accounts.access.step_up_check); browsing and the postbox keep the portal's single
sign-on.
"""

from __future__ import annotations

from django.core import signing

SALT = "kreisportal.identity.step-up"
PARAM = "anmeldung"
# how long the proof may take from the IdP back to the tenant
PROOF_LIFETIME = 300


def issue(*, tenant_slug: str, service: str, pseudonym: str, level: str) -> str:
    return signing.dumps(
        {"t": tenant_slug, "s": service, "p": pseudonym, "l": level}, salt=SALT, compress=True
    )


def verify(token: str, *, tenant_slug: str, pseudonym: str) -> dict | None:
    """{"service": …, "level": …} when the proof is genuine, fresh and made for this tenant
    and this citizen; None otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=PROOF_LIFETIME)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("t") != tenant_slug or data.get("p") != pseudonym:
        return None
    return {"service": str(data.get("s", "")), "level": str(data.get("l", ""))}


def with_proof(next_path: str, token: str) -> str:
    separator = "&" if "?" in next_path else "?"
    return f"{next_path}{separator}{PARAM}={token}"
