/* govsite search, index reading: loads the browser index (docs/search-format.md), classic
   <script> files calling GovsiteSearch.add, so that it works from file:// too; decodes terms'
   posting lists, document lengths and facet columns. */
(function (root) {
  "use strict";
  var A = root.GovsiteAnalyzer;
  var ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var CODE = new Int8Array(128);
  for (var a = 0; a < ALPHABET.length; a++) CODE[ALPHABET.charCodeAt(a)] = a;
  var loaded = {}, pending = {};
  var api = root.GovsiteSearch = root.GovsiteSearch || {};
  api.add = function (name, data) { loaded[name] = data; };

  /* a file of the index (name without ".js"), as a promise; `version` busts stale caches */
  function load(name, version) {
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

  // shard N + 1 starts at bounds[N]: a term is in the shard after the last bound not after it
  function boundsOf(meta) {
    if (!meta.bounds) meta.bounds = meta.shards ? meta.shards.split(" ") : [];
    return meta.bounds;
  }

  function shardOf(meta, term) {
    var bounds = boundsOf(meta), lo = 0, hi = bounds.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (bounds[mid] <= term) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  function shardsFor(meta, groups) {
    var wanted = {};
    if (!meta.count) return [];  // nothing published yet
    [].concat.apply([], groups).forEach(function (phrase) {
      phrase.forEach(function (unit) {
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

  /* the varint at cursor.i of `text` (docs/search-format.md); cursor.i moves past it */
  function varint(text, cursor) {
    var i = cursor.i, value = 0, scale = 1, d;
    while ((d = CODE[text.charCodeAt(i++)]) >= 32) { value += (d - 32) * scale; scale *= 32; }
    cursor.i = i;
    return value + d * scale;
  }

  /* {field index: where its postings start} from a term's entry, [field, length, postings]
     per field: a field is decoded only if the query needs it */
  function sections(text) {
    var at = {}, cursor = {i: 0};
    while (cursor.i < text.length) {
      var field = varint(text, cursor), length = varint(text, cursor);
      at[field] = cursor.i;
      cursor.i += length;
    }
    return at;
  }

  /* the posting list at `i`: the number of documents, their heads, then their positions, which
     are decoded only when asked for */
  function postingList(text, i) {
    var cursor = {i: i}, ndocs = varint(text, cursor), doc = 0;
    var docs = new Array(ndocs), tfs = new Array(ndocs);
    for (var k = 0; k < ndocs; k++) {
      var step = varint(text, cursor);  // 2 * delta + (1 if the document has one position)
      doc += Math.floor(step / 2);
      docs[k] = doc;
      tfs[k] = step % 2 ? 1 : varint(text, cursor);
    }
    return lazyList(text, docs, tfs, cursor.i);
  }

  /* positions are read forwards, as a stream: a reader's open(k), then next() until it gives -1.
     Matching asks for documents in ascending order, and a phrase usually stands at the first
     positions it tries, so the rest of a document's positions are skipped, not decoded. Each
     unit of a phrase has its own reader: a phrase may hold a term twice. */
  function lazyList(text, docs, tfs, start) {
    function reader() {
      var atDoc = 0, atChar = start, cursor = {i: 0}, left = 0, pos = 0;
      return {open: function (k) {
        if (k < atDoc) { atDoc = 0; atChar = start; }
        var i = atChar;
        for (; atDoc < k; atDoc++) {  // skip whole documents: count final digits only
          for (var c = 0; c < tfs[atDoc]; i++) if (CODE[text.charCodeAt(i)] < 32) c++;
        }
        atChar = cursor.i = i;
        left = tfs[k];
        pos = 0;
      }, next: function () {
        if (!left) return -1;
        left--;
        pos += varint(text, cursor);  // the first is absolute, then deltas
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

  /* title and body lengths of the documents of the loaded d/ blocks (for ranking), read where
     they stand: Whoosh's length byte in as many digits as the block says for the column;
     meta.lengths turns it into the length */
  function docTable(meta) {
    var texts = [], sizes = [], widths = [];
    forBlocks(meta, "d/", function (text, block, size) {
      texts[block] = text;
      sizes[block] = size;
      widths[block] = [CODE[text.charCodeAt(0)], CODE[text.charCodeAt(1)]];
    });
    return {length: function (column, doc) {
      var block = Math.floor(doc / meta.docBlock), text = texts[block], width = widths[block];
      var at = 2 + (column ? sizes[block] * width[0] : 0) + (doc - block * meta.docBlock) * width[column];
      var byte = width[column] === 1 ? CODE[text.charCodeAt(at)]
        : CODE[text.charCodeAt(at)] * 64 + CODE[text.charCodeAt(at + 1)];
      return meta.lengths[byte];
    }};
  }

  /* item, kind, year and domain of the documents of the loaded f/ blocks (for the filters) */
  function facetColumns(meta) {
    var n = meta.count, table = {item: new Int32Array(n), kind: new Int32Array(n),
                                 year: new Int32Array(n), domain: new Int32Array(n)};
    forBlocks(meta, "f/", function (text, block, size) {
      readColumns(text, 0, [table.item, table.kind, table.year], block * meta.docBlock, size);
    });
    var domainOf = meta.items.map(function (row) { return Number(row[2]); });
    for (var doc = 0; doc < n; doc++) table.domain[doc] = domainOf[table.item[doc]];
    return table;
  }

  function forBlocks(meta, prefix, each) {
    for (var block = 0; block * meta.docBlock < meta.count; block++) {
      var text = loaded[prefix + block];
      if (text) each(text, block, Math.min(meta.docBlock, meta.count - block * meta.docBlock));
    }
  }

  /* the blocks ("d/", "f/") holding `docs` */
  function blocksOf(meta, prefix, docs) {
    var blocks = {};
    for (var i = 0; i < docs.length; i++) blocks[prefix + Math.floor(docs[i] / meta.docBlock)] = true;
    return Object.keys(blocks);
  }

  /* `size` varints into each column from document `first`, reading `text` from `i` */
  function readColumns(text, i, columns, first, size) {
    var cursor = {i: i};
    for (var c = 0; c < columns.length; c++) {
      for (var doc = first; doc < first + size; doc++) columns[c][doc] = varint(text, cursor);
    }
  }

  root.GovsiteIndex = {load: load, loaded: loaded, shardsFor: shardsFor, Index: Index,
                       docTable: docTable, facetColumns: facetColumns, blocksOf: blocksOf,
                       seek: seek};
})(this);
