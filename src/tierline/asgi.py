"""ASGI entry point used by `tierline run` (uvicorn) and any ASGI server.

HTTP goes to Django exactly as before; websockets go to Django Channels (tierline.conversations:
the chat widget's socket and the desk's live pages).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierline.settings")
django_application = get_asgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from tierline.conversations.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter({
    "http": django_application,
    "websocket": URLRouter(websocket_urlpatterns),
})
