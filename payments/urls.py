from django.urls import path

from payments import views

urlpatterns = [
    path("zahlung/sandbox/<str:payment_id>/", views.sandbox_page, name="payment-sandbox")
]
