"""Tierline live-debugging agent: log lines, snapshots, metrics and log levels in a running service.

    import tierline_agent
    tierline_agent.start(server="https://tierline.example", token="...", service="portal")
    with tierline_agent.context(user="u-42", organization="acme"):
        handle(request)
    tierline_agent.check_probe({"kind": "log", "location": "app.py:3", "template": "{x}"})  # {} = valid

Everything else is private; the data flow is in README.md next to this file.
"""
from ._agent import current, start, stop
from ._checking import check_probe
from ._context import context, current_context
from ._middleware import ASGIMiddleware, DjangoMiddleware, WSGIMiddleware, init_flask

__all__ = [
    "start", "stop", "current", "context", "current_context",
    "WSGIMiddleware", "ASGIMiddleware", "DjangoMiddleware", "init_flask", "check_probe",
]
