from django.urls import path

from . import views

urlpatterns = [
    path("triage/", views.triage_queue, name="triage-queue"),
    path("issues/<str:key>/priority", views.override_priority, name="triage-override"),
]
