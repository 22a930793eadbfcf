from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from tenants.selectors import portal_links


def portal_index(request: HttpRequest) -> HttpResponse:
    """The public host's start page: the list of portals in the district."""
    port = request.get_port()
    links = portal_links(scheme=request.scheme, port=port)
    return TemplateResponse(request, "kreisportal/public_index.html", {"portals": links})


# Staff accounts can change a whole portal: their passwords meet Django's standard validators
# whatever AUTH_PASSWORD_VALIDATORS says (citizens sign in through the identity provider).
STAFF_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]


def _staff_password_form(user, data):
    from django.contrib.auth import password_validation
    from django.contrib.auth.forms import SetPasswordForm
    from django.core.exceptions import ValidationError

    class StaffPasswordForm(SetPasswordForm):
        def clean(self):
            cleaned = super().clean()
            password = cleaned.get("new_password2")
            if password and not self.errors:
                validators = password_validation.get_password_validators(STAFF_PASSWORD_VALIDATORS)
                try:
                    password_validation.validate_password(
                        password, self.user, password_validators=validators
                    )
                except ValidationError as error:
                    self.add_error("new_password2", error)
            return cleaned

    return StaffPasswordForm(user, data)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link on the tenant's host: set a password, and be signed in to /cms/ as a
    member of the editorial team. Refused links (used, expired, revoked, unknown) say why."""
    from django.contrib.auth import login
    from django.shortcuts import redirect
    from django.utils.cache import add_never_cache_headers

    from tenants.errors import TenantActionError
    from tenants.invitations import do_accept_invitation, invitee_user, open_invitation

    tenant = request.tenant
    try:
        invitation = open_invitation(tenant, token)
    except TenantActionError as exc:
        response = TemplateResponse(
            request, "tenants/invitation_accept.html", {"refused": exc.for_admin}, status=410
        )
        add_never_cache_headers(response)
        return response
    form = _staff_password_form(invitee_user(invitation), request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = do_accept_invitation(
                tenant=tenant, token=token, password=form.cleaned_data["new_password1"]
            )
        except TenantActionError as exc:
            form.add_error(None, exc.for_admin)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("wagtailadmin_home")
    from tenants.staff_directory.selectors import enabled_directory_for

    context = {
        "invitation": invitation,
        "form": form,
        "portal": tenant.name,
        "token": token,
        "directory_enabled": enabled_directory_for(tenant) is not None,
    }
    response = TemplateResponse(request, "tenants/invitation_accept.html", context)
    add_never_cache_headers(response)
    return response
