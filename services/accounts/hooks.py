"""Hooks of the citizen's account: apps that hold records about a citizen add them to what the
citizen is shown about their data, without the account importing those apps."""

from __future__ import annotations

from kreisportal.hooks import Hook

# receivers(citizen, export: dict): add a section to the GDPR Art. 15 export
personal_data_export = Hook("personal_data_export")
# receivers(citizen, counts: list[tuple[int, str, str]]): add (number, singular, plural) of the
# records the authority must keep (they stop the account from being deleted)
kept_records_count = Hook("kept_records_count")
