// Runs tests/search_vectors.json (with its synonyms) against static/search-analyzer.js; exit 1 on any difference.
"use strict";
const fs = require("fs");
const path = require("path");
const analyzer = require("../../themes/default/static/search-analyzer.js");

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "search_vectors.json"), "utf8"));
let failures = 0;
function check(label, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    failures++;
    console.log(`FAIL ${label}\n  want ${JSON.stringify(want)}\n  got  ${JSON.stringify(got)}`);
  }
}
for (const v of vectors.tokens) check(`tokens ${JSON.stringify(v.text)}`, analyzer.tokens(v.text), v.tokens);
for (const v of vectors.queries) {
  const groups = analyzer.queryGroups(v.query, vectors.synonyms)
    .map((g) => g.map((phrase) => phrase.map((u) => [u.text, u.mode])));
  check(`query ${JSON.stringify(v.query)}`, groups, v.groups);
}
const total = vectors.tokens.length + vectors.queries.length;
console.log(`${total - failures}/${total} vectors pass`);
process.exit(failures ? 1 : 0);
