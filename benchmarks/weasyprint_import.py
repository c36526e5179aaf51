"""What ``import weasyprint`` costs a fresh process, and where that CPU goes: looking its C
libraries up by name, parsing their C declarations, and the rest.

    .venv/bin/python benchmarks/weasyprint_import.py --repeat 9 [--strace]

Each round runs a fresh process for each of these, in an order that rotates from round to
round (interleaved, so that a change in the machine's load falls on every column alike):

- ``python -c pass``: the interpreter alone;
- ``plain import``: ``python -c 'import weasyprint'``, nothing measured inside;
- ``clock only``: this script's child, the import timed inside the process, no hooks;
- ``as installed``: the same import broken into parts (below);
- ``no gcc, cc, ld``: the same with ``PATH`` an empty folder: ``ctypes.util.find_library``
  then runs ``/sbin/ldconfig -p`` alone, not ``gcc -Wl,-t`` (and the ``collect2`` and
  ``ld`` it starts) nor ``ld -t``;
- ``find_library None``: ``ctypes.util.find_library`` replaced, in the child, by a
  function that finds nothing: cffi then loads each library by the name WeasyPrint gives
  with its full soname (``libgobject-2.0.so.0``, which cffi passes to ``dlopen`` as it
  is), with no subprocess.  What the lookup costs, measured by its absence;
- ``soname first``: WeasyPrint's ``text/ffi.py`` with each ``_dlopen`` call's
  ``lib….so.N`` name moved first, the order proposed upstream: the installed source
  rewritten into a temporary folder, which the child imports in its place (from bytecode,
  as the installed one: a module executed from code compiled in the process made the
  imports under it some 8 ms slower).

The parts are CPU seconds (user + system) of the process and of the subprocesses it
waited for, each net of the parts nested in it: ``find_library`` (called by cffi's
``FFI.dlopen`` for a name it could not open directly), the rest of ``FFI.dlopen`` (the
loading itself), ``FFI.cdef`` (pycparser parsing the declarations), and the execution of
the modules imported, by package; ``weasyprint/html.py``'s own execution is its three
user-agent stylesheets parsed at import.  Medians of ``--repeat`` rounds; a part's median
is taken alone, so the parts' medians need not add up to the total's.

``--strace`` also counts, once a variant, the programs the import executes
(``strace -f -e trace=execve``).  Nothing installed is modified.
"""

from __future__ import annotations

import ast
import gc
import importlib.util
import json
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

#: What the commands measured run with: bytecode written, as an installed WeasyPrint.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
SCRIPT = Path(__file__).resolve()

#: The groups the modules' own execution is shared out to, by top-level package.
GROUPS = {
    "fontTools": "fontTools", "PIL": "Pillow", "tinyhtml5": "tinyhtml5", "pydyf": "pydyf",
    "pyphen": "Pyphen", "tinycss2": "tinycss2, cssselect2", "cssselect2": "tinycss2, cssselect2",
    "webencodings": "tinycss2, cssselect2", "cffi": "cffi, pycparser (imports)",
    "_cffi_backend": "cffi, pycparser (imports)", "pycparser": "cffi, pycparser (imports)",
    "weasyprint": "weasyprint's other modules",
}
UA = "weasyprint/html.py (UA stylesheets)"
OTHER = "other modules (stdlib, …)"
#: The rows of the table, in order: the parts the brief names first, then the rest's detail.
PARTS = ["find_library", "dlopen (loading)", "cdef"]
DETAIL = [UA, "fontTools", "Pillow", "tinycss2, cssselect2", "tinyhtml5", "pydyf", "Pyphen",
          "cffi, pycparser (imports)", "weasyprint's other modules", OTHER]


# -- the child: one import of weasyprint, timed inside its process --------------------------

def cpu() -> float:
    """CPU seconds of this process and of every subprocess it waited for."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Ledger:
    """CPU seconds by part, each part net of the parts run inside it."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.libraries: dict[str, dict[str, float]] = {}
        self._inner: list[float] = []

    @contextmanager
    def part(self, label: str) -> Iterator[None]:
        start = cpu()
        self._inner.append(0.0)
        try:
            yield
        finally:
            total = cpu() - start
            self.spent[label] = self.spent.get(label, 0.0) + total - self._inner.pop()
            if self._inner:
                self._inner[-1] += total

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


LEDGER = Ledger()


def ffi_source() -> Path:
    """The installed WeasyPrint's ``text/ffi.py``, found without importing weasyprint."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("weasyprint is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "text" / "ffi.py"


def dlopen_calls(tree: ast.Module) -> Iterator[tuple[str, ast.Call]]:
    """Each ``library = _dlopen(ffi, 'name', …)`` of ffi.py: the library and the call."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "_dlopen"
                and isinstance(node.targets[0], ast.Name)):
            yield node.targets[0].id, node.value


def library_names(tree: ast.Module) -> dict[str, str]:
    """Which library each name ffi.py tries stands for (``'gobject-2.0-0'``: gobject)."""
    return {arg.value: library for library, call in dlopen_calls(tree) for arg in call.args
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)}


def soname_first(tree: ast.Module, filename: str) -> str:
    """ffi.py's source with each ``_dlopen`` call's ``lib….so.N`` name tried first."""
    moved = 0
    for _, call in dlopen_calls(tree):
        names = call.args[1:]
        first = [a for a in names if isinstance(a, ast.Constant) and isinstance(a.value, str)
                 and ".so." in a.value]
        moved += bool(first)
        call.args = [call.args[0], *first, *(a for a in names if a not in first)]
    if not moved:
        raise SystemExit(f"{filename} has no _dlopen call with a .so.N name to move first")
    return ast.unparse(tree)


class Timed:
    """A module's loader, its execution charged to the module's group."""

    def __init__(self, loader: Any, name: str, after: Callable[[ModuleType], None]) -> None:
        self.loader, self.name, self.after = loader, name, after
        top = name.partition(".")[0]
        self.label = UA if name == "weasyprint.html" else GROUPS.get(top, OTHER)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.loader, attribute)

    def create_module(self, spec: Any) -> ModuleType | None:
        create = getattr(self.loader, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: ModuleType) -> None:
        with LEDGER.part(self.label):
            self.loader.exec_module(module)
        self.after(module)


class Finder:
    """Finds what the other finders find, and times the module's execution."""

    def __init__(self, replaced: dict[str, Path],
                 after: Callable[[ModuleType], None]) -> None:
        self.replaced, self.after = replaced, after

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        if name in self.replaced:
            spec: Any = importlib.util.spec_from_file_location(name, self.replaced[name])
            spec.loader = Timed(spec.loader, name, self.after)
            return spec
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if finder is self or find is None:
                continue
            spec = find(name, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = Timed(spec.loader, name, self.after)
                return spec
        return None


def hooks(variant: str, libraries: dict[str, str]) -> Callable[[ModuleType], None]:
    """What to wrap in a module once it has run: find_library, FFI.dlopen and FFI.cdef,
    subprocess.Popen (to count the subprocesses)."""

    def find_library(original: Callable[[str], str | None]) -> Callable[[str], str | None]:
        def lookup(name: str) -> str | None:
            LEDGER.count("find_library calls")
            start = cpu()
            with LEDGER.part("find_library"):
                found = None if variant == "find-nothing" else original(name)
            mine = LEDGER.libraries.setdefault(libraries.get(name, name),
                                               {"calls": 0, "failed": 0, "cpu": 0.0})
            mine["calls"] += 1
            mine["failed"] += found is None
            mine["cpu"] += cpu() - start
            return found
        return lookup

    def timed(label: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            with LEDGER.part(label):
                return method(*args, **kwargs)
        return run

    def after(module: ModuleType) -> None:
        if module.__name__ == "ctypes.util":
            module.__dict__["find_library"] = find_library(module.find_library)
        elif module.__name__ == "cffi.api":
            ffi = module.FFI
            ffi.dlopen = timed("dlopen (loading)", ffi.dlopen)
            ffi.cdef = timed("cdef", ffi.cdef)
        elif module.__name__ == "subprocess":
            popen = module.Popen
            start = popen.__init__

            def counted(self: Any, args: Any, *more: Any, **kwargs: Any) -> None:
                program = args[0] if isinstance(args, list | tuple) else args
                start(self, args, *more, **kwargs)  # a program not found raises here
                LEDGER.count(f"runs {Path(str(program)).name}")
            popen.__init__ = counted

    return after


def child(variant: str, reordered: Path) -> None:
    source = ffi_source()
    libraries = library_names(ast.parse(source.read_bytes(), str(source)))
    if variant != "clock":
        replaced = {"weasyprint.text.ffi": reordered} if variant == "soname-first" else {}
        after = hooks(variant, libraries)
        for name in ("ctypes.util", "cffi.api", "subprocess"):
            if name in sys.modules:  # already imported by the interpreter's start
                after(sys.modules[name])
        sys.meta_path.insert(0, Finder(replaced, after))
    # the same collector's state in every variant, whatever the child did before
    gc.collect()
    start = cpu()
    importlib.import_module("weasyprint")
    total = cpu() - start
    inside = {"parts": LEDGER.spent, "counts": LEDGER.counts, "libraries": LEDGER.libraries}
    print(json.dumps({"import": total, **(inside if variant != "clock" else {})}))


# -- the parent: every variant, fresh processes, interleaved --------------------------------

VARIANTS: dict[str, tuple[list[str], str | None]] = {
    # column: (command after the interpreter, what the child is given as PATH)
    "python -c pass": (["-c", "pass"], None),
    "plain import": (["-c", "import weasyprint"], None),
    "clock only": ([str(SCRIPT), "--child", "clock"], None),
    "as installed": ([str(SCRIPT), "--child", "installed"], None),
    "no gcc, cc, ld": ([str(SCRIPT), "--child", "installed"], "empty"),
    "find_library None": ([str(SCRIPT), "--child", "find-nothing"], None),
    "soname first": ([str(SCRIPT), "--child", "soname-first"], None),
}


def command(column: str, folder: Path) -> tuple[list[str], dict[str, str]]:
    """A column's command and environment; ``folder`` holds the empty folder given as
    PATH and the reordered ffi.py."""
    arguments, path = VARIANTS[column]
    if arguments[0] == str(SCRIPT):
        arguments = [*arguments, "--ffi", str(folder / "reordered" / "ffi.py")]
    return [sys.executable, *arguments], {**ENV, "PATH": str(folder / "empty")} if path else ENV


def timed_run(column: str, folder: Path) -> dict[str, Any]:
    """One fresh process, its CPU from wait4 (the process and the subprocesses it waited
    for), and what the child measured inside."""
    import subprocess
    import tempfile

    run, env = command(column, folder)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(run, env=env, stdout=out, stderr=errors, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"{column} failed: {errors.read()[-600:]!r}")
        out.seek(0)
        text = out.read()
    measured = json.loads(text) if text.strip() else {}
    return {"process": usage.ru_utime + usage.ru_stime, **measured}


def executed(column: str, folder: Path) -> dict[str, int]:
    """The programs one fresh process of a column executes, by name (strace)."""
    import re
    import shutil
    import subprocess
    import tempfile

    run, env = command(column, folder)
    with tempfile.NamedTemporaryFile("r") as trace:
        subprocess.run([str(shutil.which("strace")), "-f", "-qq", "-e", "trace=execve",
                        "-o", trace.name, *run], env=env, check=True, capture_output=True)
        lines = trace.read().splitlines()
    found: dict[str, int] = {}
    for line in lines:
        # a successful execve returns 0; the ENOENT ones are PATH being searched
        match = re.search(r'execve\("([^"]+)".*= 0$', line)
        if match and Path(match[1]) != Path(sys.executable):
            name = Path(match[1]).name
            found[name] = found.get(name, 0) + 1
    return found


def stamp(what: str) -> None:
    """When and under what load a measure starts or ends (UTC, ``uptime``)."""
    import subprocess

    uptime = subprocess.run(["uptime"], check=True, capture_output=True,
                            text=True).stdout.strip()
    print(f"{what}: {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC; {uptime}")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def median(values: list[float], form: str = "{:.3f}") -> str:
    import statistics

    return form.format(statistics.median(values)) if values else "—"


def report(rows: dict[str, list[dict[str, Any]]], repeat: int) -> None:
    columns = list(rows)
    print(f"\n`import weasyprint`, a fresh process each time, CPU seconds (user + system, "
          f"with the subprocesses waited for); medians of {repeat} rounds, interleaved; "
          f"{load()} at the end\n")
    print(f"| | {' | '.join(columns)} |")
    print(f"|---|{'---:|' * len(columns)}")

    def line(label: str, value: Callable[[dict[str, Any]], float | None],
             form: str = "{:.3f}") -> None:
        cells = []
        for column in columns:
            values = [v for r in rows[column] if (v := value(r)) is not None]
            cells.append(median(values, form))
        print(f"| {label} | {' | '.join(cells)} |")

    def part(name: str, key: str = "parts") -> Callable[[dict[str, Any]], float | None]:
        return lambda r: float(r[key].get(name, 0)) if key in r else None

    def count(name: str) -> Callable[[dict[str, Any]], float | None]:
        return lambda r: r["counts"].get(name, 0) if "counts" in r else None

    def rest(r: dict[str, Any]) -> float | None:
        return r["import"] - sum(r["parts"].get(p, 0.0) for p in PARTS) if "parts" in r else None

    line("process (wait4)", lambda r: float(r["process"]))
    line("**import** (inside the process)", lambda r: r.get("import"))
    for name in PARTS:
        line(f"- {name}", part(name))
    line("- the rest", rest)
    for name in DETAIL:
        line(f"  - of which {name}", part(name))
    counts = sorted({c for runs in rows.values() for r in runs for c in r.get("counts", {})})
    for what in counts:
        line(what, count(what), "{:.0f}")

    installed = rows["as installed"]
    libraries = sorted({name for r in installed for name in r["libraries"]})
    print("\n`find_library` in the `as installed` column, by the library WeasyPrint was "
          "looking for\n")
    print("| library | find_library calls | of which found nothing | CPU (s, median) |")
    print("|---|---:|---:|---:|")
    for name in libraries:
        mine = [r["libraries"][name] for r in installed if name in r["libraries"]]
        print(f"| {name} | {int(mine[0]['calls'])} | {int(mine[0]['failed'])} | "
              f"{median([m['cpu'] for m in mine])} |")


def main() -> None:
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--strace", action="store_true",
                        help="also count the programs each variant executes (strace)")
    parser.add_argument("--child", help=argparse.SUPPRESS,
                        choices=["clock", "installed", "find-nothing", "soname-first"])
    parser.add_argument("--ffi", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.ffi)
        return
    with tempfile.TemporaryDirectory(prefix="weasyprint-import-") as tmp:
        folder = Path(tmp)
        (folder / "empty").mkdir()
        (folder / "reordered").mkdir()
        source = ffi_source()
        (folder / "reordered" / "ffi.py").write_text(
            soname_first(ast.parse(source.read_bytes(), str(source)), str(source)), "utf-8")
        for column in VARIANTS:  # bytecode written, files in the page cache: not counted
            timed_run(column, folder)
        stamp("start")
        rows: dict[str, list[dict[str, Any]]] = {column: [] for column in VARIANTS}
        columns = list(VARIANTS)
        for index in range(args.repeat):
            turn = index % len(columns)
            for column in columns[turn:] + columns[:turn]:
                rows[column].append(timed_run(column, folder))
        stamp("end")
        report(rows, args.repeat)
        if args.strace:
            import shutil

            if not shutil.which("strace"):
                raise SystemExit("strace is not installed (apt-get install strace)")
            print("\nPrograms executed by one fresh process (strace -f -e trace=execve)\n")
            traced = {c: executed(c, folder) for c in VARIANTS if c != "python -c pass"}
            names = sorted({n for found in traced.values() for n in found})
            print(f"| | {' | '.join(names)} |")
            print(f"|---|{'---:|' * len(names)}")
            for column, found in traced.items():
                print(f"| {column} | {' | '.join(str(found.get(n, 0)) for n in names)} |")


if __name__ == "__main__":
    main()
