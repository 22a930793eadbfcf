"""Periodic work of the single sign-on broker (beat sends it once, to the public schema)."""

from dataclasses import asdict

from kreisportal.celery import app
from kreisportal.identity.actions import do_purge_expired_broker_records


@app.task(name="identity.purge_broker_records")
def purge_broker_records() -> dict:
    """Delete expired login codes, assertion ids, broker sessions and their logout links."""
    return asdict(do_purge_expired_broker_records())
