"""The availability app's desk pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("availability/", views.overview, name="availability-overview"),
    path("availability/export.csv", views.export, name="availability-export"),
    path("issues/<str:key>/outages", views.record_outage, name="availability-record-outage"),
]
