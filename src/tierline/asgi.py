"""ASGI entry point used by `tierline run` (uvicorn) and any ASGI server."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierline.settings")
application = get_asgi_application()
