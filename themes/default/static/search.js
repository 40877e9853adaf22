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
    this.terms = {};  // term -> {text, at: per field, where its postings start; lists: decoded}
    this.expanded = {};  // "mode text" -> terms of a prefix or any unit
  }
  Index.prototype.lookup = function (term) {
    if (!(term in this.terms)) {
      var shard = loaded["t/" + shardOf(this.meta, term)] || {};
      this.terms[term] = term in shard ? {text: shard[term], at: sections(shard[term]), lists: {}} : null;
    }
    return this.terms[term];
  };
  /* whether some term of the unit occurs in the field (the term entries say, undecoded) */
  Index.prototype.holds = function (field, unit) {
    var self = this;
    return this.unitTerms(unit).some(function (term) {
      var entry = self.lookup(term);
      return entry !== null && field in entry.at;
    });
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
  /* A posting list: {docs: ascending, tfs: positions per document, positions(k): sorted,
     reader(): see lazyList}, here the union over the unit's terms */
  Index.prototype.unitPostings = function (field, unit) {
    var self = this, lists = [], clash = [];
    this.unitTerms(unit).forEach(function (term) {
      var entry = self.lookup(term);
      if (!entry || !(field in entry.at)) return;
      if (!entry.lists[field]) entry.lists[field] = postingList(entry.text, entry.at[field]);
      lists.push(entry.lists[field]);
      // only a run's tail and a doubled character ("cc") can share a position
      if (unit.mode === "any" && (term === A.TAIL + unit.text || term === unit.text + unit.text)) {
        clash.push(lists.length - 1);
      }
    });
    if (lists.length < 2) return lists[0] || EMPTY;
    return union(lists, clash.length === 2 ? clash : null, this.meta.count);
  };

  var EMPTY = {docs: [], tfs: [], positions: null, reader: null};

  /* the union of sorted posting lists over `count` documents; `clash`: two lists whose positions
     may coincide. Documents and summed frequencies come from one pass over the lists; a union
     document's positions are gathered only when a phrase asks for them. */
  function union(lists, clash, count) {
    var tf = new Int32Array(count), found = [], l, k, list, doc;
    for (l = 0; l < lists.length; l++) {
      list = lists[l];
      for (k = 0; k < list.docs.length; k++) {
        doc = list.docs[k];
        if (!tf[doc]) found.push(doc);
        tf[doc] += list.tfs[k];
      }
    }
    var docs = Int32Array.from(found).sort(), tfs = new Array(docs.length);  // a native sort
    for (k = 0; k < docs.length; k++) tfs[k] = tf[docs[k]];
    var cursors = new Int32Array(lists.length), previous = -1;
    function positions(j) {
      var all = [], parts = 0, last = null;
      if (docs[j] < previous) cursors.fill(0);
      previous = docs[j];
      for (var l = 0; l < lists.length; l++) {
        var at = cursors[l] = seek(lists[l].docs, cursors[l], docs[j]);
        if (lists[l].docs[at] !== docs[j]) continue;
        last = lists[l].positions(at);
        all = all.concat(last);
        parts++;
      }
      return parts === 1 ? last : unique(all);
    }
    if (clash) {  // documents holding both lists: count their shared positions once
      var one = lists[clash[0]].docs, other = lists[clash[1]].docs, at = 0, where = {};
      for (k = 0; k < docs.length; k++) where[docs[k]] = k;
      for (k = 0; k < one.length; k++) {
        at = seek(other, at, one[k]);
        if (other[at] === one[k]) tfs[where[one[k]]] = positions(where[one[k]]).length;
      }
    }
    return {docs: docs, tfs: tfs, positions: positions, reader: function () {
      var streamed = [], next = 0;
      return {open: function (j) { streamed = positions(j); next = 0; },
              next: function () { return next < streamed.length ? streamed[next++] : -1; }};
    }};
  }

  function unique(positions) {
    var sorted = positions.slice().sort(function (x, y) { return x - y; });
    return sorted.filter(function (p, i) { return i === 0 || p !== sorted[i - 1]; });
  }

  /* {field index: where its postings start} from a term's entry, [field, length, postings]
     per field (see join_entry() in govsite/search/exporter.py): a field is decoded only if the
     query needs it */
  function sections(text) {
    var i = 0, at = {}, value, scale, d, numbers = [0, 0];
    while (i < text.length) {
      for (var h = 0; h < 2; h++) {  // field index, length of its postings
        value = 0; scale = 1;
        while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
        numbers[h] = value + d * scale;
      }
      at[numbers[0]] = i;
      i += numbers[1];
    }
    return at;
  }

  /* the posting list at `i`: the number of documents, their heads, then their positions, which
     are decoded only when asked for */
  function postingList(text, i) {
    // varints are decoded inline (value, scale, d): this loop runs cold, before the JIT warms up
    var value = 0, scale = 1, d;
    while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
    var ndocs = value + d * scale, doc = 0, docs = new Array(ndocs), tfs = new Array(ndocs);
    for (var k = 0; k < ndocs; k++) {
      value = 0; scale = 1;  // 2 * delta + (1 if the document has one position)
      while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
      var step = value + d * scale;
      doc += Math.floor(step / 2);
      docs[k] = doc;
      if (step % 2) { tfs[k] = 1; } else {
        value = 0; scale = 1;
        while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
        tfs[k] = value + d * scale;
      }
    }
    return lazyList(text, docs, tfs, i);
  }

  /* positions are read forwards, as a stream: a reader's open(k), then next() until it gives -1.
     Matching asks for documents in ascending order, and a phrase usually stands at the first
     positions it tries, so the rest of a document's positions are skipped, not decoded. Each
     unit of a phrase has its own reader: a phrase may hold a term twice. */
  function lazyList(text, docs, tfs, start) {
    function reader() {
      var atDoc = 0, atChar = start, i = 0, left = 0, pos = 0;
      return {open: function (k) {
        if (k < atDoc) { atDoc = 0; atChar = start; }
        for (i = atChar; atDoc < k; atDoc++) {
          for (var c = 0; c < tfs[atDoc]; i++) if (CODE[text.charCodeAt(i)] < 32) c++;
        }
        atChar = i;
        left = tfs[k];
        pos = 0;
      }, next: function () {
        if (!left) return -1;
        left--;
        var value = 0, scale = 1, d;
        while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
        pos += value + d * scale;  // the first is absolute, then deltas
        return pos;
      }};
    }
    var own = reader();
    return {docs: docs, tfs: tfs, reader: reader, positions: function (k) {
      own.open(k);
      var out = new Array(tfs[k]);
      for (var c = 0; c < out.length; c++) out[c] = own.next();
      return out;
    }};
  }

  /* ---- matching and ranking (mirrors govsite/search/query.py) ----------------------- */

  /* {docs, tfs}: documents where the units stand at consecutive positions, and each unit's
     term frequency there (tfs[j * units + k]). The shortest list drives; the others are searched
     forwards, so a rare unit beside a very common one stays cheap. */
  function phraseDocs(units) {
    var out = {docs: [], tfs: []}, n = units.length, u;
    if (!n || units.some(function (unit) { return !unit.docs.length; })) return out;
    if (n === 1) return {docs: units[0].docs, tfs: units[0].tfs};
    var driver = 0;
    for (u = 1; u < n; u++) if (units[u].docs.length < units[driver].docs.length) driver = u;
    var at = new Int32Array(n), heads = new Int32Array(n);
    var readers = units.map(function (unit) { return unit.reader(); });
    var lead = units[driver].docs;
    for (var i = 0; i < lead.length; i++) {
      var doc = lead[i], found = true;
      for (u = 0; u < n && found; u++) {
        if (u === driver) { at[u] = i; continue; }
        at[u] = seek(units[u].docs, at[u], doc);
        found = units[u].docs[at[u]] === doc;
      }
      if (!found || !hasPhrase(readers, at, heads)) continue;
      out.docs.push(doc);
      for (u = 0; u < n; u++) out.tfs.push(units[u].tfs[at[u]]);
    }
    return out;
  }

  /* the first index >= from whose value is >= value (galloping, then binary search) */
  function seek(list, from, value) {
    var step = 1, hi = from;
    while (hi < list.length && list[hi] < value) { from = hi + 1; hi += step; step *= 2; }
    if (hi > list.length) hi = list.length;
    while (from < hi) {
      var mid = (from + hi) >> 1;
      if (list[mid] < value) from = mid + 1; else hi = mid;
    }
    return from;
  }

  /* whether unit u stands at first + u for some position `first` of unit 0, in the documents
     at[u] of the units' lists; each unit's positions are read only as far as needed */
  function hasPhrase(readers, at, heads) {
    var n = readers.length, u;
    for (u = 0; u < n; u++) { readers[u].open(at[u]); heads[u] = readers[u].next(); }
    for (var first = heads[0]; first >= 0; first = readers[0].next()) {
      var ok = true;
      for (u = 1; u < n && ok; u++) {
        while (heads[u] >= 0 && heads[u] < first + u) heads[u] = readers[u].next();
        if (heads[u] < 0) return false;
        ok = heads[u] === first + u;
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
        if (!group.every(function (unit) { return index.holds(field, unit); })) return;
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

  /* Whoosh's BM25, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), in two
     steps: the length part once per document and field. The operations and their order are
     Whoosh's, so the scores are the same doubles as query.py's. */
  function lengthPart(fl, avgfl, B, K1) {
    return K1 * ((1 - B) + B * fl / avgfl);
  }

  /* per document, its score in millionths (rounded as query.py rounds); sums in the order of
     query.py */
  function score(meta, found, table) {
    var scores = new Float64Array(meta.count);
    found.matches.forEach(function (m) {
      var b = meta.b[m.field], avg = meta.average[m.field], boost = meta.boosts[m.field], k1 = meta.k1;
      var name = meta.fields[m.field], n = m.units.length;
      var column = name === "title" ? 0 : name === "body" ? 1 : -1;
      var idfs = m.units.map(function (u) { return Math.log(meta.count / (u.docs.length + 1)) + 1; });
      for (var j = 0; j < m.docs.length; j++) {
        var doc = m.docs[j];
        if (found.groupsMatched[doc] !== found.groups) continue;
        var part = lengthPart(column < 0 ? 0 : table.length(column, doc), avg, b, k1), total = 0.0;
        for (var k = 0; k < n; k++) {
          var tf = m.tfs[j * n + k];
          total += idfs[k] * ((tf * (k1 + 1)) / (tf + part));
        }
        scores[doc] = scores[doc] + boost * total;
      }
    });
    for (var i = 0; i < found.docs.length; i++) {
      scores[found.docs[i]] = Math.floor(scores[found.docs[i]] * 1e6 + 0.5);
    }
    return scores;
  }

  /* per document of the loaded d/ blocks: title and body lengths (for ranking), read where they
     stand (Whoosh's length byte in as many digits as the block says for the column; meta.lengths
     turns it into the length); then, as varints read by facetColumns(), item, kind and year (for
     the filters), and domain (from the item) */
  function docTable(meta) {
    var texts = [], sizes = [], widths = [];
    forBlocks(meta, function (text, block, size) {
      texts[block] = text;
      sizes[block] = size;
      widths[block] = [CODE[text.charCodeAt(0)], CODE[text.charCodeAt(1)]];
    });
    return {texts: texts, sizes: sizes, widths: widths, length: function (column, doc) {
      var block = Math.floor(doc / meta.docBlock), text = texts[block], width = widths[block];
      var at = 2 + (column ? sizes[block] * width[0] : 0) + (doc - block * meta.docBlock) * width[column];
      var byte = width[column] === 1 ? CODE[text.charCodeAt(at)]
        : CODE[text.charCodeAt(at)] * 64 + CODE[text.charCodeAt(at + 1)];
      return meta.lengths[byte];
    }};
  }

  function facetColumns(meta, table) {
    if (table.item) return;
    var n = meta.count;
    table.item = new Int32Array(n); table.kind = new Int32Array(n); table.year = new Int32Array(n);
    table.texts.forEach(function (text, block) {
      var size = table.sizes[block];
      var start = 2 + size * (table.widths[block][0] + table.widths[block][1]);
      readColumns(text, start, [table.item, table.kind, table.year], block * meta.docBlock, size);
    });
    var domainOf = meta.items.map(function (row) { return Number(row[2]); });
    table.domain = new Int32Array(n);
    for (var doc = 0; doc < n; doc++) table.domain[doc] = domainOf[table.item[doc]];
  }

  function forBlocks(meta, each) {
    for (var block = 0; block * meta.docBlock < meta.count; block++) {
      var text = loaded["d/" + block];
      if (text) each(text, block, Math.min(meta.docBlock, meta.count - block * meta.docBlock));
    }
  }

  /* `size` varints into each column from document `first`, reading `text` from `i` */
  function readColumns(text, i, columns, first, size) {
    for (var c = 0; c < columns.length; c++) {
      for (var doc = first; doc < first + size; doc++) {
        var value = 0, scale = 1, d;
        while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
        columns[c][doc] = value + d * scale;
      }
    }
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
        var table = docTable(meta), points = score(meta, found, table);
        var scoring = performance.now() - started;
        state = {meta: meta, table: table, docs: found.docs, points: points, groups: groups,
                 query: p.q, shown: 0, filters: p};
        return show(true, matching + performance.now() - started).then(function () {
          api.timing.match = matching;
          api.timing.score = scoring;
          return afterPaint();
        }).then(function () {
          var faceted = performance.now();
          if (!setupFacets(p)) return show(true);
          api.timing.facets = performance.now() - faceted;
        });
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
    facetColumns(state.meta, state.table);
    var counts = {};
    FACETS.forEach(function (f) {
      var tally = counts[f[0]] = new Int32Array(state.meta[f[1]].length), column = state.table[f[0]];
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
    var keys = Object.keys(wanted), table = state.table;
    if (keys.length) facetColumns(meta, table);
    var docs = !keys.length ? state.docs : state.docs.filter(function (doc) {
      return keys.every(function (k) { return table[k][doc] === wanted[k]; });
    });
    return ranked(docs, el("search-sort").value === "date" ? null : state.points, meta.count);
  }

  /* newest first (document numbers are publication order, oldest first), or by `points`, then
     newest first. Each document becomes one number, rank * count + (count - 1 - doc), so the sort
     compares numbers natively; documents are read back from it only for the page shown. */
  function ranked(docs, points, count) {
    if (!points) return docs.slice().reverse();
    var top = 0, i;
    for (i = 0; i < docs.length; i++) if (points[docs[i]] > top) top = points[docs[i]];
    if ((top + 1) * count > Number.MAX_SAFE_INTEGER) {
      return docs.slice().sort(function (x, y) { return (points[y] - points[x]) || (y - x); });
    }
    var keys = new Float64Array(docs.length);
    for (i = 0; i < docs.length; i++) keys[i] = (top - points[docs[i]]) * count + (count - 1 - docs[i]);
    keys.sort();
    return {length: keys.length, slice: function (start, end) {
      var page = [];
      for (var k = start; k < Math.min(end, keys.length); k++) page.push(count - 1 - keys[k] % count);
      return page;
    }};
  }

  /* `spent`: ms already spent ranking; api.timing.render adds the DOM work, not the loading */
  function show(reset, spent) {
    var started = performance.now(), list = el("search-results");
    if (reset || !state.ranked) state.ranked = filtered();  // "more" pages through the same list
    var hits = state.ranked, needles = needlesOf(state.query);
    var page = hits.slice(reset ? 0 : state.shown, (reset ? 0 : state.shown) + PAGE);
    var blocks = {};
    page.forEach(function (doc) { blocks["r/" + Math.floor(doc / state.meta.recordBlock)] = true; });
    var before = performance.now() - started;
    return Promise.all(Object.keys(blocks).map(load)).then(function () {
      started = performance.now();
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
      api.timing = {render: (spent || 0) + before + performance.now() - started};
    });
  }

  function record(doc) {
    var block = Math.floor(doc / state.meta.recordBlock);
    return loaded["r/" + block][doc - block * state.meta.recordBlock];
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

  function needlesOf(query) {
    var out = [];
    A.normalize(query).split(/[^\p{L}\p{N}]+/u).forEach(function (part) {
      if (part) out.push(part);
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
  api.done = run();
})();
