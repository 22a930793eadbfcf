"""The appointment staff's admin in each tenant's Wagtail: schedules (hours, counters, services
with durations, exceptions) as snippets, and the day view (admin_views.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from services.appointments import admin_views
from services.appointments.models import OfficeSchedule


class OfficeScheduleViewSet(SnippetViewSet):
    model = OfficeSchedule
    icon = "date"
    menu_label = _("Terminangebote")
    menu_order = 221
    add_to_admin_menu = False
    list_display = ["office", "active", "counters"]
    search_fields = ["office__name"]
    search_backend_name = None
    panels = [
        FieldPanel("office"),
        MultiFieldPanel(
            [
                FieldPanel("active"),
                FieldPanel("counters"),
                FieldPanel("slot_minutes"),
                FieldPanel("hours"),
            ],
            heading=_("Schalter und Zeiten"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("book_ahead_days"),
                FieldPanel("min_notice_minutes"),
                FieldPanel("max_services"),
                FieldPanel("max_open_per_email"),
                FieldPanel("note"),
            ],
            heading=_("Regeln für die Buchung"),
        ),
        InlinePanel("offered_services", heading=_("Leistungen mit Termin"), label=_("Leistung")),
        InlinePanel(
            "exceptions",
            heading=_("Ausnahmen (geschlossen / zusätzlich geöffnet)"),
            label=_("Ausnahme"),
        ),
    ]


register_snippet(OfficeScheduleViewSet)


@hooks.register("register_admin_urls")
def _appointment_admin_urls():
    return admin_views.urlpatterns


class _DayViewMenuItem(MenuItem):
    def is_shown(self, request):
        return admin_views.can_manage(request)


@hooks.register("register_admin_menu_item")
def _appointments_menu_item():
    return _DayViewMenuItem(
        _("Termine"), reverse("appointments_admin"), icon_name="date", order=220
    )
