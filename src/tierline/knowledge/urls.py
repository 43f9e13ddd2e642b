"""The knowledge app's desk pages (the portal's are in `portal_urls.py`, under /portal/kb/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("kb/", views.article_list, name="knowledge-articles"),
    path("kb/new", views.article_new, name="knowledge-new"),
    path("kb/<int:article_id>/", views.article_edit, name="knowledge-article"),
    path("kb/from-problem", views.article_from_problem, name="knowledge-from-problem"),
    path("issues/<str:key>/article", views.article_from_issue, name="knowledge-from-issue"),
    path("issues/<str:key>/send-article", views.send_article, name="knowledge-send"),
]
