// Package dialogs owns the weiyin dialog language (docs/dsl-spec.md): its lexer and grammar,
// the checker with its diagnostics, the formatter, and the loader that turns a directory of
// *.dlg files into one immutable Bundle for the NLU and the engine.
//
// # Basics
//
// Load (or LoadFS, for the embedded bank bot) reads every *.dlg file of a directory, parses
// each, resolves names across files and checks the bot. It returns a *Bundle only when there
// is no error; warnings are allowed. The Diagnostics are sorted by file and position, each with
// a stable code (the Code* constants), a span, a hint ("did you mean ...") and where useful a
// related position ("declared at ..."). WriteText renders them like a compiler, with the
// caret padded by display width so it sits right under Chinese text; WriteJSON gives the same
// fields.
//
// The pipeline is parse -> convert -> check. participle/v2 parses with a hand-written lexer
// (rune columns, nesting bounded by MaxNesting) into unexported grammar structs (grammar.go);
// convert.go turns them into the semantic types of bundle.go, recording the positions of
// names; check.go, flowcheck.go and paths.go resolve and check. The runtime never sees the
// grammar structs.
//
// ParseFile parses a single file without resolving names; Format prints a file in the one
// canonical layout, keeping comments. Graph draws a flow as DOT and Mermaid; WriteTSV and
// WriteRasa export the intent examples. Ops is the catalogue of bank operations the checker
// validates calls against; the engine reads it for MovesMoney.
//
// Load fills two defaults the spec gives: an ask without fallback gets a handoff step, a
// verify without fallback an end step. A confirm without a no branch has No == nil, meaning
// "cancel the flow with the cancelled reply". Step.Label holds the implicit labels (the slot
// of an ask, "confirm", "verify").
//
// # Caveats
//
// A Bundle is shared by concurrent conversations: never modify it after Load. Cross-file
// checks run only when every file parsed, so a syntax error in one file hides the name
// errors of the others until it is fixed. Only the first syntax error of a file is reported.
// Reply templates are not checked against slots (they have no flow); their filters are.
package dialogs
