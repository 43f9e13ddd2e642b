"""Agent settings: keyword arguments to `start()` win over environment variables.

Environment: TIERLINE_SERVER, TIERLINE_AGENT_TOKEN, TIERLINE_SERVICE, TIERLINE_TAGS
("team=checkout,region=eu"), TIERLINE_CPU_BUDGET (share, e.g. 0.02).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from ._redaction import DEFAULT_NAMES


@dataclass
class Config:
    server: str = ""
    token: str = ""
    service: str = "unknown"
    tags: dict = field(default_factory=dict)
    queue_size: int = 10_000
    flush_interval: float = 0.5
    metric_interval: float = 10.0
    status_interval: float = 30.0
    poll_wait: float = 25.0
    cpu_budget: float = 0.02
    redact_names: tuple = DEFAULT_NAMES
    extra_redact_names: tuple = ()
    expect_main: bool = False  # set by the runner: probes on __main__ wait for the script

    @classmethod
    def load(cls, environ=None, **overrides) -> Config:
        environ = os.environ if environ is None else environ
        values = {
            "server": environ.get("TIERLINE_SERVER", ""),
            "token": environ.get("TIERLINE_AGENT_TOKEN", ""),
            "service": environ.get("TIERLINE_SERVICE", "") or "unknown",
            "tags": dict(pair.split("=", 1) for pair in environ.get("TIERLINE_TAGS", "").split(",") if "=" in pair),
        }
        if environ.get("TIERLINE_CPU_BUDGET"):
            values["cpu_budget"] = float(environ["TIERLINE_CPU_BUDGET"])
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown agent settings: {', '.join(sorted(unknown))}")
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)
