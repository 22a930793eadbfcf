"""Tenants: the district and its municipalities, each in its own PostgreSQL schema."""
