"""Check API responses against the OpenAPI document the server publishes."""

import re
from functools import lru_cache

import jsonschema


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    from django.test import Client

    return Client().get("/api/v1/openapi.json").json()


@lru_cache(maxsize=256)
def _operation(path: str, method: str) -> tuple[str, dict]:
    paths = openapi_document()["paths"]
    candidates = []
    for template, operations in paths.items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in operations:
            candidates.append((template.count("{"), template, operations[method]))
    if not candidates:
        raise AssertionError(f"{method.upper()} {path} is not in the OpenAPI document")
    _, template, operation = min(candidates)
    return template, operation


def assert_matches_openapi(response, method: str | None = None) -> None:
    """The response's status is documented for its operation and its body fits the schema."""
    request = response.wsgi_request
    method = (method or request.method).lower()
    template, operation = _operation(request.path, method)
    status = str(response.status_code)
    documented = operation["responses"]
    assert status in documented, f"{method.upper()} {template} answered {status}, documented: {sorted(documented)}"
    content = documented[status].get("content", {}).get("application/json")
    if content is None:
        return
    schema = dict(content["schema"])
    schema["components"] = openapi_document().get("components", {})
    jsonschema.Draft202012Validator(schema).validate(response.json())
