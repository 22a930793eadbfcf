from django.urls import path

from payments import views

urlpatterns = [
    path("zahlung/sandbox/<str:payment_id>/", views.sandbox_page, name="payment-sandbox"),
    path("zahlung/paypal/rueckkehr/", views.paypal_return, name="payment-paypal-return"),
    path("zahlung/webhooks/paypal/", views.paypal_webhook, name="payment-webhook-paypal"),
    path("zahlung/webhooks/stripe/", views.stripe_webhook, name="payment-webhook-stripe"),
]
