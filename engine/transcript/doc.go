// Package transcript replays and records conversation transcripts written in Botium's
// BotiumScript text format (.convo.txt), so testers can check a weiyin bot the way they already
// check other chatbots, in-process and deterministically.
//
// # Basics
//
// A suite is a set of files found under one or more paths (Load):
//
//   - NAME.convo.txt: a conversation. The first line is its title, the lines up to the first
//     section are its description. Sections start with `#me` (what the customer says),
//     `#bot` (what the bot must answer), `#begin` and `#end` (settings, run before and after),
//     and `#include NAME` (the steps of a partial convo).
//   - NAME.pconvo.txt: a partial convo, included by its title (or its file name).
//   - NAME.utterances.txt: the first line names a list, each further line is one utterance.
//     A `#me` line naming a list expands the convo into one run per utterance; a `#bot` line
//     naming a list accepts any of them.
//
// Bot text lines match as Botium's wildcardIgnoreCase mode: the expected text must occur in the
// bot's message, `*` matches any run of characters, case is ignored. A `!` before the text
// negates it. Other lines of a `#bot` section are asserters: `NAME arg|arg|...`, `!NAME` negates:
//
//	INTENT transfer                 the turn's intent
//	INTENT_CONFIDENCE 70            confidence at least 70% (or 0.7)
//	ENTITIES money|contact          exactly these entity types (add `..` to allow others)
//	ENTITY_VALUES 500.00|..         these entity values (add `..` to allow others)
//	TEXT_CONTAINS_ANY 转账|汇款      the message contains one of them
//	TEXT_CONTAINS_ALL 尾号|确认      the message contains all of them
//	TEXT_REGEX ^转账成功            the message matches one of the regular expressions
//	BUTTONS 确认|取消                the reply offers these buttons (no args: none)
//	STATE transfer|confirm          weiyin: the flow and step waiting after the turn (`-`: idle)
//	TEXT_SIMILAR 转账成功|0.8       weiyin: character-level similarity of the message to the text
//
// Logic hooks set up a run. In `#begin`: `USER o_demo_1` (the WeChat openid the convo speaks
// from), `AS C001` (speak as that sandbox customer), `NOW 2026-11-25T10:00:00+08:00` (the fixed
// clock). In a `#me` section, before the message is sent: `WAIT 16m` (advance the clock),
// `ID m1` (the channel message id; repeat one to test idempotency), `LOCATION 31.23,121.50 label`
// (send a WeChat location instead of text), `EVENT subscribe`, `CLICK MENU_KEY` (a menu click)
// and `VOICE` (the text is a voice transcript).
//
// In `#me`, write the message before the hooks: Botium accepts no text after a logic hook.
// A directory may hold a SettingsFile (weiyin-test.conf) with the suite's default fixture,
// user, customer and clock.
//
// Each `#bot` section consumes one text of the bot's reply, in order, as Botium does with one
// bot message per reply text; texts not consumed before the next `#me` are ignored. Turn-level
// asserters (INTENT, ENTITIES, BUTTONS, STATE...) look at the whole reply.
//
// Replay replays every run of a suite against bots made by a Factory, one fresh bot per run, in
// parallel, and returns a Report in a deterministic order; Report renders it as text, JSON or
// JUnit XML. Coverage compares the intents, flows, steps and transitions a report exercised
// with those of a dialogs.Bundle. Noise (`--noise asr`) perturbs customer lines the way a speech
// recogniser does. Recorder writes a live conversation as a convo file.
//
// # Caveats
//
// A Factory must return an independent bot per call (its own sandbox and store): runs execute
// at the same time. Flows that start and end within one turn are seen through the reply's
// intent only, so coverage counts a flow as hit when its starting intent was answered with the
// flow active or finished in that turn; steps are seen when the bot waits at them.
package transcript
