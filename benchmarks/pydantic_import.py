"""What pydantic costs a fresh process before any briefing is read, and where that CPU goes.

    .venv/bin/python benchmarks/pydantic_import.py --repeat 11

Each round runs a fresh process for each of these, in an order that rotates from round to
round (interleaved, so that a change in the machine's load falls on every row alike):

- ``python -c pass``: the interpreter alone;
- ``import pydantic``: the package, no model;
- ``one model``: ``from pydantic import BaseModel``, a model of one field defined and one
  object validated (``engine.ONE_MODEL``, the floor ``engine.py startup`` measures): what
  any command that validates anything pays;
- ``one model, no plug-ins``: the same with ``PYDANTIC_DISABLE_PLUGINS=__all__``, pydantic's
  switch that skips looking for plug-ins (below);
- ``one model, no plug-in loader``: the same with plug-ins switched off and the plug-in
  loader's module never executed (a stand-in that finds no plug-in is put in its place): what
  the switch would save if the loader imported ``importlib.metadata`` only once it is on,
  the change proposed upstream;
- ``one model, in parts``: the same, each step timed inside the process (below);
- ``briefkit's models``: ``import briefkit.config`` and ``briefkit.model``: the settings'
  and the briefing's models, built;
- ``briefkit validate``: the command, on the samples (``source/``, from the project's root).

The parts, CPU seconds of the process, in the order a process meets them: importing
``pydantic_core`` (its ``core_schema`` module with it), ``pydantic`` itself (which imports
``pydantic_core`` first, to check its version), ``BaseModel`` and the modules it needs,
``importlib.metadata`` (imported by the plug-in loader, ``pydantic/plugin/_loader.py``), the
first model's plug-in lookup (``get_plugins``: every installed distribution's entry points
read, once a process), and the model itself (its schema built, the validator made, one
object checked).  Medians of ``--repeat`` rounds, each part's median taken alone.

Nothing installed is modified.
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

from engine import ENV, ONE_MODEL, stamp, timed
from export_scale import ROOT

#: Without the switch unless a row sets it, whatever the shell says.
PLAIN = {k: v for k, v in ENV.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
SWITCHED_OFF = {**PLAIN, "PYDANTIC_DISABLE_PLUGINS": "__all__"}

#: The child that times the steps of ``ONE_MODEL`` inside its process (its import of
#: ``BaseModel``, done by then, costs nothing again).
PARTS = """
import json, sys, time
parts = {}
def step(label, start):
    parts[label] = time.process_time() - start
    return time.process_time()
at = time.process_time()
import pydantic_core
at = step("pydantic_core (core_schema with it)", at)
import pydantic
at = step("pydantic (its own start)", at)
from pydantic import BaseModel
at = step("BaseModel and the modules it needs", at)
import pydantic.plugin._loader as loader
at = step("importlib.metadata (the plug-in loader's import)", at)
loader.get_plugins()
at = step("plug-in lookup (every distribution's entry points)", at)
""" + ONE_MODEL + """
at = step("the model: schema, validator, one object", at)
print(json.dumps(parts))
"""

#: A plug-in loader that imports nothing and finds nothing, in the installed one's place.
NO_LOADER = """
import sys, types
loader = types.ModuleType("pydantic.plugin._loader")
loader.get_plugins = lambda: ()
sys.modules[loader.__name__] = loader
""" + ONE_MODEL

ROWS: dict[str, tuple[list[str], dict[str, str]]] = {
    "python -c pass": ([sys.executable, "-c", "pass"], PLAIN),
    "import pydantic": ([sys.executable, "-c", "import pydantic"], PLAIN),
    "one model": ([sys.executable, "-c", ONE_MODEL], PLAIN),
    "one model, no plug-ins": ([sys.executable, "-c", ONE_MODEL], SWITCHED_OFF),
    "one model, no plug-in loader": ([sys.executable, "-c", NO_LOADER], SWITCHED_OFF),
    "one model, in parts": ([sys.executable, "-c", PARTS], PLAIN),
    "briefkit's models": ([sys.executable, "-c", "import briefkit.config, briefkit.model"],
                          PLAIN),
    "briefkit validate": ([sys.executable, "-m", "briefkit", "validate"], PLAIN),
}


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    names = list(ROWS)
    for argv, env in ROWS.values():  # once, unmeasured: bytecode written, files cached
        timed(argv, ROOT, env=env)
    stamp("start")
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_ in range(args.repeat):
        turn = names[round_ % len(names):] + names[:round_ % len(names)]
        for name in turn:
            argv, env = ROWS[name]
            rows[name].append(timed(argv, ROOT, env=env))
    stamp("end")

    versions = timed([sys.executable, "-c", "import importlib.metadata as m, pydantic, "
                    "pydantic_core, sys; print(pydantic.VERSION, pydantic_core.__version__, "
                    "sys.version.split()[0], len({d.metadata['Name'] for d in "
                    "m.distributions()}))"], ROOT, env=PLAIN)["out"].split()
    print(f"\npydantic {versions[0]}, pydantic-core {versions[1]}, CPython {versions[2]}, "
          f"{versions[3]} distributions installed; a fresh process each; medians of "
          f"{args.repeat} rounds, interleaved\n")
    print("| run | CPU (s) | wall (s) |\n|---|---:|---:|")
    for name in names:
        cpu = statistics.median(r["cpu"] for r in rows[name])
        wall = statistics.median(r["wall"] for r in rows[name])
        print(f"| {name} | {cpu:.3f} | {wall:.3f} |")
    parts = [json.loads(r["out"]) for r in rows["one model, in parts"]]
    print("\n`one model, in parts`, CPU of the process (s), in the order it meets them:\n")
    print("| part | CPU (s) |\n|---|---:|")
    for label in parts[0]:
        print(f"| {label} | {statistics.median(p[label] for p in parts):.4f} |")
    print(f"| the parts together | {statistics.median(sum(p.values()) for p in parts):.4f} |")


if __name__ == "__main__":
    main()
