"""Page types. One module per page family; the home page is the first."""

from cms.home import HomePage

__all__ = ["HomePage"]
