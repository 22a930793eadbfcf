"""Sandbox provider: a local hosted payment page offering "card" and "PayPal" with success,
failure and cancel. No money moves; the page says so."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import urlencode

from payments.models import Payment
from payments.providers import PaymentProvider, Redirect, registry


@registry.register("sandbox")
class SandboxProvider(PaymentProvider):
    label = "Testzahlung (Sandbox)"

    def start(self, payment: Payment, request: HttpRequest, *, return_path: str) -> Redirect:
        return Redirect(f"/zahlung/sandbox/{payment.pk}/?{urlencode({'zurueck': return_path})}")

    def refund(self, payment: Payment) -> str:
        return f"sandbox-refund-{payment.pk}"
