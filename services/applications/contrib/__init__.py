"""Automated handlers that ship with applications (each registers itself in `handlers`)."""
