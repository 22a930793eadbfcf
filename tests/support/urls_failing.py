"""A tenant URLconf for tests: a view that fails, so that Sentry has an event to send."""

from django.urls import path


def failing_view(request):
    raise RuntimeError("deliberate failure for the Sentry test")


urlpatterns = [path("fail", failing_view)]
