"""Staff accounts for tests that drive a server process (the data must be committed)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def ensure_staff_user(username: str, password: str, group_names: list[str]):
    """The account `username` in the current tenant's schema (made if missing, e.g. left by an
    interrupted run), in the named groups."""
    users = get_user_model().objects
    user = users.filter(username=username).first()
    if user is None:
        user = users.create_user(username, password=password)
    user.groups.add(*Group.objects.filter(name__in=group_names))
    return user
