"""`tierline run` with TIERLINE_DEMO_PORTAL=1 (`make run`): the example portal as a child process
on TIERLINE_DEMO_PORTAL_PORT, its agent attached to this server with the demo agent token."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

EXAMPLE_DIR = Path(__file__).resolve().parents[3] / "examples" / "portal"
# The deployment the affected customer uses: its agent's runtime report and these tags become
# Tyrell Biotech's known environment, which pre-fills their issues' questionnaire.
DEPLOYMENT_TAGS = "env=demo,customer=tyrell-biotech,deployment=Kubernetes,cloud=AWS eu-west-1,version=portal 2.14.0"
USERS = "dana, lena, ines (sign in fine), priya and tom (Tyrell Biotech, huge profiles)"


def start_demo_portal(server_url: str) -> subprocess.Popen | None:
    if not (EXAMPLE_DIR / "portal" / "app.py").exists():
        print(f"Demo portal not started: {EXAMPLE_DIR} is missing (run from a source checkout).", flush=True)
        return None
    paths = [str(EXAMPLE_DIR), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "TIERLINE_SERVER": server_url,
           "TIERLINE_SERVICE": "portal", "PORTAL_AGENT_TOKEN_FILE": str(settings.DEMO_AGENT_TOKEN_FILE),
           "TIERLINE_TAGS": DEPLOYMENT_TAGS}
    env.pop("TIERLINE_AGENT_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "portal", "--port", str(settings.DEMO_PORTAL_PORT)], env=env)
    print(f"Demo portal (the live-debugging story, agent attached): http://127.0.0.1:{settings.DEMO_PORTAL_PORT}/",
          flush=True)
    print(f"  users: {USERS}; password: portal", flush=True)
    return process


def stop_demo_portal(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
