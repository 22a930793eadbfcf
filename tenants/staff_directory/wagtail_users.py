"""Wagtail's user edit form (/cms/users/<pk>/) for directory accounts.

A directory account's user name is "verzeichnis:<subject>" (actions.directory_username); Django's
username validator refuses the ":", so Wagtail's own form could not save such an account at all
and a municipality's admin could not switch it off or take a group away there. For directory
accounts the user name is shown read-only (never validated, never taken from the POST) and there
are no password fields: the person signs in through the directory, never with a local password.
Name and e-mail come from the directory, which may leave them empty, so they are optional here.
Local accounts keep Wagtail's form unchanged.

Wired in the Wagtail 8 way: a UserViewSet subclass named by a WagtailUsersAppConfig subclass
(users_app.StaffDirectoryUsersConfig, `user_viewset`), which replaces "wagtail.users" in
INSTALLED_APPS (same name and label "wagtailusers", so migrations and templates are Wagtail's).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserEditForm
from wagtail.users.views.users import UserViewSet

from tenants.staff_directory.accounts.signals import USERNAME_PREFIX

User = get_user_model()


class DirectoryAwareUserEditForm(UserEditForm):
    """Wagtail's edit form; for a directory account the user name is fixed and passwords gone."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.is_directory_account = str(
            getattr(self.instance, User.USERNAME_FIELD, "") or ""
        ).startswith(USERNAME_PREFIX)
        if not self.is_directory_account:
            return
        original = self.fields[User.USERNAME_FIELD]
        # disabled: Django ignores whatever the POST says and keeps the stored value
        self.fields[User.USERNAME_FIELD] = forms.CharField(
            label=original.label,
            required=False,
            disabled=True,
            help_text=_(
                "Konto aus dem Verzeichnis der Kommune; der Benutzername ist nicht änderbar."
            ),
        )
        for name in ("password1", "password2"):
            self.fields.pop(name, None)
        for name in ("email", "first_name", "last_name"):
            if name in self.fields:
                self.fields[name].required = False

    def _get_validation_exclusions(self) -> set[str]:
        exclude = super()._get_validation_exclusions()
        if self.is_directory_account:
            # the model's username validator would refuse the ":" of the stored name
            exclude.add(User.USERNAME_FIELD)
        return exclude

    def validate_password(self) -> None:
        if not self.is_directory_account:
            super().validate_password()

    def save(self, commit: bool = True):
        if self.is_directory_account:
            # no password fields: never touch the (unusable) password of a directory account
            return forms.ModelForm.save(self, commit=commit)
        return super().save(commit=commit)


class DirectoryAwareUserViewSet(UserViewSet):
    def get_form_class(self, for_update: bool = False):
        if for_update:
            return DirectoryAwareUserEditForm
        return super().get_form_class(for_update=for_update)
