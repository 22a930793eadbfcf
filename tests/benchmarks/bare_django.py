"""The bare Django app the throughput benchmark compares the portal with: one view returning a
page of the size of the portal's home page (BENCH_PAGE_BYTES), the portal's stylesheet served by
WhiteNoise from the same folder, and Django's own 404. No database, no sessions, no templates.

Run by the benchmark as `gunicorn tests.benchmarks.bare_django:application` (one sync worker).
"""

from __future__ import annotations

import os
from pathlib import Path

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import path

STATIC_DIR = Path(__file__).resolve().parents[2] / "platform" / "static"

settings.configure(
    DEBUG=False,
    SECRET_KEY="bare-django-benchmark",
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["django.contrib.staticfiles"],
    MIDDLEWARE=["whitenoise.middleware.WhiteNoiseMiddleware"],
    STATIC_URL="/static/",
    STATICFILES_DIRS=[str(STATIC_DIR)],
    WHITENOISE_USE_FINDERS=True,
    USE_I18N=False,
    DATABASES={},
)
django.setup()

PAGE = (
    b"<!DOCTYPE html><html><body>"
    + b"x" * max(int(os.environ.get("BENCH_PAGE_BYTES", "7000")) - 42, 0)
    + b"</body></html>"
)


def page(request):
    return HttpResponse(PAGE)


urlpatterns = [path("", page), path("page/", page)]

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
