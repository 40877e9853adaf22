/* govsite offline search: loads the static index (classic <script> shards calling
   GovsiteSearch.add) and runs the same matching and ranking as govsite/search/query.py.
   Indexed text is only ever inserted with textContent. */
(function () {
  "use strict";
  var A = window.GovsiteAnalyzer;
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var DIGIT = {};
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET.charAt(a)] = a;
  var PAGE = 10;
  var FACETS = [["domain", "domains"], ["item", "items"], ["year", "years"], ["kind", "kinds"]];

  var loaded = {}, pending = {};
  var api = window.GovsiteSearch = {add: function (name, data) { loaded[name] = data; }, timing: null};
  var app = document.getElementById("search-app");
  if (!app || !A) return;
  var version = app.getAttribute("data-version");
  var base = app.getAttribute("data-base");
  var el = function (id) { return document.getElementById(id); };
  var state = null;

  function load(name) {
    if (name in loaded) return Promise.resolve(loaded[name]);
    if (!pending[name]) {
      pending[name] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = name + ".js?v=" + version;
        script.onload = function () {
          if (name in loaded) resolve(loaded[name]); else reject(new Error(name));
        };
        script.onerror = function () { reject(new Error(name)); };
        document.head.appendChild(script);
      });
    }
    return pending[name];
  }

  function varints(text) {
    var out = [], value = 0, scale = 1;
    for (var i = 0; i < text.length; i++) {
      var d = DIGIT[text.charAt(i)];
      if (d >= 32) { value += (d - 32) * scale; scale *= 32; } else {
        out.push(value + d * scale);
        value = 0; scale = 1;
      }
    }
    return out;
  }

  /* ---- index access ---------------------------------------------------------------- */

  function shardOf(meta, term) {
    var lo = 0, hi = meta.shards.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (meta.shards[mid] <= term) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function shardsFor(meta, groups) {
    var wanted = {};
    groups.forEach(function (group) {
      group.forEach(function (unit) {
        var first = shardOf(meta, unit.text), last = first;
        if (unit.mode === "prefix" || unit.mode === "any") last = shardOf(meta, unit.text + "\uffff");
        for (var s = first; s <= last; s++) wanted["t/" + s] = true;
        if (unit.mode !== "term" && unit.mode !== "prefix") wanted["t/" + shardOf(meta, A.TAIL + unit.text)] = true;
      });
    });
    return Object.keys(wanted);
  }

  function Index(meta) {
    this.meta = meta;
    this.terms = {};  // term -> per field: {doc: positions}
  }
  Index.prototype.lookup = function (term) {
    if (!(term in this.terms)) {
      var shard = loaded["t/" + shardOf(this.meta, term)] || {};
      this.terms[term] = term in shard ? decodeTerm(shard[term], this.meta.fields.length) : null;
    }
    return this.terms[term];
  };
  Index.prototype.prefixed = function (prefix) {
    var found = [], meta = this.meta;
    var first = shardOf(meta, prefix), last = shardOf(meta, prefix + "\uffff");
    for (var s = first; s <= last; s++) {
      Object.keys(loaded["t/" + s] || {}).forEach(function (term) {
        if (term.lastIndexOf(prefix, 0) === 0) found.push(term);
      });
    }
    return found;
  };
  Index.prototype.unitTerms = function (unit) {
    if (unit.mode === "term") return [unit.text];
    if (unit.mode === "suffix") return [unit.text, A.TAIL + unit.text];
    var words = this.prefixed(unit.text);
    return unit.mode === "any" ? words.concat([A.TAIL + unit.text]) : words;
  };
  Index.prototype.unitPostings = function (field, unit) {
    var merged = {}, count = 0, self = this;
    this.unitTerms(unit).forEach(function (term) {
      var entry = self.lookup(term);
      var postings = entry && entry[field];
      if (!postings) return;
      Object.keys(postings).forEach(function (doc) {
        if (!merged[doc]) { merged[doc] = {}; count++; }
        postings[doc].forEach(function (p) { merged[doc][p] = true; });
      });
    });
    var result = {};
    Object.keys(merged).forEach(function (doc) { result[doc] = Object.keys(merged[doc]).map(Number); });
    return {docs: result, df: count};
  };

  function decodeTerm(text, nfields) {
    var n = varints(text), i = 0, fields = new Array(nfields);
    while (i < n.length) {
      var field = n[i++], ndocs = n[i++], doc = 0, postings = {};
      for (var k = 0; k < ndocs; k++) {
        doc += n[i++];
        var npos = n[i++], pos = n[i++], positions = [pos];
        for (var j = 1; j < npos; j++) { pos += n[i++]; positions.push(pos); }
        postings[doc] = positions;
      }
      fields[field] = postings;
    }
    return fields;
  }

  /* ---- matching and ranking (mirrors govsite/search/query.py) ----------------------- */

  function phraseDocs(units) {
    if (!units.length || units.some(function (u) { return u.df === 0; })) return [];
    return Object.keys(units[0].docs).filter(function (doc) {
      for (var u = 1; u < units.length; u++) if (!units[u].docs[doc]) return false;
      return hasPhrase(units.map(function (u) { return u.docs[doc]; }));
    }).map(Number);
  }

  function hasPhrase(positions) {
    var later = positions.slice(1).map(function (list) {
      var set = {};
      list.forEach(function (p) { set[p] = true; });
      return set;
    });
    return positions[0].some(function (start) {
      return later.every(function (set, i) { return set[start + i + 1]; });
    });
  }

  function match(index, groups) {
    var fields = index.meta.fields, matches = [], candidates = null;
    groups.forEach(function (group) {
      var found = {};
      fields.forEach(function (name, field) {
        var units = group.map(function (unit) { return index.unitPostings(field, unit); });
        var docs = phraseDocs(units);
        docs.forEach(function (doc) { found[doc] = true; });
        if (docs.length) matches.push({field: field, units: units, docs: docs});
      });
      candidates = candidates === null ? found : intersect(candidates, found);
    });
    return {docs: Object.keys(candidates || {}).map(Number), matches: matches};
  }

  function intersect(a, b) {
    var out = {};
    Object.keys(a).forEach(function (k) { if (b[k]) out[k] = true; });
    return out;
  }

  function bm25(idf, tf, fl, avgfl, B, K1) {
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)));
  }

  function score(meta, docs, matches, docInfo) {
    var scores = {};
    docs.forEach(function (doc) { scores[doc] = 0.0; });
    matches.forEach(function (m) {
      var b = meta.b[m.field], avg = meta.average[m.field], boost = meta.boosts[m.field];
      m.docs.forEach(function (doc) {
        if (!(doc in scores)) return;
        var info = docInfo(doc);
        var name = meta.fields[m.field];
        var length = name === "title" ? info.titleLen : name === "body" ? info.bodyLen : 0;
        var total = 0.0;
        m.units.forEach(function (u) {
          total += bm25(Math.log(meta.count / (u.df + 1)) + 1, u.docs[doc].length, length, avg, b, meta.k1);
        });
        scores[doc] = scores[doc] + boost * total;
      });
    });
    return docs.map(function (doc) {
      return {doc: doc, score: Math.floor(scores[doc] * 1e6 + 0.5) / 1e6};
    });
  }

  function docTable(meta) {
    var cache = {};
    return function (doc) {
      var block = Math.floor(doc / meta.docBlock);
      if (!cache[block]) cache[block] = varints(loaded["d/" + block]);
      var n = cache[block], i = (doc - block * meta.docBlock) * 5;
      var item = n[i + 2];
      return {titleLen: n[i], bodyLen: n[i + 1], item: item, domain: Number(meta.items[item][2]),
              kind: n[i + 3], year: n[i + 4]};
    };
  }

  /* ---- page --------------------------------------------------------------------- */

  function params() {
    var out = {}, search = new URLSearchParams(window.location.search);
    ["q", "sort"].concat(FACETS.map(function (f) { return f[0]; })).forEach(function (k) {
      out[k] = search.get(k) || "";
    });
    return out;
  }

  function run() {
    var p = params();
    el("search-q").value = p.q;
    el("search-sort").value = p.sort === "date" ? "date" : "";
    var groups = A.queryGroups(p.q);
    if (!p.q.trim()) { announce("请输入关键词。"); return Promise.resolve(); }
    announce("正在搜索……");
    var meta;
    return load("meta").then(function (m) {
      meta = m;
      return Promise.all(shardsFor(meta, groups).map(load));
    }).then(function () {
      var index = new Index(meta), found = match(index, groups);
      var blocks = {};
      found.docs.forEach(function (doc) { blocks["d/" + Math.floor(doc / meta.docBlock)] = true; });
      return Promise.all(Object.keys(blocks).map(load)).then(function () {
        var started = performance.now(), info = docTable(meta);
        var hits = groups.length ? score(meta, found.docs, found.matches, info) : [];
        state = {meta: meta, hits: hits, info: info, groups: groups, query: p.q, shown: 0};
        setupFacets(p);
        return show(true, performance.now() - started);
      });
    }).catch(function () {
      announce("搜索索引加载失败，请稍后重试，或浏览政务公开标准目录。");
      el("search-empty").hidden = false;
    });
  }

  function setupFacets(p) {
    var counts = {};
    FACETS.forEach(function (f) { counts[f[0]] = {}; });
    state.hits.forEach(function (hit) {
      var info = state.info(hit.doc);
      FACETS.forEach(function (f) { counts[f[0]][info[f[0]]] = (counts[f[0]][info[f[0]]] || 0) + 1; });
    });
    FACETS.forEach(function (f) {
      var select = el("search-" + f[0]);
      select.textContent = "";
      select.appendChild(option("", "全部"));
      state.meta[f[1]].forEach(function (row, i) {
        if (counts[f[0]][i]) select.appendChild(option(row[0], row[1] + "（" + counts[f[0]][i] + "）"));
      });
      select.value = p[f[0]];
      if (select.value !== p[f[0]]) select.value = "";
    });
    el("search-facets").hidden = state.hits.length === 0;
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
      var value = el("search-" + f[0]).value;
      if (value) wanted[f[0]] = meta[f[1]].map(function (row) { return row[0]; }).indexOf(value);
    });
    var hits = state.hits.filter(function (hit) {
      var info = state.info(hit.doc);
      return Object.keys(wanted).every(function (k) { return info[k] === wanted[k]; });
    });
    var byDate = el("search-sort").value === "date";
    return hits.sort(function (x, y) {
      return byDate ? x.doc - y.doc : (y.score - x.score) || (x.doc - y.doc);
    });
  }

  /* `spent`: ms already spent ranking; api.timing.render adds the DOM work, not the loading */
  function show(reset, spent) {
    var started = performance.now(), hits = filtered(), list = el("search-results");
    var page = hits.slice(reset ? 0 : state.shown, (reset ? 0 : state.shown) + PAGE);
    var blocks = {};
    page.forEach(function (hit) { blocks["r/" + Math.floor(hit.doc / state.meta.recordBlock)] = true; });
    var before = performance.now() - started;
    return Promise.all(Object.keys(blocks).map(load)).then(function () {
      started = performance.now();
      if (reset) { list.textContent = ""; state.shown = 0; }
      page.forEach(function (hit) { list.appendChild(resultItem(hit)); });
      state.shown += page.length;
      el("search-more").hidden = state.shown >= hits.length;
      el("search-empty").hidden = hits.length > 0;
      announce(hits.length
        ? "找到 " + hits.length + " 条与“" + state.query + "”相关的结果" +
          (state.shown < hits.length ? "，显示前 " + state.shown + " 条。" : "。")
        : "没有找到与“" + state.query + "”相关的结果。");
      api.timing = {render: (spent || 0) + before + performance.now() - started};
    });
  }

  function record(doc) {
    var block = Math.floor(doc / state.meta.recordBlock);
    return loaded["r/" + block][doc - block * state.meta.recordBlock];
  }

  function resultItem(hit) {
    var r = record(hit.doc), info = state.info(hit.doc), needles = needlesOf(state.query);
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
    var extra = [state.meta.items[info.item][1]].concat(r[3] ? [r[3]] : []);
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

  function needlesOf(query) {
    var out = [];
    A.normalize(query).split(/[^\p{L}\p{N}]+/u).forEach(function (part) {
      if (part) out.push(part);
    });
    return out;
  }

  function normalized(text) {
    var norm = "", starts = [], offset = 0;
    for (var ch of text) {
      var n = A.normalize(ch);
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
  api.done = run();
})();
