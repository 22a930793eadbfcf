"""The signed-in citizen of this tenant, in one place: who it is, how to ask for a sign-in (at a
minimum trust level), and whether the level reached suffices. Views of every app use these
instead of their own copies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from kreisportal.identity import levels
from services.accounts.models import Citizen


def current_citizen(request: HttpRequest) -> Citizen | None:
    """This tenant's record of the signed-in citizen, or None."""
    if not request.user.is_authenticated:
        return None
    return Citizen.objects.filter(user=request.user).first()


def sign_in_url(*, next_path: str, level: str = "") -> str:
    params = {"level": level} if level else {}
    params["next"] = next_path
    return f"{reverse('account-sign-in')}?{urlencode(params)}"


def sign_in_redirect(request: HttpRequest, *, level: str = "") -> HttpResponse:
    """Back to this page after the sign-in (at `level` when given)."""
    return HttpResponseRedirect(sign_in_url(next_path=request.get_full_path(), level=level))


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets `citizen` as its second argument; anybody else is sent to sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        citizen = current_citizen(request)
        if citizen is None:
            return sign_in_redirect(request)
        return view(request, citizen, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class TrustCheck:
    """Whether the level reached in this session suffices for `required`."""

    required: str
    reached: str
    next_path: str

    @property
    def ok(self) -> bool:
        return bool(self.reached) and levels.meets(self.reached, self.required)

    @property
    def required_label(self) -> str:
        return levels.label(self.required)

    @property
    def reached_label(self) -> str:
        return levels.label(self.reached) if self.reached else ""

    @property
    def login_url(self) -> str:
        return sign_in_url(next_path=self.next_path, level=self.required)


def trust_check(request: HttpRequest, required: str, *, next_path: str = "") -> TrustCheck:
    reached = request.session.get("trust_level", "") if request.user.is_authenticated else ""
    return TrustCheck(required=required, reached=reached, next_path=next_path or request.path)
