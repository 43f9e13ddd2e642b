"""The notify app's desk pages (under /desk/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("problems/<int:problem_id>/fix-shipped", views.fix_shipped, name="notify-fix-shipped"),
]
