"""Test URL conf of the tenant hosts: the real one plus a view that raises PermissionDenied
and one that fails, so that handler403 and handler500 can be tried (public host:
tests/support/urls_errors_public.py)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from kreisportal import urls_tenant


def forbidden_view(request):
    raise PermissionDenied("deliberately forbidden")


def failing_view(request):
    raise RuntimeError("deliberate failure for the error page test")


def broken_transaction_view(request):
    """A failed SQL statement: the transaction is broken, every later query of the request (the
    page's navigation) fails too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_for_the_error_page_test")


TEST_PATTERNS = [
    path("test-403/", forbidden_view),
    path("test-500/", failing_view),
    path("test-500-sql/", broken_transaction_view),
]

handler403 = urls_tenant.handler403
handler404 = urls_tenant.handler404
handler500 = urls_tenant.handler500
urlpatterns = [*TEST_PATTERNS, *urls_tenant.urlpatterns]
