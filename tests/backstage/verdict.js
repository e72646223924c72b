// The differential test's oracle: reads a JSON array of {"id", "text"} on stdin and prints a
// JSON array of {"id", "ok", "message"} with Backstage's verdict on each (see backstage.js).
'use strict';

const { verdict } = require('./backstage');

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const files = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const out = [];
  for (const f of files) out.push({ id: f.id, ...(await verdict(f.text)) });
  process.stdout.write(JSON.stringify(out));
}

main().catch(e => {
  console.error(e);
  process.exit(2);
});
