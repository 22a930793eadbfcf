"""Middleware for the benchmark's single-schema baseline: the connection is already set to one
tenant, so the request skips host → tenant routing, as a plain one-site Wagtail would."""

from django.db import connection


class FixedTenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = connection.tenant
        return self.get_response(request)
