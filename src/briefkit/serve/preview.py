"""What the preview adds to a browser: the reload snippet and the preview pages.

The snippet is added to web pages as they are served, never to the files in
dist/.  Every value shown on a preview page comes from a briefing file or a
problem report and is escaped (Jinja's autoescape); the scripts, served from
/_preview/ like the stylesheet, put text in the page with ``textContent`` only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jinja2 import Environment

#: The path of the event channel, which every page's snippet listens to.
EVENTS = "/_preview/events"

#: Added before ``</body>`` of every served web page: the script below, from the
#: preview's own address (a page's Content-Security-Policy may allow "self" only).
SNIPPET = '<script src="/_preview/reload.js" data-briefkit-preview></script>\n'

#: A page reloads when its own file was written again; when its briefing does not
#: load, it keeps what it shows and says why in a bar at the top.  Inside a preview
#: page the frame is the preview's to reload.
RELOAD_SCRIPT = """(() => {
  if (window.frameElement && window.frameElement.hasAttribute("data-preview")) return;
  const page = decodeURIComponent(location.pathname.replace(/^\\//, "")) || "index.html";
  const id = page.replace(/\\.html$/, "");
  const events = new EventSource("/_preview/events");
  let bar = null;
  function show(lines) {
    if (!lines.length) { if (bar) { bar.remove(); bar = null; } return; }
    if (!bar) {
      bar = document.createElement("pre");
      bar.setAttribute("role", "alert");
      bar.style.cssText = "position:fixed;top:0;left:0;right:0;z-index:2147483647;margin:0;" +
        "padding:.6em 1em;background:#fff3f3;color:#7a0010;border-bottom:2px solid #c00018;" +
        "font:13px/1.4 monospace;white-space:pre-wrap;max-height:40vh;overflow:auto";
      document.body.prepend(bar);
    }
    bar.textContent = "This page is the last good version.\\n" + lines.join("\\n");
  }
  function handle(event) {
    const data = JSON.parse(event.data);
    if (data.written.includes(page) || data.removed.includes(page)) location.reload();
    else show(data.problems.filter(p => p.id === id).flatMap(p => p.lines));
  }
  fetch(`/_preview/${encodeURIComponent(id)}.json`, {cache: "no-store"})
    .then(reply => reply.ok ? reply.json() : {problems: []})
    .then(data => show(data.problems), () => {});
  events.addEventListener("reload", handle);
  events.addEventListener("outputs", handle);
})();
"""

STYLE = """
:root { color-scheme: light; --line: #d0d4da; --bad: #b00016; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, sans-serif; color: #1b1f24; background: #f4f5f7;
       display: flex; flex-direction: column; height: 100vh; }
header { display: flex; flex-wrap: wrap; gap: .4em 1.2em; align-items: baseline;
         padding: .6em 1em; background: #fff; border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.05em; margin: 0; }
header .id { color: #5a6270; font-family: monospace; }
nav a { margin-right: .8em; }
nav a.missing { color: #8a929e; pointer-events: none; text-decoration: line-through; }
#state { margin-left: auto; color: #5a6270; }
#problems { margin: 0; padding: .6em 1em; background: #fff3f3; color: #5a0010;
            border-bottom: 2px solid var(--bad); }
#problems[hidden] { display: none; }
#problems h2 { font-size: 1em; margin: 0 0 .3em; color: var(--bad); }
#problems ol { margin: 0; padding-left: 1.4em; font-family: monospace; white-space: pre-wrap; }
#problems .where { font-weight: bold; }
main { flex: 1; min-height: 0; display: grid; grid-template-columns: 1fr 1fr; gap: 1px;
       background: var(--line); }
main section { display: flex; flex-direction: column; background: #fff; min-height: 0; }
main h2 { font-size: .85em; margin: 0; padding: .3em 1em; color: #5a6270;
          border-bottom: 1px solid var(--line); }
main iframe { flex: 1; width: 100%; border: 0; }
.none { padding: 2em; color: #5a6270; }
ul.briefings { background: #fff; margin: 0; padding: 1em 2.5em; overflow: auto; }
ul.briefings li { margin: .3em 0; }
ul.briefings .bad { color: var(--bad); }
"""

PREVIEW_SCRIPT = """
(() => {
  const id = document.body.dataset.id;
  const events = new EventSource("/_preview/events");
  const state = document.getElementById("state");
  const list = document.querySelector("#problems ol");
  const box = document.getElementById("problems");
  function frame(name) { return document.querySelector(`iframe[data-preview="${name}"]`); }
  function place(name, path, version) {
    const el = frame(name);
    const shown = el.dataset.shown === "1";
    if (shown && name === "html") el.contentWindow.location.reload();
    else el.src = "/" + encodeURI(path) + (name === "pdf" ? `?v=${version}` : "");
    el.dataset.shown = "1";
  }
  async function refresh(version) {
    const reply = await fetch(`/_preview/${id}.json`, {cache: "no-store"});
    if (!reply.ok) return;
    const data = await reply.json();
    list.replaceChildren(...data.problems.map(line => {
      const item = document.createElement("li");
      const where = /^(.*?:\\d+:\\d+)(: .*)$/s.exec(line);
      if (where) {
        const b = document.createElement("span");
        b.className = "where"; b.textContent = where[1];
        item.append(b, where[2]);
      } else item.textContent = line;
      return item;
    }));
    box.hidden = data.problems.length === 0;
    for (const [name, info] of Object.entries(data.outputs)) {
      const link = document.querySelector(`nav a[data-format="${name}"]`);
      if (link) link.classList.toggle("missing", !info.exists);
    }
    state.textContent = data.busy ? "exporting…" :
      `change ${data.edit} exported in ${data.seconds.toFixed(2)} s`;
    return data;
  }
  function mine(data, name) { return data.written.includes(name); }
  async function handle(event) {
    const data = JSON.parse(event.data);
    const info = await refresh(data.edit);
    if (!info) return;
    if (info.outputs.html && mine(data, info.outputs.html.path))
      place("html", info.outputs.html.path);
    if (info.outputs.pdf && mine(data, info.outputs.pdf.path))
      place("pdf", info.outputs.pdf.path, data.edit);
  }
  events.addEventListener("reload", handle);
  events.addEventListener("outputs", handle);
  refresh(0);
})();
"""

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Preview: {{ title or id }}</title>
<link rel="stylesheet" href="/_preview/preview.css">
</head>
<body data-id="{{ id }}">
<header>
  <h1>{{ title or id }}</h1> <span class="id">{{ id }}</span>
  <nav>
  {%- for name, output in outputs.items() %}
    <a data-format="{{ name }}" href="/{{ output.path }}"
       {%- if not output.exists %} class="missing"{% endif %}>{{ output.label }}</a>
  {%- endfor %}
    <a href="/_preview/">all briefings</a>
  </nav>
  <span id="state">{% if busy %}exporting…{% else %}change {{ edit }} exported{% endif %}</span>
</header>
<div id="problems" role="alert"{% if not problems %} hidden{% endif %}>
  <h2>Problems: the outputs shown are the last good ones</h2>
  <ol>{% for line in problems %}<li>{{ line }}</li>{% endfor %}</ol>
</div>
<main>
  <section><h2>Web page</h2>
    <iframe data-preview="html" title="web page" {%- if outputs.html.exists %}
      data-shown="1" src="/{{ outputs.html.path }}"{% endif %}></iframe></section>
  <section><h2>PDF</h2>
  {%- if outputs.pdf %}
    <iframe data-preview="pdf" title="PDF" {%- if outputs.pdf.exists %}
      data-shown="1" src="/{{ outputs.pdf.path }}?v={{ edit }}"{% endif %}></iframe>
  {%- else %}<p class="none">The PDF format is not installed.</p>{% endif %}</section>
</main>
<script src="/_preview/preview.js"></script>
</body>
</html>
"""

_LIST = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Preview</title>
<link rel="stylesheet" href="/_preview/preview.css">
</head>
<body>
<header><h1>Preview</h1><nav><a href="/">front page</a></nav></header>
<div id="problems" role="alert"{% if not project %} hidden{% endif %}>
  <h2>Problems</h2><ol>{% for line in project %}<li>{{ line }}</li>{% endfor %}</ol>
</div>
{%- if briefings %}
<ul class="briefings">
{%- for id, title, bad in briefings %}
  <li><a href="/_preview/{{ id }}">{{ title or id }}</a> <code>{{ id }}</code>
  {%- if bad %} <span class="bad">(problems)</span>{% endif %}</li>
{%- endfor %}
</ul>
{%- else %}<p class="none">No briefings in the source folder yet.</p>{% endif %}
<script src="/_preview/list.js"></script>
</body>
</html>
"""

LIST_SCRIPT = """
new EventSource("/_preview/events").addEventListener("outputs", event => {
  if (!JSON.parse(event.data).busy) location.reload();
});
"""

#: The preview's own files, by name under /_preview/.
ASSETS = {
    "reload.js": ("text/javascript", RELOAD_SCRIPT),
    "preview.js": ("text/javascript", PREVIEW_SCRIPT),
    "list.js": ("text/javascript", LIST_SCRIPT),
    "preview.css": ("text/css", STYLE),
}

_environment = Environment(autoescape=True, keep_trailing_newline=True)


def preview_page(*, id: str, title: str | None, outputs: Mapping[str, Mapping[str, Any]],
                 problems: Sequence[str], edit: int, busy: bool) -> str:
    """The preview of one briefing: its web page and PDF side by side, its problems."""
    return _environment.from_string(_PAGE).render(
        id=id, title=title, outputs=outputs, problems=problems, edit=edit, busy=busy)


def list_page(briefings: Sequence[tuple[str, str | None, bool]], project: Sequence[str]) -> str:
    """Every briefing, each linking to its preview."""
    return _environment.from_string(_LIST).render(
        briefings=briefings, project=project)


def with_snippet(page: bytes) -> bytes:
    """A served web page with the reload snippet before its ``</body>``."""
    snippet = SNIPPET.encode("utf-8")
    at = page.lower().rfind(b"</body>")
    return page + snippet if at < 0 else page[:at] + snippet + page[at:]
