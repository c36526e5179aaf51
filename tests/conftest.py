"""Shared fixtures: the project's settings and theme, throw-away newsroom folders for CLI
runs, a newsroom exported once for the whole test run, and the exporters' cache shared by
the exports made in the tests' own process.  What they are made of is in tests/support/."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
import support.newsrooms
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from support.commands import run_briefkit
from support.newsrooms import ROOT, full_newsroom, make_newsroom

from briefkit.config import Settings, load_settings
from briefkit.exporters.base import Context
from briefkit.theme import Theme, load_theme

hypothesis_settings.register_profile(
    "default", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.register_profile(
    "deep", max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """With ``-n`` and no ``--dist``, each test file goes whole to one worker (``--dist
    loadfile``): a module's fixtures (an export, a server) are made once, not on every
    worker.  Set here rather than in addopts, which a run without pytest-xdist refuses."""
    option = config.option
    if getattr(option, "numprocesses", None) and getattr(option, "dist", None) == "no" \
            and not getattr(option, "distload", False):
        option.dist = "loadfile"


def _shared(factory: pytest.TempPathFactory) -> Path:
    """A folder every process of this test run sees: the run's base temporary folder, which
    pytest-xdist's workers have in common (each has its own folder inside it)."""
    base = factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every process of this test run sees (what is made once for the run)."""
    return _shared(tmp_path_factory)


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One exporters' cache for the exports the tests make in their own process: web fonts
    and Word font subsets are made once per test run, not once per test.  Its entries are
    sealed with their keys, so sharing it changes no output."""
    return _shared(tmp_path_factory) / "briefkit-cache"


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings(ROOT)


@pytest.fixture(scope="session")
def theme() -> Theme:
    return load_theme("default", ROOT)


@pytest.fixture(scope="session")
def context(settings: Settings, theme: Theme, shared_cache: Path) -> Context:
    """The export context of the repository's settings and theme, its exporters' cache the
    one the test run shares, as a run's is (web fonts and Word subsets made once)."""
    from briefkit.engine.cache import StateCache

    return Context(settings, theme, cache=StateCache(shared_cache))


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """A newsroom folder like the repository's: briefkit.toml, source/ with both samples."""
    return make_newsroom(tmp_path, copies=0)


def export_all(shared: Path) -> Path:
    """One newsroom holding both samples and every test briefing of tests/fixtures/,
    exported once in every installed format by the command line, in ``shared``; its
    folder.  Made once for the whole test run: the first process to need it makes it,
    the others wait.  Its exporters' cache, as that export made it, is kept beside it as
    ``warm-cache``: what the tests' new newsrooms start with (support.newsrooms)."""
    room, done = shared / "exported-all", shared / "exported-all.done"
    with open(shared / "exported-all.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(room, ignore_errors=True)  # what a failed attempt left
            full_newsroom(room, cold=True)
            # both cores: the other test process waits for it when it needs a newsroom too
            result = run_briefkit("export", "--all", "--quiet", "--jobs", "2", cwd=room)
            assert result.returncode == 0, result.stderr
            shutil.rmtree(shared / "warm-cache", ignore_errors=True)
            shutil.copytree(room / ".briefkit" / "cache", shared / "warm-cache")
            done.touch()
    return room


@pytest.fixture(scope="session")
def exported_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The newsroom of every sample and test briefing, exported once for the test run in
    every installed format by the command line (:func:`export_all`); its folder."""
    return export_all(_shared(tmp_path_factory))


@pytest.fixture(scope="session", autouse=True)
def warm_newsrooms(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Each new newsroom of the tests starts with a copy of the exporters' cache of the
    newsroom exported once (:func:`export_all`, made when the first newsroom is), unless
    a test asks for it cold: the theme's web fonts and Word subsets are made once per test
    run rather than once per newsroom (support.newsrooms.WARM_CACHE)."""
    shared = _shared(tmp_path_factory)
    support.newsrooms.WARM_CACHE = lambda: export_all(shared).parent / "warm-cache"
