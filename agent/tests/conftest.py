import os
import sys
import time

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)

from tierline_agent._agent import Agent  # noqa: E402
from tierline_agent._config import Config  # noqa: E402
from tierline_agent._hits import HitEncoder  # noqa: E402
from tierline_agent._installer import Installer  # noqa: E402
from tierline_agent._probes import parse_probe  # noqa: E402
from tierline_agent._redaction import Redactor  # noqa: E402
from tierline_agent._sites import Runtime  # noqa: E402
from tierline_agent._transport import InMemoryTransport  # noqa: E402


def line_of(module, marker):
    """Line number of the `# L:<marker>` comment in a module's source file."""
    with open(module.__file__) as source:
        for number, text in enumerate(source, 1):
            if text.rstrip().endswith(f"# L:{marker}"):
                return number
    raise LookupError(marker)


def rel(module):
    """A path suffix for a module file, the way an engineer would type it."""
    return "/".join(module.__file__.split(os.sep)[-2:])


class Harness:
    """An installer with its runtime, no threads: install probes, run code, read hits."""

    def __init__(self):
        self.runtime = Runtime()
        self.installer = Installer(self.runtime)
        self.encoder = HitEncoder(Redactor())
        self.counter = 0

    def probe(self, **data):
        self.counter += 1
        data.setdefault("id", f"p{self.counter}")
        probe = parse_probe(data)
        self.installer.add(probe)
        return probe

    def status(self, probe_id):
        return self.installer.statuses[probe_id]

    def remove(self, probe_id):
        self.installer.remove(probe_id)

    def hits(self, kind=None):
        found = []
        while self.runtime.queue:
            found.append(self.encoder.encode(self.runtime.queue.popleft()))
        return [h for h in found if kind is None or h["kind"] == kind]


@pytest.fixture
def harness():
    h = Harness()
    yield h
    h.installer.remove_all()


@pytest.fixture
def memory_agent():
    transport = InMemoryTransport()
    agent = Agent(Config.load(environ={}, service="portal", tags={"env": "test"}, flush_interval=0.05,
                              poll_wait=1.0), transport).start()
    yield agent, transport
    agent.stop()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False
