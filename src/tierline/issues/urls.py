from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="desk-queue"),
    path("issues/<str:key>/", views.issue_detail, name="desk-issue"),
    path("issues/<str:key>/comment", views.add_comment, name="desk-comment"),
    path("issues/<str:key>/update", views.update_issue, name="desk-update"),
]
