from django.urls import path

from . import views

urlpatterns = [
    path("issues/<str:key>/calls", views.log_call, name="calls-log"),
]
