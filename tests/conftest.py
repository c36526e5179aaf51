"""Shared fixtures: the repository's samples, the test briefings in tests/fixtures/,
and throw-away newsroom folders for CLI runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from briefkit.briefing_file import BriefingFile
from briefkit.config import Settings, load_settings
from briefkit.exporters.base import Context
from briefkit.load import load
from briefkit.theme import Theme, load_theme

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = ROOT / "source"

hypothesis_settings.register_profile(
    "default", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile(
    "deep", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def fixture(name: str) -> BriefingFile:
    """A test briefing from tests/fixtures/ ('every-block', 'rtl-arabic')."""
    return load(FIXTURES / f"{name}.json", FIXTURES)


def sample(name: str) -> BriefingFile:
    """A sample briefing from source/ ('iran-frappes-bases-americaines-irak', 'night-bus-network')."""
    return load(SAMPLES / f"{name}.json", SAMPLES)


FRENCH = "iran-frappes-bases-americaines-irak"
ENGLISH = "night-bus-network"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(ROOT)


@pytest.fixture(scope="session")
def theme() -> Theme:
    return load_theme("default", ROOT)


@pytest.fixture(scope="session")
def context(settings: Settings, theme: Theme) -> Context:
    return Context(settings, theme)


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """A newsroom folder like the repository's: briefkit.toml, source/ with both samples."""
    shutil.copy(ROOT / "briefkit.toml", tmp_path / "briefkit.toml")
    shutil.copytree(SAMPLES, tmp_path / "source")
    return tmp_path


@pytest.fixture(scope="session")
def exported_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One newsroom holding both samples and every test briefing of tests/fixtures/,
    exported once in every installed format by the command line; its folder."""
    room = tmp_path_factory.mktemp("exported-all")
    shutil.copy(ROOT / "briefkit.toml", room / "briefkit.toml")
    shutil.copytree(SAMPLES, room / "source")
    shutil.copytree(FIXTURES / "images", room / "source" / "images", dirs_exist_ok=True)
    for path in FIXTURES.glob("*.json"):
        shutil.copy(path, room / "source" / path.name)
    result = run_briefkit("export", "--all", "--quiet", cwd=room)
    assert result.returncode == 0, result.stderr
    return room


def run_briefkit(*args: str, cwd: Path, env: dict[str, str] | None = None,
                 timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a separate process, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "briefkit", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env={**os.environ, **(env or {})},
    )


PLUGIN = '''
from briefkit.exporters.base import Exporter


class ShoutExporter(Exporter):
    """A third-party format: the title in capitals, as plain text."""

    name = "shout"
    extension = ".txt"
    media_type = "text/plain"
    description = "the title, shouted"

    def export(self, item, context):
        return item.briefing.title.upper().encode("utf-8")
'''


def install_plugin(site: Path, module: str = "briefkit_shout", target: str = "ShoutExporter",
                   name: str = "shout", code: str = PLUGIN) -> dict[str, str]:
    """Install a plugin the way pip does: a module and a .dist-info with entry_points.txt."""
    (site / f"{module}.py").write_text(textwrap.dedent(code), "utf-8")
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[briefkit.exporters]\n{name} = {module}:{target}\n", "utf-8"
    )
    return {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}


def run_on_terminal(*args: str, cwd: Path, timeout: float = 120) -> tuple[int, str]:
    """Run the command line on a pseudo-terminal, as a user at a terminal would: its exit
    status, and everything it showed."""
    import pty
    import select
    import time

    controller, terminal = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "briefkit", *args], cwd=cwd,
                               stdin=terminal, stdout=terminal, stderr=terminal,
                               env={**os.environ, "COLUMNS": "100", "TERM": "xterm"})
    os.close(terminal)
    shown = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([controller], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the run ended and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if process.poll() is None and time.monotonic() >= deadline:
            process.kill()
    status = process.wait(timeout=timeout)
    os.close(controller)
    return status, shown.decode("utf-8", "replace")
