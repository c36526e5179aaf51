// The preview of one briefing: its web page and PDF reloaded as each is made again,
// its problems and the state of the export kept up to date.
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
      const where = /^(.*?:\d+:\d+)(: .*)$/s.exec(line);
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
