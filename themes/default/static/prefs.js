/* Applies the reader's saved font size and contrast before the page paints. */
(function () {
  try {
    var root = document.documentElement;
    var font = localStorage.getItem("govsite-font");
    if (font === "large" || font === "xlarge") root.classList.add("font-" + font);
    if (localStorage.getItem("govsite-contrast") === "on") root.classList.add("contrast");
  } catch (e) { /* storage may be unavailable (file://, privacy mode) */ }
})();
