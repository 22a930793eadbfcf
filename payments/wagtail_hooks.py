"""Tenant's Wagtail admin: refunds the cash office pays back by hand ("Manuelle Erstattungen"),
for platforms without a refund call (XBezahldienste). The payment settings (provider, cash
office) are a Wagtail setting of the tenant (payments.models.PaymentSettings)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from payments.actions import do_complete_manual_refund
from payments.models import ManualRefund
from payments.selectors import open_manual_refunds

PERMISSION = "payments.change_manualrefund"
may_refund = permission_required(PERMISSION, raise_exception=True)


@may_refund
@require_http_methods(["GET"])
def manual_refunds(request: HttpRequest) -> HttpResponse:
    done = ManualRefund.objects.filter(done_at__isnull=False).select_related("payment")
    return TemplateResponse(
        request,
        "payments/admin/manual_refunds.html",
        {
            "open": open_manual_refunds(),
            "done": done.order_by("-done_at")[:20],
            "page_title": "Manuelle Erstattungen",
            "header_icon": "undo",
        },
    )


@may_refund
@require_POST
def manual_refund_done(request: HttpRequest, pk: int) -> HttpResponse:
    if not ManualRefund.objects.filter(pk=pk).exists():
        raise Http404("Erstattung nicht gefunden")
    refund, now = do_complete_manual_refund(refund_id=pk, actor=request.user.get_username())
    if now:
        messages.success(request, f"Erstattung „{refund.payment.purpose}“ als erledigt vermerkt.")
    return HttpResponseRedirect(reverse("payments_manual_refunds"))


@hooks.register("register_admin_urls")
def _refund_urls():
    return [
        path("erstattungen/", manual_refunds, name="payments_manual_refunds"),
        path("erstattungen/<int:pk>/erledigt/", manual_refund_done, name="payments_refund_done"),
    ]


class RefundMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_admin_menu_item")
def _refund_menu_item():
    return RefundMenuItem(
        _("Manuelle Erstattungen"), reverse("payments_manual_refunds"), icon_name="undo", order=205
    )
