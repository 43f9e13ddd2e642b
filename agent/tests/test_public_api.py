"""The public surface stays small; everything else is private."""
import os
import pkgutil

import tierline_agent


def test_all_is_exactly_the_public_api():
    assert sorted(tierline_agent.__all__) == sorted([
        "start", "stop", "current", "context", "current_context",
        "WSGIMiddleware", "ASGIMiddleware", "DjangoMiddleware", "init_flask", "check_probe",
    ])
    for name in tierline_agent.__all__:
        assert getattr(tierline_agent, name) is not None


def test_every_module_is_private():
    modules = [m.name for m in pkgutil.iter_modules(tierline_agent.__path__)]
    assert modules and all(name.startswith("_") for name in modules)


def test_package_readme_documents_the_data_flow_and_protocol():
    with open(os.path.join(os.path.dirname(tierline_agent.__file__), "README.md")) as readme:
        text = readme.read()
    for needle in ("Data flow", "POST /api/v1/agents/register", "GET /api/v1/agents/probes",
                   "POST /api/v1/agents/status", "POST /api/v1/agents/hits"):
        assert needle in text


def test_start_stop_and_context_from_the_public_api():
    from tierline_agent._transport import InMemoryTransport
    agent = tierline_agent.start(service="portal", transport=InMemoryTransport(), poll_wait=0.2)
    try:
        assert tierline_agent.start() is agent and tierline_agent.current() is agent
        with tierline_agent.context(user="u1", organization="acme") as ctx:
            assert tierline_agent.current_context() is ctx
            assert ctx.as_dict() == {"user": "u1", "organization": "acme"}
        assert tierline_agent.current_context().user is None
    finally:
        tierline_agent.stop()
    assert tierline_agent.current() is None


def test_start_reads_the_environment(monkeypatch):
    from tierline_agent._config import Config
    config = Config.load(environ={"TIERLINE_SERVER": "http://127.0.0.1:9", "TIERLINE_AGENT_TOKEN": "tok",
                                  "TIERLINE_SERVICE": "portal", "TIERLINE_TAGS": "team=core,region=eu"})
    assert (config.server, config.token, config.service) == ("http://127.0.0.1:9", "tok", "portal")
    assert config.tags == {"team": "core", "region": "eu"}
    assert Config.load(environ={"TIERLINE_SERVICE": "env"}, service="kw").service == "kw"


def test_check_probe_names_the_field_and_the_position():
    assert tierline_agent.check_probe({"kind": "log", "location": "shop/views.py:42", "template": "n={len(x)}"}) == {}
    problems = tierline_agent.check_probe({"kind": "log", "location": "shop/views.py:42", "template": "x",
                                           "condition": "user.__class__"})
    assert list(problems) == ["condition"] and "(line 1, column" in problems["condition"]
    assert "location" in tierline_agent.check_probe({"kind": "snapshot", "location": "views.py"})
    assert "value" in tierline_agent.check_probe({"kind": "metric", "location": "a.py:1", "metric_type": "gauge"})
    assert "kind" in tierline_agent.check_probe({"kind": "trace"})
    assert tierline_agent.check_probe({"kind": "snapshot", "location": "a.py:1", "capture": {"max_depth": "x"}})
