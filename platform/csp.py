"""Content-Security-Policy (django-csp): no inline scripts anywhere.

Citizen pages get the strict policy from settings (`CONTENT_SECURITY_POLICY`): scripts, styles,
images and fonts from our own origin only, no inline code at all, so cached pages (which cannot
carry a per-request nonce) need none. The editors' Wagtail admin (`/cms/`), Django's admin on
the public host (`/admin/`) and the API docs get `ADMIN_POLICY`: scripts still only from our
origin or with the request's nonce (a few Wagtail widget templates are overridden to carry it,
see `platform/templates/wagtailadmin/`), but inline *styles* allowed, because Wagtail's admin
sets style attributes in its markup. Styles cannot run code; scripts are what CSP protects here.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import cache

from csp.constants import HEADER
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

_current_request: ContextVar[HttpRequest | None] = ContextVar("csp_request", default=None)

ADMIN_PATH_PREFIXES = ("/cms/", "/admin/", "/api/docs/")


def current_nonce() -> str:
    """The CSP nonce of the request being served, for templates rendered without a request in
    their context (form widgets). Empty outside a request: the script is then blocked, as it
    should be."""
    request = _current_request.get()
    if request is None or not hasattr(request, "csp_nonce"):
        return ""
    return str(request.csp_nonce)


@cache
def citizen_policy() -> str:
    """The header of every citizen page and static file: the same string every time (no nonce),
    built once per process instead of once per answer."""
    return build_policy()


def _plain_policy_applies() -> bool:
    """Whether settings leave nothing for django-csp to decide per request (no excluded paths,
    no report-only policy)."""
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    return not policy.get("EXCLUDE_URL_PREFIXES") and not getattr(
        settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None
    )


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin policy under the admin paths and the request
    made available to `current_nonce()` while the response is rendered. An answer that used no
    nonce and has no policy of its own gets the citizen policy's string built once."""

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _current_request.set(request)
        try:
            return super().__call__(request)
        finally:
            _current_request.reset(token)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            getattr(request, "_csp_nonce", None) is None
            and not request.path_info.startswith(ADMIN_PATH_PREFIXES)
            and HEADER not in response
            and not any(
                getattr(response, name, None)
                for name in ("_csp_exempt", "_csp_config", "_csp_update", "_csp_replace")
            )
            and not (settings.DEBUG and response.status_code in (404, 500))
            and _plain_policy_applies()
        ):
            response[HEADER] = citizen_policy()
            # as django-csp does: a nonce asked for after the header is written is an error
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(ADMIN_PATH_PREFIXES)
        ):
            parts.config = settings.CSP_ADMIN_DIRECTIVES
        return parts


def give_wagtail_chooser_scripts_the_nonce() -> None:
    """Wagtail's chooser widgets (image, page, document, snippet) append a hard-coded inline
    `<script>new ImageChooser(…)</script>` in `BaseChooser.render` (Python, not a template).
    Give that one script element the request's nonce; nothing else in the output changes."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe
    from wagtail.admin.widgets.chooser import BaseChooser

    original = BaseChooser.render
    if getattr(original, "_kreisportal_csp", False):
        return

    def render(self, name, value, attrs=None, renderer=None):
        html = str(original(self, name, value, attrs=attrs, renderer=renderer))
        nonce = current_nonce()
        head, sep, script = html.rpartition("<script>")
        if not (nonce and sep):
            return mark_safe(html)  # noqa: S308 - Wagtail's own output, unchanged
        return mark_safe(head + format_html('<script nonce="{}">', nonce) + script)  # noqa: S308

    render._kreisportal_csp = True
    BaseChooser.render = render
