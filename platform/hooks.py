"""Hooks: how a lower app tells higher apps that something happened, without importing them.

The lower app owns the hook (`tenant_provisioned = Hook("tenant_provisioned")`) and sends it;
each higher app connects one receiver under its own name in its `AppConfig.ready`. Receivers
run in the order they were connected (the order of INSTALLED_APPS), in the sender's
transaction; an exception in one stops the sender like any other error would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Receiver = Callable[..., Any]


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: dict[str, Receiver] = {}

    def connect(self, receiver_name: str, receiver: Receiver) -> None:
        """Register `receiver` as `receiver_name`; a second, different receiver under the same
        name is refused (connecting the same one again, e.g. a reloaded app, is harmless)."""
        known = self._receivers.get(receiver_name)
        if known is not None and known is not receiver:
            raise ValueError(f"hook {self.name!r} has a receiver named {receiver_name!r} already")
        self._receivers[receiver_name] = receiver

    def receiver_names(self) -> list[str]:
        return list(self._receivers)

    def send(self, **kwargs: Any) -> None:
        for receiver in list(self._receivers.values()):
            receiver(**kwargs)
