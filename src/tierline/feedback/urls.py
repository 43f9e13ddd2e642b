"""The feedback app's desk pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("requests/", views.request_list, name="feedback-requests"),
    path("requests/export.csv", views.request_export, name="feedback-requests-export"),
    path("requests/<int:request_id>/", views.request_detail, name="feedback-request"),
    path("requests/<int:request_id>/edit", views.request_edit, name="feedback-request-edit"),
    path("requests/<int:request_id>/merge", views.request_merge, name="feedback-request-merge"),
    path("requests/<int:request_id>/tell", views.request_tell, name="feedback-request-tell"),
    path("issues/<str:key>/feature-request", views.mark_issue, name="feedback-mark"),
]
