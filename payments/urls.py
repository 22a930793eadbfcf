from django.urls import path

from payments import views

urlpatterns = [
    path("zahlung/sandbox/<str:payment_id>/", views.sandbox_page, name="payment-sandbox"),
    path("zahlung/paypal/rueckkehr/", views.paypal_return, name="payment-paypal-return"),
    path(
        "zahlung/xbezahldienste/rueckkehr/",
        views.xbezahldienste_return,
        name="payment-xbezahldienste-return",
    ),
    # one URL per provider that has webhooks: /zahlung/webhooks/paypal/, /zahlung/webhooks/stripe/
    path("zahlung/webhooks/<str:name>/", views.provider_webhook, name="payment-webhook"),
]
