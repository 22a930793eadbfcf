"""Fixtures shared by the tenant administration's tests."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context


@pytest.fixture
def it_admin(client, db):
    """The test client signed in as a district IT superuser (public schema, rolled back)."""
    from django.contrib.auth import get_user_model

    with schema_context("public"):
        get_user_model().objects.create_superuser("kreis-it", "it@kreis.example", "sicher-123")
    assert client.login(username="kreis-it", password="sicher-123")
    return client
