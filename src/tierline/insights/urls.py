"""The insights app's desk pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("insights/", views.overview, name="insights-overview"),
    path("insights/response/", views.times, name="insights-times"),
    path("insights/escalations/", views.escalations, name="insights-escalations"),
    path("insights/long-tail/", views.long_tail, name="insights-long-tail"),
    path("insights/hotspots/", views.hotspots, name="insights-hotspots"),
    path("insights/customers/", views.customers, name="insights-customers"),
    path("insights/satisfaction/", views.satisfaction, name="insights-satisfaction"),
    path("insights/export/<slug:table>.csv", views.export, name="insights-export"),
]
