class TenantActionError(Exception):
    """A tenant action was refused. The message is one readable line for CLI, admin and API."""
