"""The fetcher WeasyPrint reads through: our folders only, never the network.

A real HTTP server listens on 127.0.0.1 during these tests and records every
request; documents point at it in every way WeasyPrint fetches (image,
stylesheet, @import, @font-face, attachment) and the server must see none.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Self

import pytest
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from briefkit.errors import UnsafeReferenceError
from briefkit.render.fetcher import DATA_URL_LIMIT, ConfinedFetcher

CHART = Path(__file__).parent.parent / "fixtures" / "images" / "chart.png"


class Server:
    """A local web server that answers 200 to everything and remembers what it was asked."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        seen = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 5

            def do_GET(self) -> None:
                seen.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()
                self.wfile.write(CHART.read_bytes())

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with Server() as running:
        yield running


@pytest.fixture
def newsroom_folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    """source/ with an image, a theme folder, and a file beside them that is off limits."""
    source, theme = tmp_path / "source", tmp_path / "theme"
    (source / "images").mkdir(parents=True)
    theme.mkdir()
    (source / "images" / "chart.png").write_bytes(CHART.read_bytes())
    (tmp_path / "outside.png").write_bytes(CHART.read_bytes())
    return source, theme, tmp_path


def render(html: str, fetcher: ConfinedFetcher, base: Path) -> bytes:
    document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf()  # type: ignore[no-any-return]


def test_a_file_inside_the_folders_is_served(newsroom_folders: tuple[Path, Path, Path]) -> None:
    source, theme, _ = newsroom_folders
    fetcher = ConfinedFetcher([source, theme])
    response = fetcher.fetch((source / "images" / "chart.png").as_uri())
    assert response.read() == CHART.read_bytes()
    assert response.content_type == "image/png"
    fetcher.check("b")  # nothing refused


@pytest.mark.parametrize("reference", [
    "file:///etc/passwd",
    "../outside.png",
    "images/../../outside.png",
    "file://example.org/etc/passwd",
    "ftp://127.0.0.1/file.png",
    "gopher://127.0.0.1/x",
])
def test_references_outside_are_refused(newsroom_folders: tuple[Path, Path, Path],
                                        reference: str, server: Server) -> None:
    source, theme, _ = newsroom_folders
    fetcher = ConfinedFetcher([source, theme])
    pdf = render(f'<p>Hi</p><img src="{reference}" alt="x">', fetcher, source)
    assert pdf.startswith(b"%PDF")
    assert fetcher.refused, f"{reference} was not refused"
    with pytest.raises(UnsafeReferenceError) as caught:
        fetcher.check("night-bus-network", "source/night-bus-network.json")
    assert "night-bus-network" in caught.value.message
    assert "refused reference" in caught.value.message
    assert "source/night-bus-network.json" in caught.value.lines()[0]


def test_the_network_is_never_used(newsroom_folders: tuple[Path, Path, Path],
                                   server: Server) -> None:
    source, theme, _ = newsroom_folders
    (theme / "style.css").write_text(
        f'@import url("{server.url}/import.css");\n'
        f'@font-face {{ font-family: Remote; src: url("{server.url}/font.ttf"); }}\n'
        f'body {{ background: url("{server.url}/background.png"); font-family: Remote; }}\n'
    )
    fetcher = ConfinedFetcher([source, theme])
    html = (
        f'<link rel="stylesheet" href="{server.url}/style.css">'
        f'<link rel="stylesheet" href="{(theme / "style.css").as_uri()}">'
        f'<p>Hi <img src="{server.url}/image.png" alt="x">'
        f'<img src="https://127.0.0.1:{server.url.rsplit(":", 1)[1]}/secure.png" alt="y">'
        f'<object data="{server.url}/object.svg"></object></p>'
    )
    render(html, fetcher, source)
    assert server.requests == []
    refused = {r.reference for r in fetcher.refused}
    for path in ("/style.css", "/import.css", "/font.ttf", "/background.png", "/image.png"):
        assert f"{server.url}{path}" in refused
    assert any("secure.png" in r for r in refused)


def test_a_font_from_the_theme_loads_and_one_from_the_server_does_not(
        newsroom_folders: tuple[Path, Path, Path], server: Server) -> None:
    source = newsroom_folders[0]
    font = Path(__file__).parents[2] / "src/briefkit/theme/packaged/default/fonts/Amiri-Regular.ttf"
    fetcher = ConfinedFetcher([source, font.parent])
    css = CSS(string=f'@font-face {{ font-family: A; src: url("{font.as_uri()}"); }}'
                     f'@font-face {{ font-family: B; src: url("{server.url}/b.ttf"); }}',
              url_fetcher=fetcher, font_config=FontConfiguration())
    assert css is not None
    assert [r.reference for r in fetcher.refused] == [f"{server.url}/b.ttf"]
    assert server.requests == []


def test_small_data_urls_pass_large_ones_do_not(newsroom_folders: tuple[Path, Path, Path]) -> None:
    source, theme, _ = newsroom_folders
    fetcher = ConfinedFetcher([source, theme])
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    big = "data:text/plain;base64," + "A" * DATA_URL_LIMIT
    with pytest.raises(PermissionError):
        fetcher.fetch(big)
    assert len(fetcher.refused) == 1
    assert "data: URL larger than" in fetcher.refused[0].reason
    assert len(fetcher.refused[0].reference) < 200  # shown cut short, not 256 KB of base64


def test_symlinks_out_of_the_folder_are_refused(newsroom_folders: tuple[Path, Path, Path]) -> None:
    source, theme, outside = newsroom_folders
    (source / "images" / "link.png").symlink_to(outside / "outside.png")
    fetcher = ConfinedFetcher([source, theme])
    with pytest.raises(PermissionError):
        fetcher.fetch((source / "images" / "link.png").as_uri())
    assert fetcher.refused[0].reason.startswith("outside")


def test_checked_images_are_served_by_name(newsroom_folders: tuple[Path, Path, Path]) -> None:
    from briefkit.briefing_file import Asset
    from briefkit.images import check_image
    from briefkit.render.fetcher import image_reference

    source, theme, _ = newsroom_folders
    path = source / "images" / "chart.png"
    checked = check_image(path.read_bytes())
    assert not isinstance(checked, str)
    asset = Asset(path, *checked, src="images/chart.png")
    fetcher = ConfinedFetcher([source, theme], images={"images/chart.png": asset})
    response = fetcher.fetch(image_reference("images/chart.png", asset.sha256))
    assert response.read() == CHART.read_bytes() and response.content_type == "image/png"
    other = image_reference("images/other.png", asset.sha256)
    elsewhere = image_reference("images/chart.png", "0" * 64)  # other bytes under its name
    for url in (other, elsewhere):
        with pytest.raises(PermissionError):
            fetcher.fetch(url)
    assert [r.reference for r in fetcher.refused] == [other, elsewhere]
