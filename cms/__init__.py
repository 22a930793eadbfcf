"""Wagtail per tenant: page types, branding, citizen templates."""
