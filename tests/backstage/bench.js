// Backstage's side of the catalog benchmark: validate every .yaml/.yml file under a directory
// with Backstage's own pipeline (backstage.js) and print the wall-clock time and counts.
// Usage: node bench.js DIR
'use strict';

const fs = require('fs');
const path = require('path');
const { verdict } = require('./backstage');

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else if (/\.ya?ml$/.test(e.name)) yield p;
  }
}

async function main() {
  const start = process.hrtime.bigint();
  let files = 0;
  let rejected = 0;
  for (const file of walk(process.argv[2])) {
    files += 1;
    const v = await verdict(fs.readFileSync(file, 'utf8'));
    if (!v.ok) rejected += 1;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(JSON.stringify({ files, rejected, ms }));
}

main().catch(e => {
  console.error(e);
  process.exit(2);
});
