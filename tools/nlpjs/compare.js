// nlp.js (node-nlp 4.27.0) on a split written by `weiyin eval --kshot K --split DIR`:
// trains on DIR/train.tsv, answers DIR/test.tsv, prints the same figures as weiyin eval
// (in-scope accuracy, out-of-scope rejection) as one JSON line, plus the time per process()
// call measured in-process over the test lines repeated to at least --lines lines.
//
//   node compare.js DIR [--lines N]
//
// nlp.js runs at its defaults (language zh, its own threshold of 0.5 for "None").
const fs = require('fs');
const path = require('path');
const { NlpManager } = require('node-nlp');

// nlp.js prints its own progress (Compiling dictionary) with console.log: to stderr, so that
// stdout is the one JSON line.
console.log = (...args) => console.error(...args);

// readTSV reads text<TAB>intent lines as weiyin does: a UTF-8 byte order mark, CR line ends,
// blank and # lines and a header are skipped, text and intent trimmed.
function readTSV(file) {
  return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => { const [text, intent] = l.split('\t'); return { text: (text || '').trim(), intent: (intent || '').trim() }; })
    .filter((l) => l.text && l.intent && !(l.text === 'text' && l.intent === 'intent'));
}

function usage(msg) {
  console.error(`compare.js: ${msg}\nusage: node compare.js DIR [--lines N]   (DIR from weiyin eval --kshot K --split DIR)`);
  process.exit(2);
}

async function main() {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) usage('DIR is missing');
  const li = process.argv.indexOf('--lines');
  const minLines = li > 0 ? Number(process.argv[li + 1]) : 0;
  if (!Number.isInteger(minLines) || minLines < 0) usage(`--lines ${process.argv[li + 1]}: want a whole number`);
  let train, test;
  try {
    train = readTSV(path.join(dir, 'train.tsv'));
    test = readTSV(path.join(dir, 'test.tsv'));
  } catch (e) {
    usage(e.message);
  }
  if (train.length === 0 || test.length === 0) usage(`${dir}: train.tsv and test.tsv need text<TAB>intent lines`);
  const manager = new NlpManager({ languages: ['zh'], forceNER: false, nlu: { log: false }, autoSave: false });
  for (const l of train) manager.addDocument('zh', l.text, l.intent);
  const t0 = process.hrtime.bigint();
  await manager.train();
  const trainMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let inScope = 0, correct = 0, out = 0, rejected = 0, top1 = 0;
  for (const l of test) {
    const r = await manager.process('zh', l.text);
    const got = r.intent === 'None' ? 'none' : r.intent;
    const first = (r.classifications && r.classifications[0]) ? r.classifications[0].intent : got;
    if (l.intent === 'none') { out++; if (got === 'none') rejected++; continue; }
    inScope++;
    if (got === l.intent) correct++;
    if (first === l.intent) top1++;
  }
  let timed = 0;
  const t1 = process.hrtime.bigint();
  while (timed < Math.max(minLines, test.length)) {
    for (const l of test) { await manager.process('zh', l.text); timed++; }
  }
  const us = Number(process.hrtime.bigint() - t1) / 1e3 / timed;
  process.stdout.write(JSON.stringify({
    system: 'nlp.js 4.27.0', train: train.length, in_scope: inScope,
    accuracy: correct / inScope, top1: top1 / inScope, out_scope: out,
    rejection: out ? rejected / out : null, train_ms: Math.round(trainMs), us_per_utterance: Math.round(us * 10) / 10,
    timed_lines: timed,
  }) + '\n');
}
main().catch((e) => { console.error(e); process.exit(2); });
