"""A tiny cookie-keeping client for the portal example: in-process (WSGI) or over HTTP."""
from __future__ import annotations

import http.client
import io
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit
from wsgiref.util import setup_testing_defaults


class PortalClient:
    def __init__(self, app=None, base_url: str = ""):
        self.app, self.base_url, self.cookies = app, base_url, {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        body = urlencode(form).encode() if form else b""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        if form:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, response_headers, text = (self._wsgi if self.app else self._http)(method, path, body, headers)
        for name, value in response_headers:
            if name.lower() == "set-cookie":
                for key, morsel in SimpleCookie(value).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(key, None)
                    else:
                        self.cookies[key] = morsel.value
        return status, dict(response_headers), text

    def _wsgi(self, method, path, body, headers):
        path, _, query = path.partition("?")
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
        environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
        if "HTTP_CONTENT_TYPE" in environ:
            environ["CONTENT_TYPE"] = environ.pop("HTTP_CONTENT_TYPE")
        setup_testing_defaults(environ)
        seen = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"], seen["headers"] = int(status.split()[0]), response_headers

        result = self.app(environ, start_response)
        try:
            text = b"".join(result).decode()
        finally:
            if hasattr(result, "close"):
                result.close()
        return seen["status"], seen["headers"], text

    def _http(self, method, path, body, headers):
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read().decode()
        finally:
            connection.close()

    def sign_in(self, username: str, password: str = "portal", max_redirects: int = 10) -> tuple[int, list[str], str]:
        """Post the sign-in form and follow redirects; the final status, the paths visited, the page."""
        status, headers, text = self.request("POST", "/sso/login", {"username": username, "password": password})
        visited = ["/sso/login"]
        while status in (301, 302, 303) and len(visited) <= max_redirects:
            location = headers["Location"]
            visited.append(location.split("?")[0])
            status, headers, text = self.request("GET", location)
        return status, visited, text
