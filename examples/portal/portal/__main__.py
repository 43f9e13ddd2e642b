"""`python -m portal [--host H] [--port P]`: serve the portal, with the Tierline agent attached when
TIERLINE_SERVER is set (and tierline_agent is installed)."""
from __future__ import annotations

import argparse
import contextlib
import logging
import socketserver
import sys
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from . import config
from .app import identify, make_app

log = logging.getLogger("portal")


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # one line per request on the logger, not stderr noise
        log.debug(format, *args)


def build(settings: config.Settings):
    app = make_app(settings)
    try:
        import tierline_agent
    except ImportError:
        return app
    if settings.server:
        # Tags (TIERLINE_TAGS, e.g. "env=demo,customer=tyrell-biotech") come from the environment.
        tierline_agent.start(server=settings.server, token=settings.agent_token, service=settings.service)
    return tierline_agent.WSGIMiddleware(app, identify=identify(settings))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="portal", description="The Acme Portal example service.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="portal: %(message)s")
    settings = config.load()
    server = make_server(args.host, args.port, build(settings), server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    log.info("Acme Portal on http://%s:%s/ (agent %s)", args.host, server.server_port,
             "attached to " + settings.server if settings.server else "not attached")
    sys.stdout.flush()
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
