"""The bare base domain's real URL conf plus the failing views of tests.support.urls_errors."""

from kreisportal import urls_public
from tests.support.urls_errors import TEST_PATTERNS

handler403 = urls_public.handler403
handler404 = urls_public.handler404
handler500 = urls_public.handler500
urlpatterns = [*TEST_PATTERNS, *urls_public.urlpatterns]
