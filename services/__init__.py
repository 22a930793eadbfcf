"""The service catalogue: shared part (public schema) and local extension (tenant schema)."""
