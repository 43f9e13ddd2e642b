"""`tierline-agent run -- python app.py [args]`: start the agent, then run the script as `__main__`.

Settings come from the environment (TIERLINE_SERVER, TIERLINE_AGENT_TOKEN, TIERLINE_SERVICE).
The runner waits briefly for the first probe set so probes on the script itself are in place
before its first line runs; the script is compiled here and its code patched before execution.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.machinery
import os
import runpy
import sys
import types


def _run_script(agent, path: str, argv: list[str]) -> None:
    path = os.path.abspath(path)
    with open(path, "rb") as source_file:
        source = source_file.read()
    code = compile(source, path, "exec", dont_inherit=True)
    if agent is not None:
        code = agent.installer.prepare_main(code, path)
    module = types.ModuleType("__main__")
    module.__file__ = path
    module.__builtins__ = __builtins__
    module.__spec__ = None
    module.__package__ = None
    module.__loader__ = importlib.machinery.SourceFileLoader("__main__", path)
    sys.modules["__main__"] = module
    sys.argv = [path, *argv]
    sys.path.insert(0, os.path.dirname(path))
    exec(code, module.__dict__)  # noqa: S102 - this is the runner


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tierline-agent")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run a Python program with the agent started")
    run.add_argument("program", nargs=argparse.REMAINDER, help="-- python app.py [args] | -- app.py | -- -m module")
    args = parser.parse_args(argv)
    program = [p for p in args.program if p != "--"] if args.program[:1] == ["--"] else list(args.program)
    if program and os.path.basename(program[0]).startswith("python"):
        program = program[1:]
    if not program:
        parser.error("nothing to run: tierline-agent run -- python app.py")
    import tierline_agent
    agent = None
    if os.environ.get("TIERLINE_SERVER"):
        agent = tierline_agent.start(expect_main=program[0] != "-m")
        agent.first_sync.wait(float(os.environ.get("TIERLINE_FIRST_SYNC_WAIT", "2")))
    try:
        if program[0] == "-m" and len(program) > 1:
            sys.argv = [program[1], *program[2:]]
            sys.path.insert(0, os.getcwd())  # as `python -m` does
            runpy.run_module(program[1], run_name="__main__", alter_sys=True)
        else:
            _run_script(agent, program[0], program[1:])
    finally:
        if agent is not None:
            with contextlib.suppress(Exception):  # the server may be away; the program's result stands
                agent.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
