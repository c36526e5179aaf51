// Added to every web page the preview serves: the page reloads when its own file is
// written again; when its briefing does not load, it keeps what it shows and says why
// in a bar at its top.  Inside a preview page, the frame is the preview's to reload.
(() => {
  if (window.frameElement && window.frameElement.hasAttribute("data-preview")) return;
  const page = decodeURIComponent(location.pathname.replace(/^\//, "")) || "index.html";
  const id = page.replace(/\.html$/, "");
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
    bar.textContent = "This page is the last good version.\n" + lines.join("\n");
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
