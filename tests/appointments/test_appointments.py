"""Appointments (issue #16): the database's refusal of a double booking in every tenant schema,
slot computation (hours, holidays, exceptions, blocks, notice), booking with double opt-in over
real HTTP, cancel and rebook through the personal link, who may use a link, limits, expiry,
reminders, the staff's day view, CSV, the waiting-room screen, the API, the ICS file."""

from __future__ import annotations

import csv
import io
import random
import re
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone
from icalendar import Calendar as ICal

from services.accounts.actions import do_sign_in_citizen
from services.appointments import actions, selectors
from services.appointments.access import CONFIRM, MANAGE, appointment_token
from services.appointments.actions import (
    BookingRefused,
    do_book_appointment,
    do_confirm_appointment,
    do_expire_holds,
    do_send_reminders,
)
from services.appointments.mail import ics_bytes
from services.appointments.models import (
    Appointment,
    Block,
    OfficeSchedule,
    OfficeService,
    ScheduleException,
    Status,
)
from services.appointments.slots import BERLIN, Calendar, Exception_, day_spans, free_starts
from services.local.models import Office
from services.models import Service

BASE = settings.BASE_DOMAIN
PASS = "99085001012000"  # Reisepass Ausstellung
ID_CARD = "99008001012000"  # Personalausweis Ausstellung
HOURS = [{"weekday": d, "opens": "08:00", "closes": "12:00"} for d in range(5)]


def _workday(weeks: int = 1, weekday: int = 1) -> date:
    """A weekday some weeks ahead that is no public holiday in NRW."""
    day = timezone.localdate() + timedelta(days=7 * weeks)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while selectors.holiday_name(day) or day.weekday() > 4:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _schedule(counters: int = 1, name: str = "Testbüro", **options) -> OfficeSchedule:
    office = Office.objects.create(
        name=name,
        street="Teststraße 1",
        postcode="52525",
        city="Heinsberg",
        opening_hours=HOURS,
    )
    schedule = OfficeSchedule.objects.create(
        office=office, counters=counters, slot_minutes=5, **options
    )
    for key, minutes in ((PASS, 20), (ID_CARD, 15)):
        OfficeService.objects.create(
            schedule=schedule, service=Service.objects.get(leika_key=key), minutes=minutes
        )
    return schedule


def _row(schedule, counter, starts, minutes=15, status=Status.CONFIRMED, code=None, **extra):
    return Appointment.objects.create(
        schedule=schedule,
        counter=counter,
        starts=starts,
        ends=starts + timedelta(minutes=minutes),
        status=status,
        code=code or uuid.uuid4().hex[:7].upper(),
        name=extra.pop("name", "Test Person"),
        services=[{"key": ID_CARD, "name": "Personalausweis Ausstellung", "minutes": minutes}],
        email=extra.pop("email", "t@example.org"),
        **extra,
    )


def _book(schedule, starts, email="erika@example.org", keys=(ID_CARD,), **extra):
    return do_book_appointment(
        schedule=schedule,
        keys=list(keys),
        starts=starts,
        name="Erika Mustermann",
        email=email,
        base_url=f"http://erkelenz.{BASE}",
        **extra,
    )


def _link(message, kind: str) -> str:
    found = re.search(rf"http://[^\s]+/termine/{kind}/[^\s]+/", message.body)
    assert found, message.body
    return found.group(0).split(BASE, 1)[1]


# --- the database refuses a double booking --------------------------------------------------


def test_the_database_refuses_an_overlapping_appointment_on_the_same_counter(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=2)
        starts = _at(_workday(), 9)
        _row(schedule, 1, starts)
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(schedule, 1, starts + timedelta(minutes=10))
        _row(schedule, 2, starts + timedelta(minutes=10))  # the other counter
        _row(schedule, 1, starts + timedelta(minutes=15))  # adjacent: [start, end) ranges
        _row(schedule, 1, starts, status=Status.CANCELLED)  # a cancelled row holds nothing
        with pytest.raises(IntegrityError), transaction.atomic():  # held rows hold the slot
            _row(schedule, 2, starts + timedelta(minutes=5), status=Status.HELD)


@pytest.mark.parametrize("slug", ["kreis", "gangelt", "wegberg"])
def test_btree_gist_serves_every_tenant_schema(in_tenant, slug):
    with in_tenant(slug):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n"
                " ON n.oid = e.extnamespace WHERE e.extname = 'btree_gist'"
            )
            assert cursor.fetchone() == ("public",)
            cursor.execute(
                "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n"
                " ON n.oid = c.connamespace WHERE c.contype = 'x' AND n.nspname = %s",
                [connection.schema_name],
            )
            assert cursor.fetchone()[0] == 1
        schedule = _schedule()
        starts = _at(_workday(), 10)
        _row(schedule, 1, starts)
        with pytest.raises(IntegrityError), transaction.atomic():
            _row(schedule, 1, starts)


# --- slot computation -----------------------------------------------------------------------


def test_slots_follow_hours_holidays_exceptions_blocks_and_bookings():
    cal = Calendar(counters=1, slot_minutes=15, weekly=HOURS)
    christmas = date(2027, 12, 27)  # a Monday, not a holiday
    assert len(free_starts(cal, christmas, 30, earliest=_at(christmas, 0))) == 15
    assert day_spans(cal, date(2027, 10, 3)) == []  # Tag der Deutschen Einheit (a Sunday)
    assert day_spans(cal, date(2027, 11, 1)) == []  # Allerheiligen: a holiday in NRW
    assert day_spans(cal, date(2027, 11, 2)) != []
    assert day_spans(cal, date(2027, 5, 27)) == []  # Fronleichnam (NRW)
    cal = Calendar(
        counters=1,
        slot_minutes=15,
        weekly=HOURS,
        exceptions=[
            Exception_(day=date(2027, 12, 28), closed=True),
            Exception_(day=date(2027, 11, 1), closed=False, opens=time(9), closes=time(10)),
        ],
        busy=[
            (1, _at(christmas, 8), _at(christmas, 9)),
            (None, _at(christmas, 11), _at(christmas, 12)),
        ],
    )
    assert day_spans(cal, date(2027, 12, 28)) == []
    assert [
        s.strftime("%H:%M")
        for s in free_starts(cal, date(2027, 11, 1), 30, earliest=_at(date(2027, 11, 1), 0))
    ] == ["09:00", "09:15", "09:30"]
    starts = free_starts(cal, christmas, 30, earliest=_at(christmas, 9, 30))
    assert [s.strftime("%H:%M") for s in starts] == ["09:30", "09:45", "10:00", "10:15", "10:30"]


def test_a_day_across_the_dst_change_has_the_right_times():
    sunday = date(2027, 3, 28)  # clocks go forward at 02:00
    cal = Calendar(
        counters=1, slot_minutes=60, weekly=[{"weekday": 6, "opens": "01:00", "closes": "05:00"}]
    )
    starts = free_starts(cal, sunday, 60, earliest=_at(sunday, 0))
    assert [s.strftime("%H:%M %Z") for s in starts] == ["01:00 CET", "03:00 CEST", "04:00 CEST"]


def test_month_grid_links_only_days_with_free_slots(in_tenant, django_assert_max_num_queries):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
        full = _workday(2)
        _row(schedule, 1, _at(full, 8), minutes=240)  # the whole day taken
        ScheduleException.objects.create(schedule=schedule, date=full + timedelta(days=1))
        with django_assert_max_num_queries(3):
            weeks = selectors.month_grid(schedule, 15, full.year, full.month)
        free = {d.day for w in weeks for d in w if d.first_free}
        assert full not in free and full + timedelta(days=1) not in free
        assert full + timedelta(days=2) in free or (full + timedelta(days=2)).weekday() > 4


# --- booking over HTTP, double opt-in, cancel, rebook ---------------------------------------


def test_a_citizen_books_confirms_rebooks_and_cancels_over_http(
    in_tenant, django_capture_on_commit_callbacks
):
    host = f"erkelenz.{BASE}"
    client = Client(HTTP_HOST=host)
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
    day = _workday()
    page = client.get("/termine/", {"leistung": [ID_CARD, PASS]})
    assert page.status_code == 200 and "Testbüro" in page.content.decode()
    calendar = client.get(
        f"/termine/{schedule.pk}/", {"leistung": [ID_CARD, PASS], "monat": day.strftime("%Y-%m")}
    )
    assert calendar.status_code == 200
    assert f"tag={day.isoformat()}" in calendar.content.decode()
    times = client.get(
        f"/termine/{schedule.pk}/", {"leistung": [ID_CARD, PASS], "tag": day.isoformat()}
    )
    assert f'value="{day.isoformat()}T08:00"' in times.content.decode()
    assert "35 Minuten" in times.content.decode()  # 15 + 20
    beginn = f"{day.isoformat()}T08:00"
    form = client.get(
        f"/termine/{schedule.pk}/buchen/", {"leistung": [ID_CARD, PASS], "beginn": beginn}
    )
    assert form.status_code == 200 and "Ihre Angaben" in form.content.decode()
    invalid = client.post(
        f"/termine/{schedule.pk}/buchen/",
        {"leistung": [ID_CARD, PASS], "beginn": beginn, "name": "E", "email": "x"},
    )
    assert invalid.status_code == 400 and "E-Mail" in invalid.content.decode()
    with in_tenant("erkelenz"):
        assert not Appointment.objects.filter(schedule=schedule).exists()  # nothing half-written
    with django_capture_on_commit_callbacks(execute=True):
        held = client.post(
            f"/termine/{schedule.pk}/buchen/",
            {
                "leistung": [ID_CARD, PASS],
                "beginn": beginn,
                "name": "Erika Mustermann",
                "email": "erika@example.org",
            },
        )
    assert held.status_code == 200 and "Fast geschafft" in held.content.decode()
    with in_tenant("erkelenz"):
        appointment = Appointment.objects.get(schedule=schedule)
    assert appointment.status == Status.HELD and appointment.minutes == 35
    confirm_path = _link(mail.outbox[-1], "bestaetigen")
    # the link in the e-mail shows a page; only its button confirms
    assert client.get(confirm_path).status_code == 200
    with in_tenant("erkelenz"):
        assert Appointment.objects.get(pk=appointment.pk).status == Status.HELD
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(confirm_path)
    assert confirmed.status_code == 302
    manage_path = confirmed["Location"]
    message = mail.outbox[-1]
    assert "bestätigt" in message.subject
    ics = [a for a in message.attachments if a[0].endswith(".ics")]
    assert ics, "the confirmation carries the calendar file"
    event = ICal.from_ical(ics[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == _at(day, 8)
    assert str(event["dtstart"].params["TZID"]) == "Europe/Berlin"
    with in_tenant("erkelenz"):
        appointment.refresh_from_db()
    assert appointment.code in message.body and "Bitte mitbringen" in message.body
    page = client.get(manage_path)
    assert appointment.code in page.content.decode() and "Termin absagen" in page.content.decode()
    assert client.get(manage_path + "termin.ics")["Content-Type"].startswith("text/calendar")
    # rebook to 10:00
    rebook_page = client.get(manage_path + "umbuchen/", {"tag": day.isoformat()})
    assert rebook_page.status_code == 200 and f'value="{day.isoformat()}T08:00"' in (
        rebook_page.content.decode()
    ), "its own slot is offered again"
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(manage_path + "umbuchen/", {"beginn": f"{day.isoformat()}T10:00"})
    assert moved.status_code == 302
    with in_tenant("erkelenz"):
        old = Appointment.objects.get(pk=appointment.pk)
        new = Appointment.objects.get(schedule=schedule, status=Status.CONFIRMED)
    assert old.status == Status.CANCELLED and old.rebooked_to_id == new.pk
    assert new.starts == _at(day, 10) and new.email == "erika@example.org"
    assert "verschoben" in mail.outbox[-1].subject
    # the old link now leads to the new appointment, and cannot cancel anything
    assert "zum neuen Termin" in client.get(manage_path).content.decode()
    assert client.post(manage_path, {"aktion": "absagen"}).status_code == 400
    new_path = moved["Location"]
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client.post(new_path, {"aktion": "absagen"})
    assert cancelled.status_code == 200 and "abgesagt" in cancelled.content.decode()
    with in_tenant("erkelenz"):
        assert Appointment.objects.get(pk=new.pk).status == Status.CANCELLED
    assert "abgesagt" in mail.outbox[-1].subject


def test_links_give_nothing_to_anybody_else(in_tenant, django_capture_on_commit_callbacks):
    host = f"erkelenz.{BASE}"
    client = Client(HTTP_HOST=host)
    with in_tenant("erkelenz"):
        schedule = _schedule()
        mine = _row(schedule, 1, _at(_workday(), 9))
        other = _row(schedule, 1, _at(_workday(), 10))
        confirm_token = appointment_token(mine, CONFIRM)
        manage_token = appointment_token(mine, MANAGE)
        forged = appointment_token(other, MANAGE).split(":")[0] + ":" + manage_token.split(":")[-1]
    assert client.get(f"/termine/termin/{manage_token}/").status_code == 200
    for path in (
        f"/termine/termin/{confirm_token}/",  # a confirmation link does not manage
        f"/termine/termin/{mine.pk}/",  # the bare id
        f"/termine/termin/{uuid.uuid4()}/",  # a guessed id
        f"/termine/termin/{forged}/",  # another appointment's data with this signature
        f"/termine/termin/{manage_token[:-2]}xx/",
        f"/termine/bestaetigen/{manage_token}/",
    ):
        assert client.get(path).status_code == 404, path
        assert client.post(path, {"aktion": "absagen"}).status_code == 404, path
    # another portal does not know the appointment
    assert (
        Client().get(f"/termine/termin/{manage_token}/", HTTP_HOST=f"gangelt.{BASE}").status_code
        == 404
    )
    # a renewed secret revokes every link sent so far
    with in_tenant("erkelenz"):
        actions.do_renew_links(appointment=mine)
        assert Appointment.objects.get(pk=mine.pk).status == Status.CONFIRMED
    assert client.get(f"/termine/termin/{manage_token}/").status_code == 404


def test_signed_in_citizens_see_only_their_own_appointments_in_mein_konto(in_tenant):
    host = f"erkelenz.{BASE}"
    with in_tenant("erkelenz"):
        schedule = _schedule()
        erika = do_sign_in_citizen(
            identity={
                "pseudonym": "appt-erika",
                "level": "basic",
                "given_name": "Erika",
                "email": "e@example.org",
            }
        )
        max_ = do_sign_in_citizen(identity={"pseudonym": "appt-max", "level": "basic"})
        hers = _row(schedule, 1, _at(_workday(), 9), citizen=erika)
        _row(schedule, 1, _at(_workday(), 11), citizen=max_, code="MAX-XXX")
        her_client, his_client = Client(HTTP_HOST=host), Client(HTTP_HOST=host)
        her_client.force_login(erika.user)
        his_client.force_login(max_.user)
    page = her_client.get("/konto/").content.decode()
    assert "Meine Termine" in page and "Testbüro" in page
    link = re.search(r'href="(/termine/termin/[^"]+/)"', page).group(1)
    assert her_client.get(link).status_code == 200
    assert hers.code in her_client.get(link).content.decode()
    his = his_client.get("/konto/").content.decode()
    assert link not in his and hers.code not in his
    # signed in, the form is prefilled from the login
    form = her_client.get(
        f"/termine/{schedule.pk}/buchen/",
        {"leistung": ID_CARD, "beginn": f"{_workday().isoformat()}T10:00"},
    ).content.decode()
    assert 'value="e@example.org"' in form


def test_the_last_slot_goes_to_one_and_the_other_gets_the_next_free_times(
    in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
        day = _workday()
        client = Client(HTTP_HOST=f"erkelenz.{BASE}")
        _book(schedule, _at(day, 8), email="first@example.org")
        response = client.post(
            f"/termine/{schedule.pk}/buchen/",
            {
                "leistung": ID_CARD,
                "beginn": f"{day.isoformat()}T08:05",
                "name": "Zweite Person",
                "email": "second@example.org",
            },
        )
    body = response.content.decode()
    assert response.status_code == 409 and "leider gerade vergeben" in body
    offered = re.findall(r"beginn=(\d{4}-\d\d-\d\dT\d\d:\d\d)", body)
    assert len(offered) == 3, "the next free times, offered at once"
    with in_tenant("erkelenz"):
        expected = selectors.next_free(schedule, 15)
    assert offered == [moment.strftime("%Y-%m-%dT%H:%M") for moment in expected]
    assert f"{day.isoformat()}T08:05" not in offered
    with in_tenant("erkelenz"):
        assert Appointment.objects.filter(schedule=schedule).count() == 1


def test_limits_against_abuse_each_with_its_own_message(in_tenant, monkeypatch):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=3, max_open_per_email=3)
        day = _workday()
        _book(schedule, _at(day, 8))
        _book(schedule, _at(day, 9))
        with pytest.raises(BookingRefused, match="warten schon 2 Reservierungen"):
            _book(schedule, _at(day, 10))
        for appointment in Appointment.objects.filter(schedule=schedule):
            do_confirm_appointment(appointment=appointment, base_url="http://x")
        _book(schedule, _at(day, 10))
        with pytest.raises(BookingRefused, match="schon 3 Termine gebucht"):
            _book(schedule, _at(day, 11))
        # per address: held bookings from one connection
        monkeypatch.setattr(actions, "MAX_HELD_PER_ADDRESS", 2)
        _book(schedule, _at(day, 8, 30), email="p1@example.org", client="addr-1")
        _book(schedule, _at(day, 8, 45), email="p2@example.org", client="addr-1")
        with pytest.raises(BookingRefused, match="Von Ihrem Anschluss warten"):
            _book(schedule, _at(day, 11), email="q@example.org", client="addr-1")
        # rate limit per address
        monkeypatch.setattr(actions, "ATTEMPTS_PER_HOUR", 3)
        with pytest.raises(actions.TooManyAttempts):
            for _attempt in range(4):
                actions.check_attempts("addr-2")
        # outside the window
        with pytest.raises(BookingRefused, match="zu kurz in der Zukunft"):
            _book(schedule, timezone.now() + timedelta(minutes=30), email="r@example.org")
        with pytest.raises(BookingRefused, match="höchstens 60 Tage"):
            _book(schedule, _at(_workday(weeks=12), 9), email="r@example.org")
        with pytest.raises(BookingRefused, match="nicht alle gewählten Leistungen"):
            _book(schedule, _at(day, 9), keys=["99050012104000"], email="r@example.org")


def test_held_bookings_expire_and_free_their_slot(in_tenant, django_capture_on_commit_callbacks):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
        day = _workday()
        held = _book(schedule, _at(day, 9))
        later = timezone.now() + timedelta(minutes=31)
        # lazily: the next booking of that slot releases it
        again = _book(schedule, _at(day, 9), email="other@example.org", now=later)
        held.refresh_from_db()
        assert held.status == Status.EXPIRED and again.status == Status.HELD
        with pytest.raises(BookingRefused, match="abgelaufen"):
            do_confirm_appointment(appointment=held)
        # and by the periodic task
        assert do_expire_holds(now=later + timedelta(minutes=31)) == 1
        again.refresh_from_db()
        assert again.status == Status.EXPIRED


def test_reminders_go_out_once_the_day_before(in_tenant, django_capture_on_commit_callbacks):
    with in_tenant("erkelenz"):
        schedule = _schedule()
        day = _workday()
        appointment = _row(schedule, 1, _at(day, 9), email="remind@example.org")
        _row(schedule, 1, _at(day, 10), is_demo=True)
        eve = _at(day - timedelta(days=1), 18)
        with django_capture_on_commit_callbacks(execute=True):
            assert do_send_reminders(now=eve, base_url="http://x") == 1
            assert do_send_reminders(now=eve, base_url="http://x") == 0
    reminders = [m for m in mail.outbox if "Erinnerung" in m.subject]
    assert [m.to for m in reminders] == [["remind@example.org"]]
    assert appointment.code in reminders[0].body


def test_ics_parses_with_berlin_times_on_both_sides_of_the_dst_change(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule()
        winter = _row(schedule, 1, _at(date(2027, 3, 26), 9))  # Friday before: CET
        summer = _row(schedule, 1, _at(date(2027, 3, 29), 9))  # Monday after: CEST
        for appointment, offset in ((winter, 1), (summer, 2)):
            cal = ICal.from_ical(ics_bytes(appointment, tenant_name="Stadt Erkelenz"))
            assert cal.walk("VTIMEZONE")[0]["TZID"] == "Europe/Berlin"
            event = cal.walk("VEVENT")[0]
            start = event.decoded("dtstart")
            assert (start.hour, start.utcoffset()) == (9, timedelta(hours=offset))
            assert event.decoded("dtend") - start == timedelta(minutes=15)
            assert appointment.code in str(event["description"])


# --- staff --------------------------------------------------------------------------------


def _clerk(in_tenant, slug="erkelenz", group="Terminverwaltung") -> Client:
    client = Client(HTTP_HOST=f"{slug}.{BASE}")
    with in_tenant(slug):
        user = get_user_model().objects.create_user(f"clerk-{uuid.uuid4().hex[:6]}")
        if group:
            user.groups.add(Group.objects.get(name=group))
        client.force_login(user)
    return client


def test_clerks_see_the_day_mark_arrived_call_up_and_export(
    in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=2)
        today = timezone.localdate()
        # late in the evening: never in the past for the status changes below
        appointment = _row(schedule, 1, _at(today, 23, 30), name="=HYPERLINK(1)")
    clerk = _clerk(in_tenant)
    day = clerk.get(f"/cms/termine/{schedule.pk}/")
    assert day.status_code == 200 and appointment.code in day.content.decode()
    response = clerk.post(
        f"/cms/termine/{schedule.pk}/termin/{appointment.pk}/", {"aktion": "erschienen"}
    )
    assert response.status_code == 302
    clerk.post(
        f"/cms/termine/{schedule.pk}/termin/{appointment.pk}/",
        {"aktion": "aufrufen", "schalter": "2"},
    )
    with in_tenant("erkelenz"):
        appointment.refresh_from_db()
    assert appointment.status == Status.CALLED and appointment.called_counter == 2
    board = Client().get(f"/termine/aufruf/{schedule.pk}/", HTTP_HOST=f"erkelenz.{BASE}")
    assert appointment.code in board.content.decode() and "HYPERLINK" not in board.content.decode()
    data = Client().get(f"/termine/aufruf/{schedule.pk}/daten.json", HTTP_HOST=f"erkelenz.{BASE}")
    assert data.json()["called"][0] == {
        "code": appointment.code,
        "counter": 2,
        "time": appointment.called_at.astimezone(BERLIN).strftime("%H:%M"),
    }
    export = clerk.get(f"/cms/termine/{schedule.pk}/export.csv", {"datum": today.isoformat()})
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Beginn", "Ende", "Schalter", "Buchungscode"]
    assert rows[1][3] == appointment.code and rows[1][4] == "'=HYPERLINK(1)"
    # no state change on GET, unknown actions refused, nobody else gets in
    assert clerk.get(f"/cms/termine/{schedule.pk}/termin/{appointment.pk}/").status_code == 405
    editor = _clerk(in_tenant, group="Editors")
    assert editor.get(f"/cms/termine/{schedule.pk}/").status_code in (302, 403)
    assert editor.post(
        f"/cms/termine/{schedule.pk}/termin/{appointment.pk}/", {"aktion": "erledigt"}
    ).status_code in (302, 403)
    with in_tenant("erkelenz"):
        assert Appointment.objects.get(pk=appointment.pk).status == Status.CALLED
    other_tenant = _clerk(in_tenant, slug="gangelt")
    assert other_tenant.get(f"/cms/termine/{schedule.pk}/").status_code == 404


def test_blocking_a_counter_moves_or_cancels_and_tells_the_citizens(
    in_tenant, django_capture_on_commit_callbacks
):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=2)
        day = _workday()
        movable = _row(schedule, 1, _at(day, 9), email="moved@example.org")
        stuck = _row(schedule, 1, _at(day, 10), email="stuck@example.org")
        _row(schedule, 2, _at(day, 10), email="other@example.org")
    clerk = _clerk(in_tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = clerk.post(
            f"/cms/termine/{schedule.pk}/sperren/",
            {
                "counter": "1",
                "day": day.isoformat(),
                "starts": "08:00",
                "ends": "12:00",
                "reason": "Erkrankung",
            },
        )
    assert response.status_code == 302
    with in_tenant("erkelenz"):
        movable.refresh_from_db()
        stuck.refresh_from_db()
        assert Block.objects.filter(schedule=schedule, counter=1).exists()
        assert (movable.status, movable.counter) == (Status.CONFIRMED, 2)
        assert stuck.status == Status.CANCELLED
        # the blocked counter offers nothing; counter 2 still does
        times = selectors.free_times(schedule, 15, day)
        assert _at(day, 9) not in times and _at(day, 9, 15) in times
    told = [m for m in mail.outbox if m.to == ["stuck@example.org"]]
    assert told and "/termine/?leistung=" in told[0].body and "Erkrankung" in told[0].body
    assert not [m for m in mail.outbox if m.to == ["moved@example.org"]]
    bad = clerk.post(
        f"/cms/termine/{schedule.pk}/sperren/",
        {"counter": "", "day": day.isoformat(), "starts": "12:00", "ends": "08:00"},
    )
    assert bad.status_code == 302
    with in_tenant("erkelenz"):
        assert Block.objects.filter(schedule=schedule).count() == 1


def test_changed_hours_list_the_appointments_that_no_longer_fit(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=2)
        day = _workday()
        late = _row(schedule, 2, _at(day, 11, 30))
        _row(schedule, 1, _at(day, 9))
        assert selectors.appointments_outside_hours(schedule) == []
        schedule.hours = [{"weekday": d, "opens": "08:00", "closes": "11:00"} for d in range(5)]
        schedule.save()
        assert selectors.appointments_outside_hours(schedule) == [late]
        schedule.hours = []
        schedule.counters = 1
        schedule.save()
        assert selectors.appointments_outside_hours(schedule) == [late]
    page = _clerk(in_tenant).get(f"/cms/termine/{schedule.pk}/").content.decode()
    assert "passen nicht mehr" in page and late.code in page


# --- pages and bad input --------------------------------------------------------------------


def test_service_and_office_pages_lead_to_the_booking(client, db):
    page = client.get(f"/leistungen/{ID_CARD}/", HTTP_HOST=f"erkelenz.{BASE}").content.decode()
    assert f'href="/termine/?leistung={ID_CARD}"' in page
    start = client.get("/termine/", {"leistung": ID_CARD}, HTTP_HOST=f"erkelenz.{BASE}")
    assert start.status_code == 302 and "/termine/" in start["Location"]
    calendar = client.get(start["Location"], HTTP_HOST=f"erkelenz.{BASE}")
    assert calendar.status_code == 200 and "Bürgerbüro" in calendar.content.decode()
    kreis = client.get("/leistungen/99036008007000/", HTTP_HOST=f"kreis.{BASE}").content.decode()
    assert 'href="/termine/?leistung=99036008007000"' in kreis


@pytest.mark.parametrize(
    "path",
    [
        "/termine/?leistung=abc",
        "/termine/{pk}/?leistung=abc",
        "/termine/{pk}/?leistung=" + ID_CARD + "&monat=2026-13",
        "/termine/{pk}/?leistung=" + ID_CARD + "&monat=1999-01",
        "/termine/{pk}/?leistung=" + ID_CARD + "&tag=gestern",
        "/termine/{pk}/?leistung=99050012104000",
        "/termine/{pk}/buchen/?leistung=" + ID_CARD + "&beginn=morgen",
        "/termine/{pk}/?leistung=" + "&leistung=".join([ID_CARD] * 11),
    ],
)
def test_bad_input_is_a_400_page_never_a_500(in_tenant, path):
    with in_tenant("erkelenz"):
        schedule = _schedule()
    response = Client().get(path.format(pk=schedule.pk), HTTP_HOST=f"erkelenz.{BASE}")
    assert response.status_code == 400


def test_unknown_offices_are_404(client, db):
    assert client.get(f"/termine/{uuid.uuid4()}/", HTTP_HOST=f"erkelenz.{BASE}").status_code == 404
    assert client.get("/termine/x/", HTTP_HOST=f"erkelenz.{BASE}").status_code == 404


# --- API ----------------------------------------------------------------------------------


def test_api_lists_free_slots_and_names_bad_parameters(in_tenant, client):
    with in_tenant("erkelenz"):
        schedule = _schedule(counters=1)
        day = _workday()
        _row(schedule, 1, _at(day, 8), minutes=235)  # only 11:55 is left … too short
    answer = client.get(
        "/api/v1/appointments/slots/",
        {
            "service": ID_CARD,
            "office": str(schedule.pk),
            "from": day.isoformat(),
            "to": day.isoformat(),
        },
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert answer.status_code == 200
    assert answer.json()["offices"][0]["slots"] == []
    answer = client.get(
        "/api/v1/appointments/slots/",
        {
            "service": ID_CARD,
            "office": str(schedule.pk),
            "from": (day + timedelta(days=1)).isoformat(),
            "to": (day + timedelta(days=1)).isoformat(),
        },
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    slots = answer.json()["offices"][0]["slots"]
    if (day + timedelta(days=1)).weekday() < 5 and not selectors.holiday_name(
        day + timedelta(days=1)
    ):
        assert slots[0]["start"].endswith(("T08:00:00+01:00", "T08:00:00+02:00"))
        assert len(slots) == (240 - 15) // 5 + 1
    for params, name in (
        ({"service": "12"}, "service"),
        ({"service": ID_CARD, "from": "morgen"}, "from"),
        ({"service": ID_CARD, "from": "2027-01-10", "to": "2027-01-01"}, "to"),
        ({"service": ID_CARD, "from": "2027-01-01", "to": "2027-06-01"}, "to"),
        ({"service": ID_CARD, "office": "nein"}, "office"),
    ):
        bad = client.get("/api/v1/appointments/slots/", params, HTTP_HOST=f"erkelenz.{BASE}")
        assert bad.status_code == 400 and name in bad.json()["errors"], (params, bad.content)
    gone = client.get(
        "/api/v1/appointments/slots/",
        {"service": ID_CARD, "office": str(uuid.uuid4())},
        HTTP_HOST=f"erkelenz.{BASE}",
    )
    assert gone.status_code == 404
    assert (
        client.get("/api/v1/appointments/slots/", {"service": ID_CARD}, HTTP_HOST=BASE).status_code
        == 404
    )
    schema = client.get("/api/schema/?format=json", HTTP_HOST=f"erkelenz.{BASE}").json()
    assert "/api/v1/appointments/slots/" in schema["paths"]


def test_appointments_of_one_tenant_are_invisible_from_another(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule()
        appointment = _row(schedule, 1, _at(_workday(), 9), name="ISO-APPT-MARKER")
    with in_tenant("gangelt"):
        assert not Appointment.objects.filter(pk=appointment.pk).exists()
        assert not OfficeSchedule.objects.filter(pk=schedule.pk).exists()
    page = Client().get(f"/termine/{schedule.pk}/?leistung={ID_CARD}", HTTP_HOST=f"gangelt.{BASE}")
    assert page.status_code == 404


def test_the_gdpr_export_lists_the_citizens_appointments(in_tenant):
    with in_tenant("erkelenz"):
        schedule = _schedule()
        citizen = do_sign_in_citizen(identity={"pseudonym": "appt-export", "level": "basic"})
        mine = _row(schedule, 1, _at(_workday(), 9), citizen=citizen)
        _row(schedule, 1, _at(_workday(), 10))  # somebody else's
        client = Client(HTTP_HOST=f"erkelenz.{BASE}")
        client.force_login(citizen.user)
    exported = client.get("/konto/export/").json()["appointments"]
    assert [a["code"] for a in exported] == [mine.code]


def _brute_force_starts(cal: Calendar, day: date, minutes: int, earliest: datetime) -> list[int]:
    """Every grid start checked against every busy interval on every counter (the reference)."""
    step, length, limit = cal.slot_minutes * 60, minutes * 60, int(earliest.timestamp())
    busy = [(c, int(s.timestamp()), int(e.timestamp())) for c, s, e in cal.busy]
    found = []
    for opens, closes in day_spans(cal, day):
        for start in range(opens, closes - length + 1, step):
            if start >= limit and any(
                not any(
                    (c is None or c == k) and s < start + length and e > start for c, s, e in busy
                )
                for k in range(1, cal.counters + 1)
            ):
                found.append(start)
    return found


def test_free_starts_agree_with_a_brute_force_search_on_random_days():
    rng = random.Random(16)
    weekly = [{"weekday": d, "opens": "08:00", "closes": "12:30"} for d in range(7)] + [
        {"weekday": d, "opens": "14:00", "closes": "16:10"} for d in range(7)
    ]
    for _ in range(500):
        day = date(2027, 3, 1) + timedelta(days=rng.randrange(60))  # across the DST change
        counters = rng.randint(1, 3)
        busy = []
        for _ in range(rng.randrange(12)):
            starts = _at(day, rng.randrange(7, 17), rng.randrange(0, 60, 5))
            length = timedelta(minutes=rng.choice([5, 10, 15, 20, 35, 90]))
            busy.append((rng.choice([None, *range(1, counters + 1)]), starts, starts + length))
        cal = Calendar(
            counters=counters, slot_minutes=rng.choice([5, 10, 15]), weekly=weekly, busy=busy
        )
        minutes = rng.choice([10, 15, 20, 35])
        earliest = _at(day, rng.randrange(0, 15), rng.randrange(60))
        expected = _brute_force_starts(cal, day, minutes, earliest)
        found = free_starts(cal, day, minutes, earliest=earliest)
        assert [int(s.timestamp()) for s in found] == expected
        first = free_starts(cal, day, minutes, earliest=earliest, first_only=True)
        assert [int(s.timestamp()) for s in first] == expected[:1]
