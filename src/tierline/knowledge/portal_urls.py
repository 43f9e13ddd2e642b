"""The portal's knowledge base pages, included under /portal/kb/."""

from django.urls import path

from . import portal_views

urlpatterns = [
    path("", portal_views.portal_articles, name="portal-kb"),
    path("<int:article_id>/", portal_views.portal_article, name="portal-kb-article"),
    path("<int:article_id>/helpful", portal_views.portal_article_helpful, name="portal-kb-helpful"),
]
