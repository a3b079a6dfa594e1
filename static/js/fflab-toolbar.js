/* Feedforward Lab — a section's toolbar: copy the link to what is shown, download the result as JSON
 * or its data as CSV, and the API box (the same query for curl and for Python), kept in step with the
 * controls. Loaded after fflab-util.js, before exercise.js.
 */
"use strict";

(function () {
  class Toolbar {
    /* `view`: the section's ExperimentView (its section, name, path, result, query() and setStatus). */
    constructor(view) {
      const { el, page, download, toCsv } = window.FFLab, S = page.strings;
      this.view = view;
      const bar = el("div", { class: "toolbar", role: "group", "aria-label": S.api_box });
      const copy = el("button", { type: "button", class: "copy-link", text: S.copy_link });
      copy.addEventListener("click", async () => {
        const url = window.location.href;
        try {
          await navigator.clipboard.writeText(url);
        } catch (e) {
          window.prompt(S.copy_link, url);
        }
        view.setStatus("ready", S.copied);
      });
      const json = el("button", { type: "button", class: "download-json", text: S.download_json });
      json.addEventListener("click", () => view.result &&
        download(`${page.exercise}-${view.name}.json`, "application/json", JSON.stringify(view.result, null, 1)));
      const csv = el("button", { type: "button", class: "download-csv", text: S.download_csv });
      csv.addEventListener("click", () => view.result &&
        download(`${page.exercise}-${view.name}.csv`, "text/csv", toCsv(view.result.data || {})));
      bar.append(copy, json, csv);
      const apiBox = el("details", { class: "api-box" }, el("summary", { text: S.api_box }));
      this.curl = el("pre", { class: "curl" });
      this.python = el("pre", { class: "python" });
      apiBox.append(el("p", { text: S.api_curl }), this.curl, el("p", { text: S.api_python }), this.python);
      view.section.querySelector(".output").append(bar, apiBox);
      this.update();
    }

    /* The API box for the controls' values now. */
    update() {
      const view = this.view, q = view.query(), origin = window.location.origin;
      this.curl.textContent = `curl '${origin}${view.path}?${q}'`;
      const params = [...q.entries()].map(([k, v]) => `"${k}": ${JSON.stringify(v)}`).join(", ");
      this.python.textContent = [
        "import httpx",
        "",
        `r = httpx.get("${origin}${view.path}", params={${params}})`,
        "r.raise_for_status()",
        "result = r.json()",
        'print(result["metrics"])',
      ].join("\n");
    }
  }

  Object.assign(window.FFLab, { Toolbar });
})();
