"""Page types and settings of a tenant's site; one module per page family (bakerydemo)."""

from cms.accessibility import AccessibilityCheck, BarrierReport
from cms.branding import BrandingSettings
from cms.content import ContentPage
from cms.easy_read import EasyReadPage, SignLanguagePage
from cms.home import HomePage
from cms.legal import LegalPage
from cms.news import NewsArticlePage, NewsArticleTag, NewsIndexPage

__all__ = [
    "AccessibilityCheck",
    "BarrierReport",
    "BrandingSettings",
    "ContentPage",
    "EasyReadPage",
    "HomePage",
    "LegalPage",
    "NewsArticlePage",
    "NewsArticleTag",
    "NewsIndexPage",
    "SignLanguagePage",
]
