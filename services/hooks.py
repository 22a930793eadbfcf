"""Hooks of the catalogue: higher apps learn that the shared catalogue changed without the
importers knowing them."""

from __future__ import annotations

from kreisportal.hooks import Hook

# receivers(): the shared catalogue (public schema) was imported and something changed; sent
# after the import commits
catalogue_changed = Hook("catalogue_changed")
