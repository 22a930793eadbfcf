"""The district's published news as a read model in the public schema."""

from __future__ import annotations

from django.db import models


class DistrictNewsItem(models.Model):
    """Public read model of the district's published news ("Aus dem Kreis" on municipal home
    pages): written when the district publishes, so no request reads another tenant's schema."""

    page_id = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=255)
    teaser = models.TextField(blank=True)
    date = models.DateField()
    path = models.CharField(max_length=500, help_text="path of the article on the district's host")

    class Meta:
        ordering = ["-date", "-page_id"]

    def __str__(self) -> str:
        return self.title
