"""The probes app's desk pages: the Investigate panel's forms on the issue page."""

from django.urls import path

from . import views

urlpatterns = [
    path("issues/<str:key>/probes", views.add_probe, name="probes-add"),
    path("issues/<str:key>/probes/<str:probe_id>/extend", views.extend_probe, name="probes-extend"),
    path("issues/<str:key>/probes/<str:probe_id>/remove", views.remove_probe, name="probes-remove"),
]
