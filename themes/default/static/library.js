/* 政策文件库: narrow the rows of the page shown (static filter pages work without this). */
(function () {
  var form = document.querySelector("[data-library-filter]");
  if (!form) return;
  var rows = Array.prototype.slice.call(document.querySelectorAll(".library-table tbody tr"));
  var status = form.querySelector(".library-status");
  var fields = Array.prototype.slice.call(form.querySelectorAll("[data-key]"));
  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var keep = fields.every(function (field) {
        var value = field.value.trim();
        if (!value) return true;
        if (field.getAttribute("data-key") === "text") {
          return row.textContent.toLowerCase().indexOf(value.toLowerCase()) !== -1;
        }
        return row.getAttribute("data-" + field.getAttribute("data-key")) === value;
      });
      row.hidden = !keep;
      if (keep) shown += 1;
    });
    status.textContent = "显示 " + shown + " 件，共 " + rows.length + " 件";
  }
  fields.forEach(function (field) {
    field.addEventListener(field.tagName === "SELECT" ? "change" : "input", apply);
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
})();
