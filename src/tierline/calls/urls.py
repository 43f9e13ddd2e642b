from django.urls import path

from . import views

urlpatterns = [
    path("calls/new", views.new_call, name="calls-new"),
    path("issues/<str:key>/calls", views.log_call, name="calls-log"),
]
