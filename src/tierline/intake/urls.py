from django.urls import path

from . import views

urlpatterns = [
    path("quarantine/", views.quarantine, name="intake-quarantine"),
    path("quarantine/<int:message_id>/retry", views.retry, name="intake-retry"),
]
