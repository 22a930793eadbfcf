"""News: index and articles, RSS and Atom feeds, and the district's news for municipal pages."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyBlock
from cms.chrome import KeptViewRestrictionsMixin, kept, public_q
from cms.district_news.models import DistrictNewsItem

NEWS_PER_PAGE = 10


class NewsIndexPage(KeptViewRestrictionsMixin, RoutablePageMixin, Page):
    intro = models.TextField(_("Einleitung"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.NewsArticlePage"]
    max_count = 1
    template = "cms/news_index_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Nachrichtenübersicht")

    def articles(self):
        articles = NewsArticlePage.objects.child_of(self).live().filter(public_q())
        return articles.order_by("-date", "-pk")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # the articles change only with publishing, which purges what is kept (cms.chrome)
        articles = kept(request, f"news-articles:{self.pk}", lambda: list(self.articles()))
        context["page_obj"] = Paginator(articles, NEWS_PER_PAGE).get_page(request.GET.get("seite"))
        return context

    @path("feed/rss/", name="rss")
    def rss(self, request):
        return NewsFeed(self)(request)

    @path("feed/atom/", name="atom")
    def atom(self, request):
        return AtomNewsFeed(self)(request)

    @path("")
    def index_route(self, request):
        return self.render(request)


class NewsArticleTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.NewsArticlePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class NewsArticlePage(KeptViewRestrictionsMixin, Page):
    date = models.DateField(_("Datum"), default=timezone.localdate)
    teaser = models.TextField(_("Anreißer"), max_length=400)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Bild"),
    )
    image_alt = models.CharField(_("Alternativtext des Bilds"), max_length=250, blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("Inhalt"))
    tags = ClusterTaggableManager(
        through=NewsArticleTag, blank=True, verbose_name=_("Schlagwörter")
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("teaser"),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("teaser"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    template = "cms/news_article_page.html"

    class Meta:
        app_label = "cms"
        verbose_name = _("Nachricht")

    def clean(self):
        super().clean()

        if self.image_id and not self.image_alt.strip():
            raise ValidationError({"image_alt": _("Bitte einen Alternativtext angeben.")})


class NewsFeed(Feed):
    """RSS 2.0 feed of a tenant's news."""

    def __init__(self, index_page: NewsIndexPage):
        super().__init__()
        self.index_page = index_page

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def title(self):
        return f"{self.index_page.get_site().site_name}: {self.index_page.title}"

    def link(self):
        return self.index_page.get_full_url(self.request)

    def description(self):
        return self.index_page.intro or self.title()

    def items(self):
        return self.index_page.articles()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.teaser

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_pubdate(self, item):
        return timezone.make_aware(
            timezone.datetime.combine(item.date, timezone.datetime.min.time())
        )


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


def district_news(limit: int = 3) -> list:
    """The district's latest news from the public read model (no cross-schema read)."""
    return list(DistrictNewsItem.objects.all()[:limit])
