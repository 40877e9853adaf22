/* govsite offline search: loads the static index (classic <script> shards calling
   GovsiteSearch.add) and runs the same matching and ranking as govsite/search/query.py.
   Indexed text is only ever inserted with textContent. */
(function () {
  "use strict";
  var A = window.GovsiteAnalyzer;
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var CODE = new Int8Array(128);
  for (var a = 0; a < ALPHABET.length; a++) CODE[ALPHABET.charCodeAt(a)] = a;
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
      var d = CODE[text.charCodeAt(i)];
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
    if (!meta.shards.length) return [];  // nothing published yet
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
    this.terms = {};  // term -> per field: postings
    this.expanded = {};  // "mode text" -> terms of a prefix or any unit
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
    var key = unit.mode + " " + unit.text;
    if (!this.expanded[key]) {
      var words = this.prefixed(unit.text);
      this.expanded[key] = unit.mode === "any" ? words.concat([A.TAIL + unit.text]) : words;
    }
    return this.expanded[key];
  };
  /* A posting list: {docs: ascending, tfs: positions per document, positions(k): sorted},
     here the union over the unit's terms */
  Index.prototype.unitPostings = function (field, unit) {
    var self = this, lists = [], clash = [];
    this.unitTerms(unit).forEach(function (term) {
      var entry = self.lookup(term);
      if (!entry || !entry[field]) return;
      lists.push(entry[field]);
      // only a run's tail and a doubled character ("cc") can share a position
      if (unit.mode === "any" && (term === A.TAIL + unit.text || term === unit.text + unit.text)) {
        clash.push(lists.length - 1);
      }
    });
    return lists.length < 2 ? lists[0] || EMPTY : union(lists, clash.length === 2 ? clash : null);
  };

  var EMPTY = {docs: [], tfs: [], positions: null};

  /* the union of sorted posting lists; `clash`: two lists whose positions may coincide */
  function union(lists, clash) {
    var total = 0, n = 0;
    lists.forEach(function (list) { total += list.docs.length; });
    var keys = new Float64Array(total);
    lists.forEach(function (list, l) {
      for (var k = 0; k < list.docs.length; k++) keys[n++] = list.docs[k] * 65536 + l;
    });
    keys.sort();
    var next = new Int32Array(lists.length), docs = [], tfs = [], sources = [];
    for (var i = 0; i < total; i++) {
      var doc = Math.floor(keys[i] / 65536), l = keys[i] - doc * 65536, k = next[l]++;
      var last = docs.length - 1;
      if (last < 0 || docs[last] !== doc) { docs.push(doc); tfs.push(0); sources.push([]); last++; }
      tfs[last] += lists[l].tfs[k];
      sources[last].push([l, k]);
    }
    function positions(i) {
      var all = [];
      sources[i].forEach(function (s) { all = all.concat(lists[s[0]].positions(s[1])); });
      return sources[i].length === 1 ? all : unique(all);
    }
    if (clash) {
      sources.forEach(function (from, i) {
        var ls = from.map(function (s) { return s[0]; });
        if (ls.indexOf(clash[0]) >= 0 && ls.indexOf(clash[1]) >= 0) tfs[i] = positions(i).length;
      });
    }
    return {docs: docs, tfs: tfs, positions: positions};
  }

  function unique(positions) {
    var sorted = positions.slice().sort(function (x, y) { return x - y; });
    return sorted.filter(function (p, i) { return i === 0 || p !== sorted[i - 1]; });
  }

  /* per field, a posting list whose positions are decoded only when asked for */
  function decodeTerm(text, nfields) {
    var i = 0, fields = new Array(nfields);
    function next() {  // one varint, straight from the string
      var value = 0, scale = 1, d;
      while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
      return value + d * scale;
    }
    while (i < text.length) {
      var field = next(), ndocs = next(), doc = 0;
      var docs = new Array(ndocs), tfs = new Array(ndocs), at = new Array(ndocs);
      for (var k = 0; k < ndocs; k++) {
        var step = next();  // 2 * delta + (1 if the document has one position)
        doc += Math.floor(step / 2);
        docs[k] = doc;
        tfs[k] = step % 2 ? 1 : next();
        at[k] = i;
        for (var c = 0; c < tfs[k]; i++) if (CODE[text.charCodeAt(i)] < 32) c++;
      }
      fields[field] = lazyList(text, docs, tfs, at);
    }
    return fields;
  }

  function lazyList(text, docs, tfs, at) {
    return {docs: docs, tfs: tfs, positions: function (k) {
      var out = new Array(tfs[k]), i = at[k], pos = 0;
      for (var c = 0; c < tfs[k]; c++) {
        var value = 0, scale = 1, d;
        while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
        pos += value + d * scale;  // the first is absolute, then deltas
        out[c] = pos;
      }
      return out;
    }};
  }

  /* ---- matching and ranking (mirrors govsite/search/query.py) ----------------------- */

  /* {docs, tfs}: documents where the units stand at consecutive positions, with each unit's
     term frequency there (walks sorted lists) */
  function phraseDocs(units) {
    var out = {docs: [], tfs: []};
    if (!units.length || units.some(function (u) { return !u.docs.length; })) return out;
    var at = units.map(function () { return 0; }), first = units[0];
    if (units.length === 1) return {docs: first.docs, tfs: first.tfs.map(function (t) { return [t]; })};
    for (var i = 0; i < first.docs.length; i++) {
      var doc = first.docs[i], index = [i];
      for (var u = 1; u < units.length && index.length === u; u++) {
        var list = units[u].docs;
        while (at[u] < list.length && list[at[u]] < doc) at[u]++;
        if (list[at[u]] === doc) index.push(at[u]);
      }
      if (index.length < units.length) continue;
      if (!hasPhrase(units.map(function (unit, k) { return unit.positions(index[k]); }))) continue;
      out.docs.push(doc);
      out.tfs.push(units.map(function (unit, k) { return unit.tfs[index[k]]; }));
    }
    return out;
  }

  function hasPhrase(positions) {
    var at = positions.map(function () { return 0; }), first = positions[0];
    for (var s = 0; s < first.length; s++) {
      var ok = true;
      for (var u = 1; u < positions.length && ok; u++) {
        var list = positions[u], want = first[s] + u;
        while (at[u] < list.length && list[at[u]] < want) at[u]++;
        ok = list[at[u]] === want;
      }
      if (ok) return true;
    }
    return false;
  }

  /* documents matching every group in some field, ascending; and each (field, group) match */
  function match(index, groups) {
    var n = index.meta.count, fields = index.meta.fields, matches = [];
    var groupsMatched = new Uint16Array(n);
    groups.forEach(function (group, g) {
      var seen = new Uint8Array(n);
      fields.forEach(function (name, field) {
        var units = group.map(function (unit) { return index.unitPostings(field, unit); });
        var found = phraseDocs(units);
        for (var i = 0; i < found.docs.length; i++) seen[found.docs[i]] = 1;
        if (found.docs.length) matches.push({field: field, units: units, docs: found.docs, tfs: found.tfs});
      });
      for (var d = 0; d < n; d++) if (seen[d] && groupsMatched[d] === g) groupsMatched[d] = g + 1;
    });
    var docs = [];
    for (var d = 0; d < n; d++) if (groups.length && groupsMatched[d] === groups.length) docs.push(d);
    return {docs: docs, matches: matches, groupsMatched: groupsMatched, groups: groups.length};
  }

  function bm25(idf, tf, fl, avgfl, B, K1) {
    return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)));
  }

  /* hits {doc, score, item, domain, kind, year}; sums in the order of query.py */
  function score(meta, found, docInfo) {
    var scores = new Float64Array(meta.count), infos = {};
    found.matches.forEach(function (m) {
      var b = meta.b[m.field], avg = meta.average[m.field], boost = meta.boosts[m.field];
      var name = meta.fields[m.field];
      m.docs.forEach(function (doc, j) {
        if (found.groupsMatched[doc] !== found.groups) return;
        var info = infos[doc] || (infos[doc] = docInfo(doc));
        var length = name === "title" ? info.titleLen : name === "body" ? info.bodyLen : 0;
        var total = 0.0;
        m.units.forEach(function (u, k) {
          total += bm25(Math.log(meta.count / (u.docs.length + 1)) + 1, m.tfs[j][k], length, avg, b, meta.k1);
        });
        scores[doc] = scores[doc] + boost * total;
      });
    });
    return found.docs.map(function (doc) {
      var hit = infos[doc];
      hit.doc = doc;
      hit.score = Math.floor(scores[doc] * 1e6 + 0.5) / 1e6;
      return hit;
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
      var started = performance.now(), found = match(new Index(meta), groups);
      var matching = performance.now() - started, blocks = {};
      found.docs.forEach(function (doc) { blocks["d/" + Math.floor(doc / meta.docBlock)] = true; });
      return Promise.all(Object.keys(blocks).map(load)).then(function () {
        started = performance.now();
        var hits = score(meta, found, docTable(meta));
        var scoring = performance.now() - started;
        state = {meta: meta, hits: hits, groups: groups, query: p.q, shown: 0};
        setupFacets(p);
        return show(true, matching + performance.now() - started).then(function () {
          api.timing.match = matching;
          api.timing.score = scoring;
        });
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
      FACETS.forEach(function (f) { counts[f[0]][hit[f[0]]] = (counts[f[0]][hit[f[0]]] || 0) + 1; });
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
    var keys = Object.keys(wanted);
    var hits = state.hits.filter(function (hit) {
      return keys.every(function (k) { return hit[k] === wanted[k]; });
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
    var r = record(hit.doc), needles = needlesOf(state.query);
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
    var extra = [state.meta.items[hit.item][1]].concat(r[3] ? [r[3]] : []);
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
