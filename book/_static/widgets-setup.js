/*
 * Paying Attention: set up the page for @jupyter-widgets/html-manager (embed-amd.js).
 * Loaded on pages with widget state, after require.js and before embed-amd.js (see
 * nb_ipywidgets_js in _config.yml). Everything resolves under this site's _static/widgets/.
 */
(function () {
  "use strict";
  var widgets = new URL("widgets/", document.currentScript.src).href; // .../_static/widgets/

  // 1. Fonts and other files of the bundle. Webpack resolves them against the require.js URL
  //    of the module that defines them, which by default is relative to the page
  //    (book/@jupyter-widgets/html-manager/dist/...): map those modules to _static/widgets/.
  window.__jupyter_widgets_assets_path__ = widgets;
  //    The live widgets' model module, anywidget, is served here too (copied from its wheel by
  //    make setup); each widget's own ES module travels in the saved widget state.
  window.require.config({
    paths: {
      "@jupyter-widgets/html-manager/dist": widgets.replace(/\/$/, ""),
      // Fonts that @jupyter-widgets/base asks for when another module (anywidget) loads it.
      "@jupyter-widgets": widgets.replace(/\/$/, ""),
      anywidget: widgets + "anywidget",
    },
  });

  // 2. A widget module the bundle lacks is looked up here, never on a CDN. embed-amd.js reads
  //    the first script tag that carries this attribute.
  document.currentScript.setAttribute("data-jupyter-widgets-cdn", widgets + "modules/");

  // 3. ipywidgets typesets descriptions with the MathJax 2 API, MathJax.Hub.Queue, which
  //    MathJax 3 lacks ("Cannot read properties of undefined (reading 'Queue')"). Translate.
  function installHub() {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub) {
      return;
    }
    mathjax.Hub = {
      Queue: function () {
        Array.prototype.forEach.call(arguments, function (job) {
          if (!Array.isArray(job) || job[0] !== "Typeset" || !job[2]) {
            return;
          }
          var ready = (window.MathJax.startup && window.MathJax.startup.promise) || Promise.resolve();
          ready.then(function () {
            if (window.MathJax.typesetPromise) {
              return window.MathJax.typesetPromise([job[2]]);
            }
          }).catch(function (error) {
            console.warn("MathJax could not typeset a widget label:", error);
          });
        });
      },
    };
  }
  installHub();
  // MathJax 3 replaces window.MathJax when it loads (deferred); widgets render on "load",
  // after this listener, which was registered first.
  window.addEventListener("load", installHub);
})();
