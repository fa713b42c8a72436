// Package engine is weiyin's runtime: it runs the conversations of a checked dialog Bundle
// against a bank, one turn at a time, and commits each turn durably before answering it.
//
// # Basics
//
// A Program is a loaded bot: the immutable dialogs.Bundle and the NLU built from it (package
// intents), with a version naming its content. New wires a Program to the outside world
// through the small interfaces this package declares and adapters implement: Bank (the
// bank's operations; adapters/bank/sandbox, adapters/bank/httpbank), Store (sessions and
// replies; adapters/store), Clock (the injected time). Swap installs another Program (hot
// reload): new conversations use it at once, a flow already running finishes on the version
// it started with.
//
// Bot.Turn takes one Message from one user and returns the Reply. Per turn:
//
//  1. A message id already answered returns the stored reply; nothing runs again (WeChat
//     retries, client retries, a restart in between).
//  2. The user's Session (a value, never state on the shared Bot) is loaded; turns of one
//     user are serialised, turns of different users run in parallel.
//  3. The NLU understands the text with the customer's own lists (contacts, accounts, cards,
//     branches...), read from the bank and cached briefly per customer.
//  4. The state machine runs the flow's steps from the session's frame: slot filling by role,
//     one validation path for every value however it arrived, confirm, verify, bank calls
//     with per-error handling, digressions and returns, timeouts.
//  5. The reply is rendered from the dialog's templates (money as integer fen, masking of
//     sensitive slots), and session and reply are committed together (Store.Commit).
//
// # Money
//
// Every bank call carries an idempotency key derived from the session's nonce, the flow
// instance and the call's ordinal, so a repeated turn can never move money twice. A
// money-moving operation (dialogs.Ops) stands after a confirm step and a verify step on every
// path of its flow (the checker's unsafe-money rule); a frame records that the customer
// confirmed and that the code was verified, and a correction of a slot clears the
// confirmation.
//
// # Caveats
//
// A Bot must be its Store's only writer: it keeps the sessions it last committed decoded in
// memory. Errors from the bank or the store end the turn without committing anything; a
// panic inside a turn is recovered, logged and returned as an error, never shown to a
// customer. Figures for the turn's cost are in docs/benchmarks.md.
package engine
