"""The planning app's desk pages."""

from django.urls import path

from . import views

urlpatterns = [
    path("planning/", views.teams, name="planning-teams"),
    path("teams/<int:team_id>/planning/", views.team, name="planning-team"),
    path("teams/<int:team_id>/planning/budget", views.set_budget, name="planning-budget"),
    path("issues/<str:key>/time", views.log_time, name="planning-log-time"),
    path("issues/<str:key>/time/remove", views.remove_time, name="planning-remove-time"),
]
