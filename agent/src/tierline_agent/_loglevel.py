"""Log level probes: DEBUG records of one logger (or all) for a while, optionally for one customer.

Installing lowers the level of the target logger and its existing descendants to DEBUG and adds
a filter to each. Records at or above the level the app had configured pass through untouched;
records below it exist only because of the probe: the filter ships them (when the request
context matches the condition and within the rate) and drops them, so the application's own
handlers never see extra output. Messages are formatted with the arguments rendered safely
(`safe_message`), never through their `__str__`. Uninstalling restores each logger's level and removes the filter.
"""
from __future__ import annotations

import logging
from threading import get_ident

from ._context import get_context
from ._guards import EvaluationError, g_truth
from ._hits import render
from ._limits import RateLimiter
from ._probes import Probe

_PLAIN = frozenset({type(None), bool, int, float, str, bytes})


def _plain(value):
    """A log argument as a builtin value; application objects become their safe rendering."""
    return value if type(value) in _PLAIN else render(value)


def safe_message(record: logging.LogRecord) -> str:
    """`record.getMessage()` without calling `__str__`/`__repr__` of application objects."""
    message = record.msg if type(record.msg) is str else _plain(record.msg)
    args = record.args
    if not args:
        return str(message)
    args = {k: _plain(v) for k, v in args.items()} if type(args) is dict else tuple(_plain(a) for a in args)
    try:
        return message % args
    except Exception:  # a format that does not fit the rendered arguments
        return f"{message} {args!r}"


class LogLevelRunner:
    def __init__(self, probe: Probe, runtime):
        self.probe, self.runtime = probe, runtime
        self.limiter = RateLimiter(probe.rate) if probe.rate else None
        self.hits = self.rate_limited = 0
        self.is_enabled = True
        self._saved: dict[str, tuple[logging.Logger, int, int]] = {}  # name -> (logger, level, threshold)

    def _targets(self) -> list[logging.Logger]:
        name = self.probe.logger
        root = logging.getLogger(name or None)
        found = [root]
        for other_name, other in list(logging.Logger.manager.loggerDict.items()):
            if isinstance(other, logging.Logger) and (not name or other_name.startswith(name + ".")):
                found.append(other)
        return found

    def install(self) -> None:
        for logger in self._targets():
            threshold = logger.getEffectiveLevel()
            self._saved[logger.name] = (logger, logger.level, threshold)
        for logger, _level, threshold in self._saved.values():
            if threshold > logging.DEBUG:
                logger.setLevel(logging.DEBUG)
            logger.addFilter(self)

    def uninstall(self) -> None:
        for logger, level, _threshold in self._saved.values():
            logger.removeFilter(self)
            logger.setLevel(level)
        self._saved.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        saved = self._saved.get(record.name)
        if saved is None or record.levelno >= saved[2]:
            return True
        try:
            if self.is_enabled:
                self._ship(record)
        except Exception as error:
            self.is_enabled = False
            self.runtime.on_error(self.probe.id, f"{type(error).__name__}: {error}")
        return False

    def _ship(self, record: logging.LogRecord) -> None:
        condition = self.probe.condition
        if condition is not None:
            try:
                if not g_truth(condition.evaluate({}, {})):
                    return
            except EvaluationError as error:
                self.is_enabled = False
                self.runtime.on_error(self.probe.id, f"condition failed: {error}")
                return
        if self.limiter is not None and not self.limiter.allow():
            self.rate_limited += 1
            return
        self.hits += 1
        message = safe_message(record)
        shipped = {"logger": record.name, "level": record.levelname, "message": message,
                   "file": record.pathname, "line": record.lineno, "function": record.funcName}
        self.runtime.enqueue(("log_record", self.probe, record.created, shipped, get_context(),
                              get_ident()))
