// Package studio is the staff console of `weiyin studio`: a web page and its JSON API for
// product staff to edit the dialog files with live diagnostics, try the bot in a simulator on
// the sandbox bank with a debug panel, see every flow as a diagram with transcript coverage,
// review the messages customers sent that the bot did not understand, and watch a live
// server's reloads.
//
// # Basics
//
// New builds a Server over one dialog directory; Server.Handler serves the page (HTML, CSS and
// the vendored CodeMirror 6 and Mermaid builds, all embedded: nothing is fetched from a CDN)
// and the API under /api/. The files on disk stay the source of truth: a save formats the
// buffer with the dialogs formatter and writes the file; the simulator's bot is rebuilt from
// the directory after each save that checks clean. The wiring that needs other adapters (the
// sandbox bank, the session store, the transcript replay) is injected by cmd/weiyin through
// Options, so this package depends on engine and below only.
//
// ReviewTurner wraps a bot for `weiyin serve --review-log FILE`: every turn the bot did not
// understand (intent none outside a flow) or understood with low confidence is appended to a
// JSON-lines file, its digits masked. The studio reads that file, groups similar messages and
// turns one into an example of an intent, showing `weiyin eval` before and after.
//
// # Who may call it
//
// With Options.Token set (WEIYIN_STUDIO_TOKEN), every /api/ endpoint but /api/login needs the
// token, as `Authorization: Bearer TOKEN` or the HttpOnly session cookie that /api/login sets.
// Without a token the studio must listen on loopback (cmd refuses otherwise) and answers only
// requests whose Host is a loopback name, so a web page elsewhere cannot reach it through DNS
// rebinding. Writes need a JSON body (Content-Type application/json), which a cross-site form
// cannot send.
//
// # Caveats
//
// The studio edits files in place: two staff members editing the same file at once overwrite
// each other (the last save wins); git is where changes are reviewed and merged. The
// simulator runs turns one at a time.
package studio
