"""Payment providers: one small class each. The sandbox is the demo default."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from payments.models import Payment
from payments.registry import Registry


class ProviderError(Exception):
    """The provider refused or could not be reached; the payment stays as it was."""


@dataclass(frozen=True)
class Redirect:
    url: str


class PaymentProvider:
    """Base class of one provider: start a payment (redirect the citizen), settle it."""

    label = ""

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def start(self, payment: Payment, request: HttpRequest, *, return_path: str) -> Redirect:
        raise NotImplementedError

    def fetch_outcome(self, payment: Payment) -> str | None:
        """Ask the provider how a pending payment ended ("paid", "failed", "cancelled"), for
        reconciliation when a webhook never came; None while still open."""
        return None

    def refund(self, payment: Payment) -> str:
        """Give a paid payment back in full; returns the provider's refund reference."""
        raise ProviderError(f"{self.identifier} cannot refund")


registry: Registry[PaymentProvider] = Registry()

from payments.providers import card, paypal, sandbox  # noqa: E402,F401 - register themselves
