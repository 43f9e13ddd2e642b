"""ASGI entry point used by `tierline run` (uvicorn) and any ASGI server.

HTTP goes to Django (but the agents' long poll, /api/v1/agents/probes, to tierline.probes.longpoll);
websockets go to Django Channels (tierline.conversations: the chat widget's socket and the desk's
live pages).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierline.settings")
django_application = get_asgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from tierline.conversations.routing import websocket_urlpatterns  # noqa: E402
from tierline.probes.longpoll import FAST_PATHS, asgi_agents  # noqa: E402


async def http_application(scope, receive, send):
    # Agents' held long polls and status reports skip Django's handler, which gives each request
    # a thread for its whole life (tierline.probes.longpoll); everything else is Django's.
    if scope["path"] in FAST_PATHS:
        return await asgi_agents(scope, receive, send)
    return await django_application(scope, receive, send)


application = ProtocolTypeRouter({
    "http": http_application,
    "websocket": URLRouter(websocket_urlpatterns),
})
