"""WebSub: after a publish that changed a feed, each hub is told, at once; a hub that
does not answer is a warning, not a failed publish."""

from __future__ import annotations

import shutil
from pathlib import Path

from publish.servers import Hub, free_port
from support.commands import run_briefkit

FEEDS = ["atom.xml", "feed.json", "feed.xml"]
BASE = "https://briefings.example.org/"


def room_with_hubs(exported_all: Path, folder: Path, hubs: list[str]) -> Path:
    shutil.copytree(exported_all, folder, symlinks=True)
    settings = folder / "briefkit.toml"
    listed = ", ".join(f'"{hub}"' for hub in hubs)
    settings.write_text(settings.read_text().replace(
        "max_entries = 50", f"max_entries = 50\nhubs = [{listed}]")
        + f'\n[publish.web]\nto = "{folder.parent / "web"}"\n')
    # the feeds, made again, name the hubs (the other outputs stay as the manifest lists them)
    exported = run_briefkit("export", "--all", "--quiet", "-f", "rss", "-f", "atom", "-f",
                            "jsonfeed", cwd=folder)
    assert exported.returncode == 0, exported.stderr
    return folder


def test_each_hub_is_told_of_each_feed_that_changed(hub: Hub, exported_all: Path,
                                                    tmp_path: Path) -> None:
    room = room_with_hubs(exported_all, tmp_path / "room", [hub.url])
    assert f'<link href="{hub.url}" rel="hub"/>' in (room / "dist" / "atom.xml").read_text()
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0, result.stderr
    assert sorted(ping["hub.url"][0] for ping in hub.pings) == [BASE + f for f in FEEDS]
    assert all(ping["hub.mode"] == ["publish"] for ping in hub.pings)
    assert f"websub: told {hub.url} that {BASE}feed.xml changed" in result.stdout
    hub.pings.clear()
    again = run_briefkit("publish", cwd=room)  # nothing changed: nobody is told
    assert again.returncode == 0 and hub.pings == []


def test_a_hub_that_cannot_be_reached_is_one_warning(hub: Hub, exported_all: Path,
                                                      tmp_path: Path) -> None:
    gone = f"http://127.0.0.1:{free_port()}/hub"
    room = room_with_hubs(exported_all, tmp_path / "room", [gone, hub.url])
    result = run_briefkit("publish", cwd=room)
    assert result.returncode == 0  # the feeds are published either way
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"warning: websub: {gone}: the hub cannot be reached")
    assert warnings[0].endswith(f"not told of {BASE}atom.xml, {BASE}feed.json, "
                                f"{BASE}feed.xml (readers still find the change when they next "
                                "read the feed)")
    assert len(hub.pings) == 3  # the other hub is told all the same
