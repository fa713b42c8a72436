// weiyin's additions to BotiumScript for the real Botium (botium-cli with the SIMPLEREST
// connector against `weiyin serve`), so the convos of testdata/transcripts run there too.
// Loaded by botium.json (SECURITY_ALLOW_UNSAFE: a local file). See docs/testing.md.
'use strict'

// ---------------------------------------------------------------- response hook

// responseHook maps weiyin's /api/chat answer to Botium's NLU fields, for the built-in INTENT,
// INTENT_CONFIDENCE, ENTITIES and ENTITY_VALUES asserters.
function responseHook ({ botMsg }) {
  const d = botMsg.sourceData || {}
  botMsg.nlp = {
    intent: d.intent ? { name: d.intent.name, confidence: d.intent.confidence } : {},
    entities: (d.entities || []).map(e => ({ name: e.type, value: e.value }))
  }
}

// ---------------------------------------------------------------- asserters

function stateOf (botMsg) {
  const st = (botMsg.sourceData && botMsg.sourceData.state) || {}
  if (!st.flow) return '-'
  return st.step ? `${st.flow}|${st.step}` : st.flow
}

// STATE flow|step: the flow and step the bot waits at after the turn ("-": none).
class StateAsserter {
  constructor (context, caps) { this.context = context; this.caps = caps; this.name = 'STATE' }
  _check (args, botMsg) {
    const got = stateOf(botMsg)
    const flow = (args && args[0]) || '-'
    if (flow === '-') return { ok: got === '-', want: '-', got }
    const want = args.length > 1 ? `${flow}|${args[1]}` : flow
    const ok = args.length > 1 ? got === want : got.split('|')[0] === flow
    return { ok, want, got }
  }
  assertConvoStep ({ convoStep, args, botMsg }) {
    const r = this._check(args, botMsg)
    return r.ok ? Promise.resolve() : Promise.reject(new Error(`${convoStep.stepTag}: STATE expected ${r.want}, got ${r.got}`))
  }
  assertNotConvoStep ({ convoStep, args, botMsg }) {
    const r = this._check(args, botMsg)
    return r.ok ? Promise.reject(new Error(`${convoStep.stepTag}: STATE expected not ${r.want}`)) : Promise.resolve()
  }
}

function simRunes (s) {
  return Array.from((s || '').toLowerCase()).filter(c => !/[\s\p{P}\p{S}]/u.test(c))
}

function similarity (a, b) {
  const x = simRunes(a); const y = simRunes(b)
  const n = Math.max(x.length, y.length)
  if (n === 0) return 1
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j)
  for (let i = 1; i <= x.length; i++) {
    const cur = [i]
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1))
    }
    prev = cur
  }
  return 1 - prev[y.length] / n
}

// TEXT_SIMILAR text|0.8: character-level similarity of the message to text, at least 0.8.
class TextSimilarAsserter {
  constructor (context, caps) { this.context = context; this.caps = caps; this.name = 'TEXT_SIMILAR' }
  _check (args, botMsg) {
    let th = 0.8
    let parts = args || []
    if (parts.length > 1 && !isNaN(parseFloat(parts[parts.length - 1]))) {
      th = parseFloat(parts[parts.length - 1])
      parts = parts.slice(0, -1)
    }
    const text = parts.join('|')
    const sim = similarity(text, botMsg.messageText)
    return { ok: sim >= th, text, th, sim }
  }
  assertConvoStep ({ convoStep, args, botMsg }) {
    const r = this._check(args, botMsg)
    return r.ok ? Promise.resolve() : Promise.reject(new Error(`${convoStep.stepTag}: TEXT_SIMILAR "${r.text}" similarity ${r.sim.toFixed(2)} < ${r.th}, got "${botMsg.messageText}"`))
  }
  assertNotConvoStep ({ convoStep, args, botMsg }) {
    const r = this._check(args, botMsg)
    return r.ok ? Promise.reject(new Error(`${convoStep.stepTag}: TEXT_SIMILAR "${r.text}" should not be similar`)) : Promise.resolve()
  }
}

// ---------------------------------------------------------------- logic hooks

function weiyinOf (convo) {
  if (!convo.weiyin) convo.weiyin = {}
  return convo.weiyin
}

// USER openid and AS customer in #begin: who the convo speaks as.
class ConvoSettingHook {
  constructor (key) { this.key = key }
  onConvoBegin ({ convo, args }) { weiyinOf(convo)[this.key] = (args && args[0]) || '' }
}

// ID m1 in #me: the message id (a repeat gets the stored reply).
class MessageIDHook {
  onMeStart ({ meMsg, args }) { meMsg.weiyin = Object.assign(meMsg.weiyin || {}, { id: (args && args[0]) || '' }) }
}

// WEIYIN (global): fills user, as and id of every request. Without USER a convo speaks from
// a fresh openid as customer C001 (the bound customer of testdata/fixtures/test.json); with
// USER, as that openid (and AS only when given).
class RequestHook {
  onMeStart ({ convo, meMsg }) {
    const w = weiyinOf(convo)
    if (!w.fresh) w.fresh = 'botium-' + Math.random().toString(36).slice(2, 10)
    const defaults = w.user ? { user: w.user, as: w.as || '' } : { user: w.fresh, as: w.as || 'C001' }
    meMsg.weiyin = Object.assign(defaults, { id: '' }, meMsg.weiyin || {})
  }
}

// Hooks that only the in-process replay can honour (clock, WeChat events): accepted here so
// the convos parse; NOW and WAIT need `weiyin serve --now`, the others `weiyin test`.
class NoopHook {}

const PluginAsserters = { STATE: StateAsserter, TEXT_SIMILAR: TextSimilarAsserter }
const PluginLogicHooks = {
  USER: function (ctx, caps, args) { return new ConvoSettingHook('user') },
  AS: function (ctx, caps, args) { return new ConvoSettingHook('as') },
  ID: MessageIDHook,
  WEIYIN: RequestHook,
  NOW: NoopHook,
  WAIT: NoopHook,
  VOICE: NoopHook,
  LOCATION: NoopHook,
  EVENT: NoopHook,
  CLICK: NoopHook
}

module.exports = responseHook
module.exports.PluginAsserters = PluginAsserters
module.exports.PluginLogicHooks = PluginLogicHooks
