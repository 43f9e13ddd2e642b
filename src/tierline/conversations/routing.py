"""Websocket URLs, mounted by tierline/asgi.py.

The widget's socket opens from the company's product (another origin) and trusts no cookie;
the desk's uses the session login, so only Tierline's own pages (allowed hosts) may open it.
"""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from .consumers import ChatConsumer, DeskConsumer

websocket_urlpatterns = [
    path("ws/chat/", ChatConsumer.as_asgi()),
    path("ws/desk/", AllowedHostsOriginValidator(AuthMiddlewareStack(DeskConsumer.as_asgi()))),
]
