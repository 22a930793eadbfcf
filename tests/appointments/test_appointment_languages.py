"""Appointment e-mails in the citizen's language (issue 20): the UI language at booking is
stored on the appointment, and the hold, confirmation, reminder and cancellation e-mails are
written in it; an unknown language falls back to German."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from services.appointments.actions import do_cancel_appointment, do_send_reminders
from services.appointments.models import Appointment, Status
from tests.appointments.test_appointments import ID_CARD, _at, _link, _row, _schedule, _workday

BASE = settings.BASE_DOMAIN

# (subject of the hold, confirmation, reminder, cancellation; words of the bodies)
EXPECTED = {
    "en": {
        "hold": "Please confirm your appointment – Stadt Erkelenz",
        "confirmed": "Your appointment is confirmed:",
        "reminder": "Reminder: your appointment tomorrow – Stadt Erkelenz",
        "cancelled": "has been cancelled – Stadt Erkelenz",
        "body": ("Hello Erika Mustermann,", "Please bring:", "Kind regards"),
        "month": "December January February March April May June July August September "
        "October November",
    },
    "nl": {
        "hold": "Bevestig uw afspraak – Stadt Erkelenz",
        "confirmed": "Uw afspraak is bevestigd:",
        "reminder": "Herinnering: uw afspraak morgen – Stadt Erkelenz",
        "cancelled": "is geannuleerd – Stadt Erkelenz",
        "body": ("Beste Erika Mustermann,", "Neem mee:", "Met vriendelijke groet"),
        "month": "december januari februari maart april mei juni juli augustus september "
        "oktober november",
    },
}


@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_citizen_booking_in_english_or_dutch_gets_every_e_mail_in_it(
    in_tenant, django_capture_on_commit_callbacks, language
):
    expected = EXPECTED[language]
    client = Client(HTTP_HOST=f"erkelenz.{BASE}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
    day = _workday()
    with django_capture_on_commit_callbacks(execute=True):
        held = client.post(
            f"/termine/{schedule.pk}/buchen/",
            {
                "leistung": [ID_CARD],
                "beginn": f"{day.isoformat()}T08:00",
                "name": "Erika Mustermann",
                "email": "erika@example.org",
            },
        )
    assert held.status_code == 200
    with in_tenant("erkelenz"):
        appointment = Appointment.objects.get(schedule=schedule)
    assert appointment.language == language
    hold = mail.outbox[-1]
    assert hold.subject == expected["hold"] and hold.extra_headers["Content-Language"] == language
    assert expected["body"][0] in hold.body and "Guten Tag" not in hold.body
    assert "English:" not in hold.body  # the German mail's English footer is not needed here
    assert any(month in hold.body for month in expected["month"].split()), hold.body

    # the confirmation link opened later in a German browser: still the booking's language
    german = Client(HTTP_HOST=f"erkelenz.{BASE}")
    with django_capture_on_commit_callbacks(execute=True):
        assert german.post(_link(hold, "bestaetigen")).status_code == 302
    confirmed = mail.outbox[-1]
    assert confirmed.subject.startswith(expected["confirmed"]) and appointment.code in (
        confirmed.subject
    )
    for words in expected["body"]:
        assert words in confirmed.body, confirmed.body
    assert "Bitte mitbringen" not in confirmed.body

    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        assert do_send_reminders(now=_at(day - timedelta(days=1), 18), base_url="http://x") == 1
    reminder = mail.outbox[-1]
    assert reminder.subject == expected["reminder"]
    assert expected["body"][1] in reminder.body and "erinnern" not in reminder.body

    with in_tenant("erkelenz"), django_capture_on_commit_callbacks(execute=True):
        do_cancel_appointment(appointment=appointment, by_office=True, base_url="http://x")
    cancelled = mail.outbox[-1]
    assert cancelled.subject.endswith(expected["cancelled"]) and appointment.code in (
        cancelled.subject
    )
    assert expected["body"][0] in cancelled.body and "abgesagt" not in cancelled.body


def test_german_stays_the_default_and_unknown_languages_fall_back_to_it(
    in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        schedule = _schedule()
        day = _workday()
        unknown = _row(schedule, 1, _at(day, 9), email="fr@example.org", language="fr")
        plain = _row(schedule, 1, _at(day, 10), email="de@example.org")
        assert plain.language == "de"
        with django_capture_on_commit_callbacks(execute=True):
            assert do_send_reminders(now=_at(day - timedelta(days=1), 18), base_url="http://x") == 2
    sent = {m.to[0]: m for m in mail.outbox}
    for address in ("fr@example.org", "de@example.org"):
        message = sent[address]
        assert message.subject == "Erinnerung: Ihr Termin morgen – Stadt Erkelenz"
        assert "Guten Tag Test Person," in message.body and "Uhr" in message.body
        assert message.extra_headers["Content-Language"] == "de"
    assert unknown.status == Status.CONFIRMED
