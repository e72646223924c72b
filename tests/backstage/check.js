// Backstage's verdict on descriptor files named on the command line, one line per file
// ("ok FILE" or "rejected FILE: message"). Exits 1 when any file is rejected.
// Usage: node check.js FILE...
'use strict';

const fs = require('fs');
const { verdict } = require('./backstage');

async function main() {
  let rejected = 0;
  for (const file of process.argv.slice(2)) {
    const v = await verdict(fs.readFileSync(file, 'utf8'));
    if (v.ok) {
      console.log(`ok ${file}`);
    } else {
      rejected += 1;
      console.log(`rejected ${file}: ${v.message}`);
    }
  }
  process.exit(rejected ? 1 : 0);
}

main().catch(e => {
  console.error(e);
  process.exit(2);
});
