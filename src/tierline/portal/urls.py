from django.urls import path

from . import views

urlpatterns = [
    path("", views.issue_list, name="portal-list"),
    path("new", views.new_issue, name="portal-new"),
    path("issues/<str:key>/", views.issue_detail, name="portal-issue"),
    path("access-log/", views.access_log, name="portal-access-log"),
]
