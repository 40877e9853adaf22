/* govsite search, ranking: the matching and ranking of govsite/search/query.py, over the
   posting lists of search-index.js. */
(function (root) {
  "use strict";
  var seek = root.GovsiteIndex.seek;

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

  /* documents matching every group in some field, ascending; per group, per form (the phrase
     and its synonyms), each field's match; and per document, the number of leading groups it
     matched (groupsMatched) and matched in a naming field (groupsNamed) */
  function match(index, groups) {
    var n = index.meta.count, fields = index.meta.fields, naming = index.meta.naming, forms = [];
    var groupsMatched = new Uint16Array(n), groupsNamed = new Uint16Array(n);
    groups.forEach(function (phrases, g) {
      var seen = new Uint8Array(n), named = new Uint8Array(n);
      forms.push(phrases.map(function (group) {
        var matches = [];
        fields.forEach(function (name, field) {
          if (!group.every(function (unit) { return index.holds(field, unit); })) return;
          var units = group.map(function (unit) { return index.unitPostings(field, unit); });
          var found = phraseDocs(units), names = naming.indexOf(field) >= 0;
          for (var i = 0; i < found.docs.length; i++) {
            seen[found.docs[i]] = 1;
            if (names) named[found.docs[i]] = 1;
          }
          if (found.docs.length) matches.push({field: field, units: units, docs: found.docs, tfs: found.tfs});
        });
        return matches;
      }));
      for (var d = 0; d < n; d++) {
        if (seen[d] && groupsMatched[d] === g) groupsMatched[d] = g + 1;
        if (named[d] && groupsNamed[d] === g) groupsNamed[d] = g + 1;
      }
    });
    var docs = [];
    for (var d = 0; d < n; d++) if (groups.length && groupsMatched[d] === groups.length) docs.push(d);
    return {docs: docs, forms: forms, groupsMatched: groupsMatched, groupsNamed: groupsNamed,
            groups: groups.length};
  }


  /* Whoosh's BM25, idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), in two
     steps: the length part once per document and field. The operations and their order are
     Whoosh's, so the scores are the same doubles as query.py's. */
  function lengthPart(fl, avgfl, B, K1) {
    return K1 * ((1 - B) + B * fl / avgfl);
  }

  /* per document, its score in millionths (rounded as query.py rounds): per group, the best of
     its forms, each summed over fields in field order; groups summed in query order */
  function score(meta, found, table) {
    var n = meta.count, scores = new Float64Array(n);
    found.forms.forEach(function (forms) {
      var best = new Float64Array(n), seen = new Uint8Array(n);
      forms.forEach(function (matches) {
        var form = new Float64Array(n), hit = [];
        matches.forEach(function (m) {
          var b = meta.b[m.field], avg = meta.average[m.field], boost = meta.boosts[m.field], k1 = meta.k1;
          var name = meta.fields[m.field], count = m.units.length;
          var column = name === "title" ? 0 : name === "body" ? 1 : -1;
          var idfs = m.units.map(function (u) { return Math.log(meta.count / (u.docs.length + 1)) + 1; });
          for (var j = 0; j < m.docs.length; j++) {
            var doc = m.docs[j];
            if (found.groupsMatched[doc] !== found.groups) continue;
            var part = lengthPart(column < 0 ? 0 : table.length(column, doc), avg, b, k1), total = 0.0;
            for (var k = 0; k < count; k++) {
              var tf = m.tfs[j * count + k];
              total += idfs[k] * ((tf * (k1 + 1)) / (tf + part));
            }
            hit[doc] = true;
            form[doc] = form[doc] + boost * total;
          }
        });
        hit.forEach(function (_, doc) {
          if (!seen[doc] || form[doc] > best[doc]) best[doc] = form[doc];
          seen[doc] = 1;
        });
      });
      for (var i = 0; i < found.docs.length; i++) scores[found.docs[i]] += best[found.docs[i]];
    });
    for (var i = 0; i < found.docs.length; i++) {
      scores[found.docs[i]] = Math.floor(scores[found.docs[i]] * 1e6 + 0.5);
    }
    return scores;
  }

  /* documents named by the query (found.groupsNamed) first, then by `points`, then newest first;
     or newest first only (document numbers are publication order, oldest first) without
     `points`. Each document becomes one number, rank * count + (count - 1 - doc), so the sort
     compares numbers natively; documents are read back from it only for the page shown. */
  function ranked(docs, points, found, count) {
    if (!points) return docs.slice().reverse();
    var top = 0, i, value = new Float64Array(count);
    for (i = 0; i < docs.length; i++) if (points[docs[i]] > top) top = points[docs[i]];
    for (i = 0; i < docs.length; i++) {
      var doc = docs[i];
      value[doc] = points[doc] + (found.groupsNamed[doc] === found.groups ? top + 1 : 0);
    }
    top = 2 * top + 1;
    if ((top + 1) * count > Number.MAX_SAFE_INTEGER) {
      return docs.slice().sort(function (x, y) { return (value[y] - value[x]) || (y - x); });
    }
    var keys = new Float64Array(docs.length);
    for (i = 0; i < docs.length; i++) keys[i] = (top - value[docs[i]]) * count + (count - 1 - docs[i]);
    keys.sort();
    return {length: keys.length, slice: function (start, end) {
      var page = [];
      for (var k = start; k < Math.min(end, keys.length); k++) page.push(count - 1 - keys[k] % count);
      return page;
    }};
  }

  root.GovsiteRank = {match: match, score: score, ranked: ranked};
})(this);
