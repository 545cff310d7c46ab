// The Node.js reference for bench_map.py: Node's `vm` module runs the same mapping script with a
// Ditto-like scope, reading JSON Lines and writing one JSON line per external message in the same
// shape as `mapper map` (headers as strings, content-type header, bytePayload as base64).
// Usage: node node_map.js SCRIPT INPUT.jsonl OUTPUT.jsonl
'use strict';
const fs = require('fs');
const vm = require('vm');
const readline = require('readline');

const [scriptPath, inputPath, outputPath] = process.argv.slice(2);
const sandbox = vm.createContext({});
vm.runInContext(`
  let Ditto = {
    buildExternalMsg(headers, textPayload, bytePayload, contentType) {
      return { headers, textPayload, bytePayload, contentType };
    },
  };
  function mapFromDittoProtocolMsgWrapper(msg) { throw new Error('no wrapper'); }
`, sandbox);
vm.runInContext(fs.readFileSync(scriptPath, 'utf8'), sandbox, { filename: scriptPath });
const wrapper = vm.runInContext('mapFromDittoProtocolMsgWrapper', sandbox);

function line(result) {
  const headers = {};
  for (const [k, v] of Object.entries(result.headers || {})) {
    headers[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const contentType = result.contentType === undefined ? null : result.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  let bytePayload = null;
  if (result.bytePayload != null) bytePayload = Buffer.from(result.bytePayload).toString('base64');
  return JSON.stringify({ headers, textPayload: bytePayload === null ? result.textPayload : null,
                          bytePayload, contentType });
}

const out = fs.createWriteStream(outputPath);
const rl = readline.createInterface({ input: fs.createReadStream(inputPath), crlfDelay: Infinity });
let buffer = [];
rl.on('line', (text) => {
  if (!text.trim()) return;
  const returned = wrapper(JSON.parse(text));
  const results = returned == null ? [] : Array.isArray(returned) ? returned : [returned];
  for (const r of results) buffer.push(line(r));
  if (buffer.length >= 1000) { out.write(buffer.join('\n') + '\n'); buffer = []; }
});
rl.on('close', () => {
  if (buffer.length) out.write(buffer.join('\n') + '\n');
  out.end();
});
