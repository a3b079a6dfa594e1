/* Feedforward Lab — how the answer checks' metrics read on a card (4-4, 4-5, 4-7 "check your answer").
 *
 * A check returns a few metrics that are not numbers: sentences in both languages ({en, zh}), the
 * formula as the server understood it, as MathML it built itself from the parsed tree (whitelisted
 * names and numbers only, so it is inserted as markup), and the anchor of the part of the answer that
 * explains the mistake. answerValue(key, value, metrics) returns the element to show, null to show
 * nothing (the LaTeX source when the MathML is there), or undefined for an ordinary metric.
 */
(() => {
  "use strict";
  const { page, el } = window.FFLab;
  const bilingual = (v) => v && typeof v === "object" && !Array.isArray(v) && "en" in v && "zh" in v
    && Object.keys(v).length === 2;

  function answerValue(key, value, metrics) {
    if (bilingual(value)) return el("span", { class: "value", text: value[page.lang] || value.en });
    if (key.endsWith("_mathml") && typeof value === "string" && value.startsWith("<math")) {
      const span = el("span", { class: "value math-scroll", tabindex: "0" });
      span.innerHTML = value; // server-built MathML of the parsed answer (see above)
      return span;
    }
    if (key.endsWith("_latex") && typeof metrics[key.replace(/_latex$/, "_mathml")] === "string") return null;
    if (key === "mistake_anchor" && typeof value === "string" && /^[A-Za-z0-9_-]+$/.test(value)) {
      const text = page.lang === "zh" ? "解答中的讲解" : "where the answer explains it";
      return el("a", { class: "value", href: `#${value}`, text });
    }
    return undefined;
  }

  Object.assign(window.FFLab, { answerValue });
})();
