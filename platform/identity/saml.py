"""SAML 2.0 for the BundID profile with pysaml2: the deployment's one service provider and the
built-in sandbox identity provider (same profile, own keys)."""

from __future__ import annotations

import shutil
from functools import lru_cache

from django.conf import settings
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT, ExtensionElement
from saml2.client import Saml2Client
from saml2.config import IdPConfig, SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, AuthnContextClassRef
from saml2.samlp import Extensions, RequestedAuthnContext
from saml2.server import Server  # noqa: F401 - tests build forged IdPs

from kreisportal.identity.keys import key_pair
from kreisportal.identity.levels import BY_AKDB_TRUST_LEVEL, LEVELS

# Attributes of the BundID profile (its published interface description), requested by OID, and
# the key each has in the identity the broker hands to a tenant.
ATTRIBUTES = {
    "urn:oid:2.5.4.42": "given_name",  # givenName
    "urn:oid:2.5.4.4": "family_name",  # surname
    "urn:oid:0.9.2342.19200300.100.1.3": "email",  # mail
    "urn:oid:2.5.4.16": "street",  # postalAddress (street and house number)
    "urn:oid:2.5.4.17": "postal_code",  # postalCode
    "urn:oid:2.5.4.7": "locality",  # localityName
    "urn:oid:1.2.40.0.10.2.1.1.55": "birth_date",  # birthdate
    "urn:oid:1.2.40.0.10.2.1.1.225577": "nationality",
    "urn:oid:1.3.6.1.4.1.25484.494450.3": "pseudonym",  # bPK2: the citizen's identifier
    "urn:oid:1.2.40.0.10.2.1.1.261.94": "assurance",  # the trust level reached (STORK-QAA-…)
    # the BundID mailbox handle (legacyPostkorbHandle): a delivery address for the federal
    # postbox (ZBP), never an identifier of the citizen
    "urn:oid:2.5.4.18": "mailbox_handle",
    "urn:oid:1.3.6.1.4.1.25484.494450.4": "application_id",
}
REQUIRED_ATTRIBUTES = {"pseudonym"}
AKDB_NS = "https://www.akdb.de/request/2018/09"
CLASSIC_UI_NS = "https://www.akdb.de/request/2018/09/classic-ui/v1"
TRUST_LEVEL_ATTRIBUTE = f"{{{AKDB_NS}}}TrustLevel"


def xmlsec_binary() -> str:
    binary = shutil.which("xmlsec1")
    if not binary:
        raise RuntimeError("xmlsec1 is missing: install it with `apt-get install xmlsec1`")
    return binary


def public_base() -> str:
    return settings.PUBLIC_URL.rstrip("/")


def sp_entity_id() -> str:
    return f"{public_base()}/saml/metadata/"


def sp_slo_url() -> str:
    return f"{public_base()}/saml/slo/"


def idp_entity_id() -> str:
    return settings.SAML_IDP_ENTITY_ID or f"{public_base()}/sandbox-idp/metadata/"


def _sp_settings(idp_metadata: str | None) -> dict:
    key, cert = key_pair("sp")
    config = {
        "entityid": sp_entity_id(),
        "xmlsec_binary": xmlsec_binary(),
        "key_file": key,
        "cert_file": cert,
        "encryption_keypairs": [{"key_file": key, "cert_file": cert}],
        "allow_unknown_attributes": True,
        "accepted_time_diff": 30,
        "service": {
            "sp": {
                "name": "Kreisportal Heinsberg",
                "endpoints": {
                    "assertion_consumer_service": [
                        (f"{public_base()}/saml/acs/", BINDING_HTTP_POST)
                    ],
                    # Single Logout (kreisportal.identity.slo): the IdP's LogoutRequest and
                    # LogoutResponse arrive here over either front-channel binding
                    "single_logout_service": [
                        (sp_slo_url(), BINDING_HTTP_REDIRECT),
                        (sp_slo_url(), BINDING_HTTP_POST),
                    ],
                },
                "authn_requests_signed": True,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "allow_unsolicited": False,
                "name_id_format": NAMEID_FORMAT_PERSISTENT,
            }
        },
    }
    if idp_metadata:
        config["metadata"] = {"inline": [idp_metadata]}
    return config


def _idp_settings(sp_metadata: str | None) -> dict:
    key, cert = key_pair("idp")
    config = {
        "entityid": idp_entity_id(),
        "xmlsec_binary": xmlsec_binary(),
        "key_file": key,
        "cert_file": cert,
        "allow_unknown_attributes": True,
        "service": {
            "idp": {
                "name": "Sandbox-Identitätsprovider (Testanmeldung)",
                "endpoints": {
                    "single_sign_on_service": [
                        (f"{public_base()}/sandbox-idp/sso/", BINDING_HTTP_REDIRECT)
                    ],
                    "single_logout_service": [
                        (f"{public_base()}/sandbox-idp/slo/", BINDING_HTTP_REDIRECT),
                        (f"{public_base()}/sandbox-idp/slo/", BINDING_HTTP_POST),
                    ],
                },
                "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                "want_authn_requests_signed": True,
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
            }
        },
    }
    if sp_metadata:
        config["metadata"] = {"inline": [sp_metadata]}
    return config


def _metadata_xml(conf) -> str:
    return str(entity_descriptor(conf))


@lru_cache(maxsize=4)
def _metadata_pair(base: str) -> tuple[str, str]:
    sp_meta = _metadata_xml(SPConfig().load(_sp_settings(None)))
    if settings.SAML_IDP_METADATA_FILE:
        with open(settings.SAML_IDP_METADATA_FILE, encoding="utf-8") as handle:
            idp_meta = handle.read()
    else:
        idp_meta = _metadata_xml(IdPConfig().load(_idp_settings(None)))
    return sp_meta, idp_meta


def sp_metadata() -> str:
    return _metadata_pair(public_base())[0]


def sp_client() -> Saml2Client:
    return Saml2Client(config=SPConfig().load(_sp_settings(_metadata_pair(public_base())[1])))


class SandboxServer(Server):
    """The sandbox IdP's pysaml2 server: like BundID, it states each attribute's own trust level
    (akdb:TrustLevel) on the attribute, inside the signed assertion."""

    attribute_levels: dict[str, str] = {}  # OID → "SUBSTANTIELL", set per response

    def setup_assertion(self, *args, **kwargs):
        assertion = super().setup_assertion(*args, **kwargs)
        for statement in assertion.attribute_statement:
            for attribute in statement.attribute:
                level = self.attribute_levels.get(attribute.name)
                if level:
                    attribute.extension_attributes[TRUST_LEVEL_ATTRIBUTE] = level
        return assertion


def sandbox_idp() -> SandboxServer:
    return SandboxServer(config=IdPConfig().load(_idp_settings(_metadata_pair(public_base())[0])))


def attribute_levels(response) -> dict[str, str]:
    """Each attribute's own trust level as the IdP states it (akdb:TrustLevel), by identity key:
    {"given_name": "substantial", …}. Attributes without one are left out."""
    found: dict[str, str] = {}
    for statement in response.assertion.attribute_statement:
        for attribute in statement.attribute:
            key = ATTRIBUTES.get(attribute.name)
            stated = (attribute.extension_attributes or {}).get(TRUST_LEVEL_ATTRIBUTE, "")
            level = levels_by_akdb(stated)
            if key and level:
                found[key] = level
    return found


def levels_by_akdb(value: str) -> str:
    return BY_AKDB_TRUST_LEVEL.get(value.strip().upper(), "")


def _akdb_extension(*, organisation: str, online_service_id: str) -> Extensions:
    """AKDB request extension: requested attributes and what the citizen is shown."""
    requested = [
        ExtensionElement(
            "RequestedAttribute",
            namespace=AKDB_NS,
            attributes={
                "Name": oid,
                "RequiredAttribute": "true" if name in REQUIRED_ATTRIBUTES else "false",
            },
        )
        for oid, name in ATTRIBUTES.items()
    ]
    display = ExtensionElement(
        "DisplayInformation",
        namespace=AKDB_NS,
        children=[
            ExtensionElement(
                "Version",
                namespace=CLASSIC_UI_NS,
                children=[
                    ExtensionElement(
                        "OrganizationDisplayName", namespace=CLASSIC_UI_NS, text=organisation
                    ),
                    ExtensionElement(
                        "OnlineServiceId", namespace=CLASSIC_UI_NS, text=online_service_id
                    ),
                ],
            ),
        ],
    )
    request = ExtensionElement(
        "AuthenticationRequest",
        namespace=AKDB_NS,
        attributes={"Version": "2"},
        children=[
            ExtensionElement("RequestedAttributes", namespace=AKDB_NS, children=requested),
            display,
        ],
    )
    return Extensions(extension_elements=[request])


def authn_request_redirect(
    *, level: str, relay_state: str, organisation: str, service_id: str, force: bool = False
) -> tuple[str, str]:
    """(request id, URL of the IdP with the signed AuthnRequest, HTTP-Redirect binding).
    `organisation` and `service_id` are what the IdP shows the citizen (OrganizationDisplayName,
    OnlineServiceId); `force` asks for a new authentication (ForceAuthn) instead of the IdP's
    single sign-on."""
    client = sp_client()
    class_ref = LEVELS[level][0]
    extra = {"force_authn": "true"} if force else {}
    request_id, info = client.prepare_for_authenticate(
        entityid=idp_entity_id(),
        relay_state=relay_state,
        binding=BINDING_HTTP_REDIRECT,
        requested_authn_context=RequestedAuthnContext(
            authn_context_class_ref=[AuthnContextClassRef(text=class_ref)], comparison="minimum"
        ),
        extensions=_akdb_extension(organisation=organisation, online_service_id=service_id),
        sign=True,
        sigalg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        **extra,
    )
    location = dict(info["headers"])["Location"]
    return request_id, location
