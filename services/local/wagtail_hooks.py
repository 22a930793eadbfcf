"""Editors maintain their tenant's part of the catalogue in the Wagtail admin."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from services.local.actions import do_set_offered
from services.local.forms import LocalServiceForm
from services.local.models import LocalService, Office


class LocalServiceViewSet(SnippetViewSet):
    model = LocalService
    icon = "list-ul"
    menu_label = _("Leistungen vor Ort")
    list_display = [
        "service",
        Column(
            "offered",
            label=_("Angeboten"),
            accessor=lambda obj: _("Ja") if obj.offered else _("Nein"),
        ),
        "responsibility",
        "online_level",
        "office",
    ]
    list_filter = ["offered", "online_level", "responsibility"]
    search_fields = ["service__name", "service__leika_key"]
    search_backend_name = None  # ORM search: name or LeiKa key
    list_per_page = 50
    ordering = ["service__name"]
    edit_handler = ObjectList(
        [
            HelpPanel(
                content=_(
                    "Die Beschreibung der Leistung kommt aus dem gemeinsamen Katalog. Hier pflegen "
                    "Sie nur den örtlichen Teil. Änderungen erscheinen sofort im Portal und nach "
                    "wenigen Sekunden im kreisweiten Zuständigkeitsfinder."
                )
            ),
            MultiFieldPanel(
                [
                    FieldPanel("offered"),
                    FieldPanel("responsibility"),
                    FieldPanel("other_authority"),
                ],
                heading=_("Angebot und Zuständigkeit"),
            ),
            FieldPanel("office"),
            MultiFieldPanel(
                [
                    FieldPanel("fee_cents"),
                    FieldPanel("booking_cost_centre"),
                    FieldPanel("booking_account"),
                    FieldPanel("local_notes"),
                    FieldPanel("local_documents"),
                ],
                heading=_("Vor Ort"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("online_level"),
                    FieldPanel("online_url"),
                    FieldPanel("min_trust_level"),
                ],
                heading=_("Online-Dienst"),
            ),
        ],
        base_form_class=LocalServiceForm,  # the fee in euros ("96,00"), stored in cents
    )

    def get_queryset(self, request):
        return LocalService.objects.select_related("service", "office")


class EditOnlyPolicy(ModelPermissionPolicy):
    """Every catalogue service already has its local row (seeded); editors change, never add."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


register_permission_policy(LocalService, EditOnlyPolicy(LocalService))


class OfficeViewSet(SnippetViewSet):
    model = Office
    icon = "home"
    menu_label = _("Dienststellen")
    list_display = ["name", "city", "phone", "is_demo"]
    search_fields = ["name", "city"]
    search_backend_name = None


class CatalogueGroup(SnippetViewSetGroup):
    items = (LocalServiceViewSet, OfficeViewSet)
    menu_icon = "list-ul"
    menu_label = _("Leistungskatalog")
    menu_name = "leistungskatalog"


register_snippet(CatalogueGroup)


class _SetOfferedBulkAction(SnippetBulkAction):
    models = [LocalService]
    template_name = "services/admin/confirm_bulk_offer.html"
    offered = True

    def check_perm(self, snippet):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", snippet
        )

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        changed = do_set_offered(
            local_service_ids=[obj.pk for obj in objects], offered=kwargs["self"].offered
        )
        return changed, 0

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["action_title"] = self.display_name
        context["action_question"] = self.question
        return context

    def get_success_message(self, num_parent_objects, num_child_objects):
        return self.success % {"count": num_parent_objects}


@hooks.register("register_bulk_action")
class OfferBulkAction(_SetOfferedBulkAction):
    display_name = _("Anbieten")
    action_type = "offer"
    aria_label = _("Ausgewählte Leistungen anbieten")
    action_priority = 10
    offered = True
    question = _("Diese Leistungen werden künftig von Ihrer Verwaltung angeboten:")
    success = _("%(count)d Leistungen werden jetzt angeboten.")


@hooks.register("register_bulk_action")
class WithdrawBulkAction(_SetOfferedBulkAction):
    display_name = _("Nicht mehr anbieten")
    action_type = "withdraw"
    aria_label = _("Ausgewählte Leistungen nicht mehr anbieten")
    action_priority = 20
    offered = False
    question = _("Diese Leistungen werden nicht mehr angeboten:")
    success = _("%(count)d Leistungen werden nicht mehr angeboten.")


# --- search analytics and local search words (services/local/search_admin.py) ---------------


@hooks.register("register_admin_urls")
def _search_admin_urls():
    from services.local import search_admin

    return search_admin.urlpatterns


class _SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        from services.local import search_admin

        return search_admin.is_shown(request)


@hooks.register("register_admin_menu_item")
def _search_report_menu_item():
    return _SearchReportMenuItem(
        _("Suchanfragen"), reverse("search_report"), icon_name="search", order=210
    )


# --- "Katalog geprüft" (services/local/review_admin.py) ---------------------------------------


@hooks.register("register_admin_urls")
def _review_admin_urls():
    from services.local import review_admin

    return review_admin.urlpatterns


class _ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        from services.local import review_admin

        return review_admin.is_shown(request)


@hooks.register("register_admin_menu_item")
def _review_menu_item():
    return _ReviewMenuItem(
        _("Katalog prüfen"), reverse("review_catalogue"), icon_name="tick", order=205
    )
