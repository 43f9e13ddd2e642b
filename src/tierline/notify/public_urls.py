"""Pages outside the desk and the portal: the satisfaction survey's rating page (signed link, no login)."""

from django.urls import path

from . import views

urlpatterns = [
    path("rate/<str:token>", views.rate, name="notify-rate"),
]
