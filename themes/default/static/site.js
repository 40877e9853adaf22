/* Reading aids: font size (标准/大/特大), high contrast (关怀版), print. The site reads without it. */
(function () {
  var root = document.documentElement;
  function save(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* ignore */ } }
  function setFont(size) {
    root.classList.remove("font-large", "font-xlarge");
    if (size !== "normal") root.classList.add("font-" + size);
    save("govsite-font", size);
    sync();
  }
  function sync() {
    var current = root.classList.contains("font-xlarge") ? "xlarge"
      : root.classList.contains("font-large") ? "large" : "normal";
    document.querySelectorAll("[data-font]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-font") === current));
    });
    document.querySelectorAll("[data-contrast]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(root.classList.contains("contrast")));
    });
  }
  document.querySelectorAll("[data-font]").forEach(function (b) {
    b.addEventListener("click", function () { setFont(b.getAttribute("data-font")); });
  });
  document.querySelectorAll("[data-contrast]").forEach(function (b) {
    b.addEventListener("click", function () {
      var on = root.classList.toggle("contrast");
      save("govsite-contrast", on ? "on" : "off");
      sync();
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll(".prefs").forEach(function (p) { p.hidden = false; });
  sync();
})();
