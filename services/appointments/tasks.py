"""Celery tasks of appointments: thin, run once per portal schema by beat."""

from kreisportal.celery import app
from services.appointments.actions import do_expire_holds, do_send_reminders


@app.task(name="appointments.expire_holds")
def expire_holds() -> int:
    """Held bookings not confirmed within 30 minutes release their slot."""
    return do_expire_holds()


@app.task(name="appointments.send_reminders")
def send_reminders() -> int:
    """Reminder e-mails for tomorrow's appointments (idempotent: once per appointment)."""
    return do_send_reminders()
