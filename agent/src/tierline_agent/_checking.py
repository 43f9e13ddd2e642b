"""`check_probe`: a probe definition's problems, as the agent itself would find them.

The Tierline server calls it before it stores a probe, so an engineer learns at once that a
condition reads a dunder or a location has no line number, instead of from an `error` status
later. It parses with the very code that installs probes (`_probes.parse_probe`), so the server
and the agent never disagree about what is valid. Where the probe will run (which lines have
code, which modules exist) is known only in the service: the agent reports that in its status.
"""
from __future__ import annotations

from ._probes import ProbeError, parse_probe


def check_probe(definition: dict) -> dict[str, str]:
    """{field: message} for what is wrong with a wire-format probe definition; {} when it is valid.

    Messages about expressions end with "(line L, column C)" within that field's text."""
    if not isinstance(definition, dict):
        return {"probe": "a probe is a JSON object"}
    try:
        parse_probe({"id": "check", **definition})
    except ProbeError as error:
        return {error.field_name or "probe": str(error)}
    except (TypeError, ValueError) as error:  # a capture limit or rate that is not a number
        return {"probe": f"invalid value: {error}"}
    return {}
