"""The portal's WSGI application.

    GET  /                 home page with a portal session, else to the identity provider
    GET  /sso/authorize    the identity provider: signed in there, issue a token to the callback
    GET/POST /sso/login    the identity provider's sign-in form
    GET  /sso/callback     validate the token and open the portal session, else back to /sso/authorize
    GET  /signout          drop both sessions
    GET  /healthz          "ok"
"""
from __future__ import annotations

import html
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode

from . import auth
from .config import Settings

IDP_COOKIE, PORTAL_COOKIE = "idp_session", "portal_session"
_PAGE = ("<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
         "<body><h1>{title}</h1>{body}</body></html>")


def _cookies(environ) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(environ.get("HTTP_COOKIE", ""))
    except Exception:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def current_user(settings: Settings, environ):
    """Who the request is for: the portal session's user, else the identity provider's."""
    cookies = _cookies(environ)
    return (auth.read_cookie(settings, "portal", cookies.get(PORTAL_COOKIE, ""))
            or auth.read_cookie(settings, "idp", cookies.get(IDP_COOKIE, "")))


def identify(settings: Settings):
    """The agent's `identify`: user and organization slug, so probes can be scoped to one customer."""
    def _identify(environ):
        user = current_user(settings, environ)
        return (user.username, user.organization) if user else (None, None)
    return _identify


def _set_cookie(name: str, value: str, max_age: int) -> tuple[str, str]:
    return ("Set-Cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}")


def _page(start_response, status: str, title: str, body: str, headers=()):
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), *headers])
    return [_PAGE.format(title=html.escape(title), body=body).encode()]


def _redirect(start_response, location: str, headers=()):
    start_response("302 Found", [("Location", location), ("Content-Length", "0"), *headers])
    return [b""]


def _login_form(error: str = "") -> str:
    message = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    return (f'{message}<form method="post" action="/sso/login">'
            '<label for="username">Username</label> <input id="username" name="username" autocomplete="username">'
            '<label for="password">Password</label> <input id="password" name="password" type="password">'
            '<button type="submit">Sign in</button></form>')


def make_app(settings: Settings):
    def app(environ, start_response):
        method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "/")
        cookies = _cookies(environ)
        if path == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        if path == "/":
            user = auth.read_cookie(settings, "portal", cookies.get(PORTAL_COOKIE, ""))
            if user is None:
                return _redirect(start_response, "/sso/authorize")
            return _page(start_response, "200 OK", "Acme Portal",
                         f"<p>Signed in as {html.escape(user.name)} ({html.escape(user.organization)}).</p>"
                         '<p><a href="/signout">Sign out</a></p>')
        if path == "/sso/authorize":
            user = auth.read_cookie(settings, "idp", cookies.get(IDP_COOKIE, ""))
            if user is None:
                return _redirect(start_response, "/sso/login")
            token = auth.issue_identity_token(settings, user)
            return _redirect(start_response, "/sso/callback?" + urlencode({"id_token": token}))
        if path == "/sso/login" and method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            form = parse_qs(environ["wsgi.input"].read(min(size, 65536)).decode("utf-8", "replace"))
            username, password = form.get("username", [""])[0], form.get("password", [""])[0]
            user = auth.find_user(username)
            if user is None or password != settings.password:
                return _page(start_response, "401 Unauthorized", "Sign in", _login_form("Wrong username or password."))
            cookie = _set_cookie(IDP_COOKIE, auth.make_cookie(settings, "idp", user.username), auth.SESSION_SECONDS)
            return _redirect(start_response, "/sso/authorize", [cookie])
        if path == "/sso/login":
            return _page(start_response, "200 OK", "Sign in", _login_form())
        if path == "/sso/callback":
            token = parse_qs(environ.get("QUERY_STRING", "")).get("id_token", [""])[0]
            user = auth.validate_identity_token(settings, token)
            if user is None:
                return _redirect(start_response, "/sso/authorize")
            cookie = _set_cookie(PORTAL_COOKIE, auth.make_cookie(settings, "portal", user.username),
                                 auth.SESSION_SECONDS)
            return _redirect(start_response, "/", [cookie])
        if path == "/signout":
            return _redirect(start_response, "/", [_set_cookie(IDP_COOKIE, "", 0), _set_cookie(PORTAL_COOKIE, "", 0)])
        return _page(start_response, "404 Not Found", "Not found", "")
    return app
