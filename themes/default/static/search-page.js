/* govsite search, the page: reads the query from the URL, shows ranked results with excerpts
   and filters. Indexed text is only ever inserted with textContent. */
(function (root) {
  "use strict";
  var A = root.GovsiteAnalyzer, I = root.GovsiteIndex, R = root.GovsiteRank;
  var PAGE = 10;
  var FACETS = [["domain", "domains"], ["item", "items"], ["year", "years"], ["kind", "kinds"]];
  var api = root.GovsiteSearch = root.GovsiteSearch || {};
  var app = document.getElementById("search-app");
  if (!app || !A || !I || !R) return;
  var version = app.getAttribute("data-version");
  var base = app.getAttribute("data-base");
  var el = function (id) { return document.getElementById(id); };
  var state = null;
  var load = function (name) { return I.load(name, version); };

  function params() {
    var out = {}, search = new URLSearchParams(window.location.search);
    ["q", "sort"].concat(FACETS.map(function (f) { return f[0]; })).forEach(function (k) {
      out[k] = search.get(k) || "";
    });
    return out;
  }

  function run() {
    var p = params(), meta;
    el("search-q").value = p.q;
    el("search-sort").value = p.sort === "date" ? "date" : "";
    if (!p.q.trim()) { announce("请输入关键词。"); return Promise.resolve(); }
    announce("正在搜索……");
    return load("meta").then(function (m) {
      meta = m;
      var groups = A.queryGroups(p.q, meta.synonyms);
      return Promise.all(I.shardsFor(meta, groups).map(load)).then(function () {
        var found = R.match(new I.Index(meta), groups);
        // facet columns before the first page only if the URL filters it
        var filtering = FACETS.some(function (f) { return p[f[0]]; });
        var wanted = I.blocksOf(meta, "d/", found.docs)
          .concat(filtering ? I.blocksOf(meta, "f/", found.docs) : []);
        return Promise.all(wanted.map(load)).then(function () {
          state = {meta: meta, found: found, docs: found.docs, groups: groups, query: p.q, shown: 0,
                   filters: p, facets: filtering ? I.facetColumns(meta) : null,
                   points: R.score(meta, found, I.docTable(meta))};
          return show(true);
        });
      });
    }).then(function () {
      if (!state) return null;
      return afterPaint().then(function () {
        return Promise.all(I.blocksOf(meta, "f/", state.docs).map(load));
      }).then(function () {
        if (!setupFacets(p)) return show(true);
        return null;
      });
    }).catch(function () {
      announce("搜索索引加载失败，请稍后重试，或浏览政务公开标准目录。");
      el("search-empty").hidden = false;
    });
  }

  /* the results are painted before the filters are built: their options are not needed to read
     the results, and on a big result list they cost as much as showing it */
  function afterPaint() {
    return new Promise(function (resolve) {
      window.requestAnimationFrame(function () { setTimeout(resolve, 0); });
    });
  }

  /* false if a filter in the URL matches none of the results (the results shown used it) */
  function setupFacets(p) {
    var kept = true;
    state.facets = I.facetColumns(state.meta);
    var counts = {};
    FACETS.forEach(function (f) {
      var tally = counts[f[0]] = new Int32Array(state.meta[f[1]].length), column = state.facets[f[0]];
      for (var i = 0; i < state.docs.length; i++) tally[column[state.docs[i]]]++;
    });
    FACETS.forEach(function (f) {
      var select = el("search-" + f[0]), options = document.createDocumentFragment();
      options.appendChild(option("", "全部"));
      state.meta[f[1]].forEach(function (row, i) {
        if (counts[f[0]][i]) options.appendChild(option(row[0], row[1] + "（" + counts[f[0]][i] + "）"));
      });
      select.textContent = "";
      select.appendChild(options);
      select.value = p[f[0]];
      if (select.value !== p[f[0]]) { select.value = ""; kept = false; }
    });
    state.filters = null;  // from now on, the filters are what the form says
    el("search-facets").hidden = state.docs.length === 0;
    return kept;
  }

  function option(value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    return o;
  }

  function filtered() {
    var meta = state.meta, wanted = {};
    FACETS.forEach(function (f) {
      var value = state.filters ? state.filters[f[0]] : el("search-" + f[0]).value;
      if (value) wanted[f[0]] = meta[f[1]].map(function (row) { return row[0]; }).indexOf(value);
    });
    var keys = Object.keys(wanted), table = state.facets;
    var docs = !keys.length ? state.docs : state.docs.filter(function (doc) {
      return keys.every(function (k) { return table[k][doc] === wanted[k]; });
    });
    return R.ranked(docs, el("search-sort").value === "date" ? null : state.points, state.found,
                    meta.count);
  }

  function show(reset) {
    var list = el("search-results");
    if (reset || !state.ranked) state.ranked = filtered();  // "more" pages through the same list
    var hits = state.ranked, needles = needlesOf(state.query);
    var page = hits.slice(reset ? 0 : state.shown, (reset ? 0 : state.shown) + PAGE);
    var blocks = {};
    page.forEach(function (doc) { blocks["r/" + Math.floor(doc / state.meta.recordBlock)] = true; });
    return Promise.all(Object.keys(blocks).map(load)).then(function () {
      if (reset) { list.textContent = ""; state.shown = 0; }
      var items = document.createDocumentFragment();
      page.forEach(function (doc) { items.appendChild(resultItem(doc, needles)); });
      list.appendChild(items);
      state.shown += page.length;
      el("search-more").hidden = state.shown >= hits.length;
      el("search-empty").hidden = hits.length > 0;
      announce(hits.length
        ? "找到 " + hits.length + " 条与“" + state.query + "”相关的结果" +
          (state.shown < hits.length ? "，显示前 " + state.shown + " 条。" : "。")
        : "没有找到与“" + state.query + "”相关的结果。");
    });
  }

  function record(doc) {
    var block = Math.floor(doc / state.meta.recordBlock);
    return I.loaded["r/" + block][doc - block * state.meta.recordBlock];
  }

  function resultItem(doc, needles) {
    var r = record(doc);
    var li = document.createElement("li");
    var link = document.createElement("a");
    link.className = "result-title";
    link.href = base + r[0];
    highlight(link, r[1], needles);
    var meta = document.createElement("p");
    meta.className = "result-meta";
    var time = document.createElement("time");
    time.setAttribute("datetime", r[2]);
    time.textContent = r[2];
    meta.appendChild(time);
    var extra = [state.meta.items[r[5]][1]].concat(r[3] ? [r[3]] : []);
    meta.appendChild(document.createTextNode(" · " + extra.join(" · ")));
    var excerpt = document.createElement("p");
    excerpt.className = "result-excerpt";
    highlight(excerpt, window_(r[4], needles), needles);
    li.appendChild(link);
    li.appendChild(meta);
    li.appendChild(excerpt);
    return li;
  }

  /* ---- excerpts and highlighting --------------------------------------------------- */

  /* the words of the query and of its synonyms, to highlight */
  function needlesOf(query) {
    var out = [];
    A.normalize(query).split(/\s+/).forEach(function (part) {
      A.variants(part, state.meta.synonyms).forEach(function (form) {
        form.split(/[^\p{L}\p{N}]+/u).forEach(function (word) { if (word) out.push(word); });
      });
    });
    return out;
  }

  var NORMALIZED = {};  // character -> A.normalize(character), for the punctuation of excerpts

  /* the normalised text, and for each of its characters the offset it came from */
  function normalized(text) {
    var norm = "", starts = [], offset = 0;
    for (var ch of text) {
      var code = ch.charCodeAt(0);  // ASCII and CJK ideographs need no NFKC: the common case, fast
      var n = code < 0x80 ? ch.toLowerCase() : code >= 0x4E00 && code <= 0x9FFF ? ch
        : NORMALIZED[ch] || (NORMALIZED[ch] = A.normalize(ch));
      for (var k = 0; k < n.length; k++) starts.push(offset);
      norm += n;
      offset += ch.length;
    }
    starts.push(text.length);
    return {text: norm, starts: starts};
  }

  function ranges(text, needles) {
    var norm = normalized(text), found = [];
    needles.forEach(function (needle) {
      var i = norm.text.indexOf(needle);
      while (i >= 0) {
        var start = norm.starts[i], end = norm.starts[i + needle.length];
        if (end > start) found.push([start, end]);
        i = norm.text.indexOf(needle, i + needle.length);
      }
    });
    found.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]); else merged.push(r.slice());
    });
    return merged;
  }

  function window_(text, needles) {
    var first = ranges(text, needles)[0];
    var start = first ? Math.max(0, first[0] - 30) : 0;
    var cut = text.slice(start, start + 120);
    return (start > 0 ? "…" : "") + cut + (start + 120 < text.length ? "…" : "");
  }

  function highlight(node, text, needles) {
    var at = 0;
    ranges(text, needles).forEach(function (r) {
      node.appendChild(document.createTextNode(text.slice(at, r[0])));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(r[0], r[1]);
      node.appendChild(mark);
      at = r[1];
    });
    node.appendChild(document.createTextNode(text.slice(at)));
  }

  function announce(message) {
    el("search-status").textContent = message;
  }

  /* ---- events ---------------------------------------------------------------------- */

  function syncUrl() {
    var search = new URLSearchParams();
    search.set("q", state.query);
    ["sort"].concat(FACETS.map(function (f) { return f[0]; })).forEach(function (k) {
      var value = el("search-" + k).value;
      if (value) search.set(k, value);
    });
    try { window.history.replaceState(null, "", "?" + search.toString()); } catch (e) { /* file:// in some browsers */ }
  }

  ["sort"].concat(FACETS.map(function (f) { return f[0]; })).forEach(function (k) {
    el("search-" + k).addEventListener("change", function () {
      if (!state) return;
      syncUrl();
      show(true);
    });
  });
  el("search-more").addEventListener("click", function () {
    var next = el("search-results").children.length;
    show(false).then(function () {
      var item = el("search-results").children[next];
      var link = item && item.querySelector("a");
      if (link) link.focus();
    });
  });
  api.run = run;  // the benchmark harness times it
  api.done = run();
})(this);
