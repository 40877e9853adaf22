/* govsite search analyzer: the JS twin of govsite/search/tokens.py (and of the query parsing
   of query.py and synonyms.py).
   tests/search_vectors.json keeps the two identical; change both or neither. */
(function (root) {
  "use strict";
  var TAIL = "_";
  var SPACES = /[\t\n\v\f\r \x1c-\x1f\x85\u1680\u2028\u2029]+/;  // after NFKC
  var CJK_RANGES = [[0x3007, 0x3007], [0x3040, 0x30ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
    [0xac00, 0xd7af], [0xf900, 0xfaff], [0x20000, 0x3134f]];
  var WORD_RANGES = [[0x30, 0x39], [0x61, 0x7a], [0xdf, 0xf6], [0xf8, 0x24f]];

  function normalize(text) {
    return text.normalize("NFKC").toLowerCase();
  }

  function inRanges(ranges, ch) {
    var code = ch.codePointAt(0);
    for (var i = 0; i < ranges.length; i++) {
      if (code >= ranges[i][0] && code <= ranges[i][1]) return true;
    }
    return false;
  }

  function charClass(ch) {
    if (inRanges(CJK_RANGES, ch)) return "c";
    return inRanges(WORD_RANGES, ch) ? "w" : "";
  }

  function runs(text) {
    var result = [], current = [], kind = "";
    Array.from(normalize(text)).forEach(function (ch) {
      var cls = charClass(ch);
      if (cls !== kind && current.length) {
        result.push([kind, current]);
        current = [];
      }
      kind = cls;
      if (cls) current.push(ch);
    });
    if (current.length) result.push([kind, current]);
    return result;  // run = array of code-point strings
  }

  function tokens(text) {
    var result = [], pos = 0;
    runs(text).forEach(function (pair) {
      var run = pair[1];
      if (pair[0] === "w" || run.length === 1) {
        result.push([run.join(""), pos++]);
        return;
      }
      for (var i = 0; i < run.length - 1; i++) result.push([run[i] + run[i + 1], pos++]);
      result.push([TAIL + run[run.length - 1], pos - 1]);
    });
    return result;
  }

  function lone(term) {
    return Array.from(term).length === 1 && charClass(term) === "c";
  }

  function lonemode(hasPrev, hasNext) {
    if (hasPrev && hasNext) return "term";
    if (hasPrev) return "prefix";
    return hasNext ? "suffix" : "any";
  }

  function units(part) {
    var plain = tokens(part).map(function (t) { return t[0]; })
      .filter(function (term) { return term.charAt(0) !== TAIL; });
    return plain.map(function (term, i) {
      if (lone(term)) return {text: term, mode: lonemode(i > 0, i < plain.length - 1)};
      return {text: term, mode: "term"};
    });
  }

  /* `part` (normalised), then each form with one synonym replaced by another */
  function variants(part, synonyms) {
    var found = [part];
    (synonyms || []).forEach(function (members) {
      members.forEach(function (member) {
        if (part.indexOf(member) < 0) return;
        members.forEach(function (other) {
          if (other !== member) found.push(part.split(member).join(other));
        });
      });
    });
    return found.filter(function (form, i) { return found.indexOf(form) === i; });
  }

  /* per whitespace-separated part of the query, its phrase and those of its synonyms */
  function queryGroups(query, synonyms) {
    return normalize(query).split(SPACES).map(function (part) {
      return variants(part, synonyms).map(units).filter(function (u) { return u.length; });
    }).filter(function (phrases) { return phrases.length; });
  }

  var api = {normalize: normalize, tokens: tokens, queryGroups: queryGroups, variants: variants,
             TAIL: TAIL};
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.GovsiteAnalyzer = api;
})(this);
