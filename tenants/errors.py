class TenantActionError(Exception):
    """A tenant action was refused. The message is one readable line for CLI, admin and API.

    `german`, when given, is the same message for the German tenant administration (the CLI and
    its logs stay English).
    """

    def __init__(self, message: str, *, german: str = "") -> None:
        super().__init__(message)
        self.german = german

    @property
    def for_admin(self) -> str:
        return self.german or str(self)
