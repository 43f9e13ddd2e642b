"""Knowledge base articles written from resolved issues and problems, and the suggestions drawn from them.

An article is `internal` (staff only) or `public` (every customer, of any organization, once
published). Its text lives in `body` as simple Markdown, rendered without raw HTML
(`markdown.py`); its words are indexed for suggestions by `search.py` on every write.
The two counters are anonymous: how often customers opened it from a suggestion while reporting
a problem, and how often it answered them so that they did not report it (deflections).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal (staff only)"
    PUBLIC = "public", "Public (customers)"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL)
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    component = models.ForeignKey("issues.Component", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="articles")
    source_issue = models.ForeignKey("issues.Issue", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="articles")
    source_problem = models.ForeignKey("escalation.Problem", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="articles")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    suggestion_opens = models.PositiveIntegerField(default=0)
    deflections = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["updated_at", "id"], name="article_updated_idx"),
            models.Index(fields=["status", "visibility"], name="article_shown_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.visibility == Visibility.PUBLIC and self.status == ArticleStatus.PUBLISHED
