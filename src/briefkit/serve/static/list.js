// The list of briefings, shown again once each change is exported.
new EventSource("/_preview/events").addEventListener("outputs", event => {
  if (!JSON.parse(event.data).busy) location.reload();
});
