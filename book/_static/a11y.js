/*
 * Paying Attention: accessibility repairs of markup the book does not write itself (the theme,
 * docutils' bibliography, the widget renderer). Loaded on every page (html_js_files in
 * _config.yml); tests/test_site.py runs axe-core on every page and fails on serious or critical
 * violations, so each repair here answers one of its rules.
 */
(function () {
  "use strict";

  function repairPage() {
    // label-content-name-mismatch: a button whose aria-label hides its visible text ("Search"
    // over "Search Ctrl+K"). Its visible text is a good name: drop the aria-label.
    document.querySelectorAll("button.search-button-field[aria-label]").forEach(function (button) {
      if (button.textContent.trim()) {
        button.removeAttribute("aria-label");
      }
    });
    // The same rule on a folded code cell (myst-nb's hide-input): its summary is labelled
    // "Toggle hidden content" over the visible "Show code cell source", a better name.
    document.querySelectorAll("details.hide > summary[aria-label]").forEach(function (summary) {
      if (summary.textContent.trim()) {
        summary.removeAttribute("aria-label");
      }
    });
    // The same rule on the colour-mode button: its icons carry titles ("Light", "Dark") that count
    // as visible text. They are decoration; the button's own label says what it does.
    // Font Awesome may already have turned each <i title> into an <svg> holding a <title>.
    document.querySelectorAll(".theme-switch-button i[title], .theme-switch-button svg")
      .forEach(function (icon) {
        icon.removeAttribute("title");
        icon.setAttribute("aria-hidden", "true");
        icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
      });
    // aria-required-children: docutils marks the bibliography role="list" and each entry
    // role="doc-biblioentry", a role a list may not contain (and a deprecated one).
    document.querySelectorAll('.citation-list[role="list"] > [role="doc-biblioentry"]').forEach(
      function (entry) {
        entry.setAttribute("role", "listitem");
      });
  }

  // aria-input-field-name: the handle of an ipywidgets slider (role="slider") has no accessible
  // name. Give it the slider's description, the text a sighted reader sees beside it. Widgets
  // render after the page loads, so watch for them.
  function nameSliders(root) {
    root.querySelectorAll('.widget-slider [role="slider"]:not([aria-label]):not([aria-labelledby])')
      .forEach(function (handle) {
        var slider = handle.closest(".widget-slider");
        var label = slider && slider.querySelector(".widget-label");
        var text = label && label.textContent.trim();
        if (text) {
          handle.setAttribute("aria-label", text);
        }
      });
  }

  function watchWidgets() {
    nameSliders(document);
    if (!document.querySelector('script[type="application/vnd.jupyter.widget-view+json"]')) {
      return;
    }
    var observer = new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        if (records[i].addedNodes.length) {
          nameSliders(document);
          return;
        }
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      repairPage();
      watchWidgets();
    });
  } else {
    repairPage();
    watchWidgets();
  }
  // Again once every deferred script (Font Awesome, the theme) has changed the page.
  window.addEventListener("load", repairPage);
})();
