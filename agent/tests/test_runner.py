"""`tierline-agent run -- python app.py` against a stub server: probes in __main__ work."""
import os
import subprocess
import sys

from stub_server import StubServer

SCRIPT = '''\
import time


def handler(order_id):
    total = order_id * 2
    return total


for order in (1, 2, 3):
    handler(order)
print("done", __name__)
'''


def runner_command(script):
    console = os.path.join(os.path.dirname(sys.executable), "tierline-agent")
    if os.path.exists(console):
        return [console, "run", "--", "python", str(script)]
    return [sys.executable, "-m", "tierline_agent._cli", "run", "--", "python", str(script)]


def test_runner_runs_the_script_as_main_with_probes_installed_first(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(SCRIPT)
    probes = [
        {"id": "line", "kind": "log", "location": "app.py:5", "template": "order {order_id}", "rate": None},
        {"id": "fn", "kind": "metric", "location": "__main__:handler", "metric_type": "count"},
    ]
    with StubServer(probes=probes) as stub:
        env = dict(os.environ, TIERLINE_SERVER=stub.url, TIERLINE_AGENT_TOKEN="tok", TIERLINE_SERVICE="demo")
        result = subprocess.run(runner_command(script), env=env, capture_output=True, text=True, timeout=60,
                                cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "done __main__" in result.stdout
    [registration] = stub.bodies("/api/v1/agents/register")
    assert registration["service"] == "demo"
    hits = [h for body in stub.bodies("/api/v1/agents/hits") for h in body["hits"]]
    assert [h["message"] for h in hits if h["kind"] == "log"] == ["order 1", "order 2", "order 3"]
    assert sum(h["count"] for h in hits if h["kind"] == "metric") == 3


def test_runner_without_a_server_just_runs_the_script(tmp_path):
    script = tmp_path / "app.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERLINE_")}
    result = subprocess.run(runner_command(script), env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "done __main__" in result.stdout


def test_runner_runs_a_module_and_keeps_the_exit_code(tmp_path):
    package = tmp_path / "demo_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text("import sys\nprint('module', __name__)\nsys.exit(3)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIERLINE_")}
    command = runner_command("x")[:-3] + ["--", "-m", "demo_pkg"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "module __main__" in result.stdout
