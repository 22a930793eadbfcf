"""Payment providers: one small class each. The sandbox is the demo default.

A provider talks to its platform and answers in plain values: `start` returns where to send the
citizen and the platform's reference, `handle_webhook` returns the verified events. It never
writes a `Payment` row itself; `payments.actions` does (`do_start_payment`,
`do_book_webhook_events`), so adding a platform (e.g. ePayBL/XBezahldienste) is one class here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from kreisportal.registry import Registry
from payments.models import Payment


class ProviderError(Exception):
    """The provider refused or could not be reached; the payment stays as it was."""


class ManualRefundRequired(ProviderError):
    """The platform has no refund call: the cash office pays the money back by hand
    (`payments.models.ManualRefund`, listed for staff)."""


@dataclass(frozen=True)
class Redirect:
    url: str
    # the platform's id of the payment (PayPal order, Stripe checkout session), stored by
    # do_start_payment; empty when the platform has none
    reference: str = ""


@dataclass(frozen=True)
class WebhookEvent:
    """One verified event of a provider's webhook that books a payment."""

    reference: str  # the payment's provider_reference
    event_id: str  # unique per event: a replay books nothing twice
    outcome: str  # "paid", "failed" or "cancelled"
    method: str = ""
    kind: str = ""  # the platform's event type, kept with the booking


class WebhookRefused(Exception):
    """The webhook request is not a verified event of this provider; `status` says why
    (400 bad body or signature, 503 verification unavailable: the platform retries)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class PaymentProvider:
    """Base class of one provider: start a payment (redirect the citizen), settle it."""

    label = ""
    # the last part of its webhook URL, /zahlung/webhooks/<webhook_name>/; empty: no webhooks
    webhook_name = ""

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier

    def start(self, payment: Payment, request: HttpRequest, *, return_path: str) -> Redirect:
        raise NotImplementedError

    def fetch_outcome(self, payment: Payment) -> str | None:
        """Ask the provider how a pending payment ended ("paid", "failed", "cancelled"), for
        reconciliation when a webhook never came; None while still open."""
        return None

    def refund(self, payment: Payment) -> str:
        """Give a paid payment back in full; returns the provider's refund reference.
        ManualRefundRequired where the platform cannot refund."""
        raise ProviderError(f"{self.identifier} cannot refund")

    def handle_webhook(self, request: HttpRequest) -> list[WebhookEvent]:
        """Verify a webhook request and return the events that book payments (an event of no
        interest: an empty list). WebhookRefused for anything not verified."""
        raise WebhookRefused("this provider has no webhooks", status=404)


registry: Registry[PaymentProvider] = Registry()

from payments.providers import card, paypal, sandbox, xbezahldienste  # noqa: E402,F401 - register
