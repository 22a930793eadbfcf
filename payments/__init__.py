"""Payment providers, payment records, webhooks and reconciliation."""
