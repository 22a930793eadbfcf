"""The OpenID Connect client for one tenant's directory, built per request from its config
(authlib's Django client: state and nonce in the session, PKCE S256, discovery, JWKS)."""

from __future__ import annotations

from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App

from tenants.staff_directory.models import StaffDirectory

TIMEOUT = 10  # seconds for discovery, JWKS and token endpoint


class DirectoryMisconfigured(Exception):
    """The stored configuration cannot be used (e.g. the secret is unreadable)."""


def discovery_url(issuer: str) -> str:
    return f"{issuer.rstrip('/')}/.well-known/openid-configuration"


def oauth_app(directory: StaffDirectory) -> DjangoOAuth2App:
    secret = directory.client_secret
    if secret is None:
        raise DirectoryMisconfigured("client secret unreadable (SECRET_KEY changed?)")
    return DjangoOAuth2App(
        DjangoIntegration(f"staffdir{directory.pk}"),
        name=f"staffdir{directory.pk}",
        client_id=directory.client_id,
        client_secret=secret or None,
        server_metadata_url=discovery_url(directory.issuer),
        client_kwargs={
            "scope": directory.scope,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT,
        },
    )


def id_token_claims_options(directory: StaffDirectory, metadata_issuer: str) -> dict:
    """Issuer and audience are checked explicitly: the audience must contain our client id
    (authlib alone would accept a foreign audience with a matching azp)."""
    return {
        "iss": {"essential": True, "value": metadata_issuer},
        "aud": {"essential": True, "value": directory.client_id},
    }
