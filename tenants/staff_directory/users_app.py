"""wagtail.users with the directory-aware user edit form (tenants.staff_directory.wagtail_users).

Its own module, importing nothing but Wagtail's app config: INSTALLED_APPS loads it before the
models are ready."""

from __future__ import annotations

from wagtail.users.apps import WagtailUsersAppConfig


class StaffDirectoryUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users app (name "wagtail.users", label "wagtailusers") with our user viewset."""

    user_viewset = "tenants.staff_directory.wagtail_users.DirectoryAwareUserViewSet"
