"""Page types and settings of a tenant's site; one module per page family (bakerydemo)."""

from cms.branding import BrandingSettings
from cms.content import ContentPage
from cms.home import HomePage
from cms.legal import LegalPage
from cms.news import NewsArticlePage, NewsArticleTag, NewsIndexPage

__all__ = [
    "BrandingSettings",
    "ContentPage",
    "HomePage",
    "LegalPage",
    "NewsArticlePage",
    "NewsArticleTag",
    "NewsIndexPage",
]
