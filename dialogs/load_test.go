package dialogs

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadBundleGolden pins the whole checked Bundle of the test bot (positions included).
func TestLoadBundleGolden(t *testing.T) {
	golden(t, "testdata/out/bot.golden", dump(t, loadTestBot(t), true))
}

// TestLoadResolves ensures what the engine relies on: files sorted, start intents mapped,
// labels indexed, and the spec's defaults filled in.
func TestLoadResolves(t *testing.T) {
	b := loadTestBot(t)
	if got := len(b.Files); got != 4 || b.Files[0] != "balance.dlg" {
		t.Errorf("Files = %v", b.Files)
	}
	if b.StartedBy["transfer"] != "transfer" || b.Menus["V1001_BALANCE"] != "balance" {
		t.Errorf("StartedBy = %v, Menus = %v", b.StartedBy, b.Menus)
	}
	f := b.Flows["transfer"]
	for label, want := range map[string]int{"payee": 0, "amount": 1, "from": 2, "confirm": 3, "verify": 4} {
		if got, ok := f.Labels[label]; !ok || got != want {
			t.Errorf("Labels[%s] = %d, %v; want %d", label, got, ok, want)
		}
	}
	if fb := f.Steps[1].Fallback; fb == nil || fb.Kind != StepHandoff {
		t.Errorf("ask without fallback: Fallback = %+v, want handoff", fb)
	}
	if fb := f.Steps[4].Fallback; fb == nil || fb.Kind != StepEnd {
		t.Errorf("verify without fallback: Fallback = %+v, want end", fb)
	}
	if !f.Interruptible || f.Timeout.Minutes() != 10 || !f.RequiresBinding {
		t.Errorf("settings: %+v", f)
	}
	if !Ops["transfer"].MovesMoney || Ops["transfer"].Name != "transfer" {
		t.Errorf("Ops[transfer] = %+v", Ops["transfer"])
	}
}

func TestLoadFSNames(t *testing.T) {
	fsys := fstest.MapFS{
		"b.dlg":       {Data: []byte("weiyin 1\nreply greeting \"a\"\n")},
		"a.dlg":       {Data: []byte("weiyin 1\nreply help \"b\"\n")},
		"zz.dlg":      {Data: []byte("weiyin 1\nreply fallback \"c\"\nreply fallback_again \"d\"\n")},
		"notes.txt":   {Data: []byte("not a dialog")},
		"sub/c.dlg":   {Data: []byte("garbage")},
		"empty/x.txt": {Data: []byte("x")},
	}
	cases := []struct {
		name, dir string
		files     int
		code      string
	}{
		{"root", ".", 3, ""},                 // Ensure "." reads the root and skips other files and subdirectories.
		{"subdir", "sub", 0, CodeVersion},    // Ensure a subdirectory loads on its own, positions naming sub/c.dlg.
		{"no dlg files", "empty", 0, CodeIO}, // Ensure a directory without *.dlg files is an I/O error.
		{"missing", "nope", 0, CodeIO},       // Ensure a missing directory is an I/O error.
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ds := LoadFS(fsys, c.dir)
			if c.code == "" {
				if b == nil || len(b.Files) != c.files || b.Files[0] != "a.dlg" {
					t.Fatalf("b = %v, diags %v", b, ds)
				}
				return
			}
			if b != nil || len(ds) == 0 || ds[0].Code != c.code {
				t.Fatalf("b = %v, diags %v; want %s", b, ds, c.code)
			}
			if c.dir == "sub" && ds[0].Pos.File != "sub/c.dlg" {
				t.Errorf("position names %q", ds[0].Pos.File)
			}
		})
	}
}

// TestDrafts ensures draft files (*.dlg.draft) are checked with the bot but never loaded.
func TestDrafts(t *testing.T) {
	const live = "weiyin 1\nintent greet {\n  examples { \"你好\" \"您好\" \"在吗\" }\n}\nreply greet \"您好\"\n"
	const goodDraft = "weiyin 1\nintent bye {\n  examples { \"再见\" \"拜拜\" \"回头见\" }\n}\nreply bye \"再见\"\n"
	cases := []struct {
		name      string
		liveExtra string
		draft     string
		opt       Options
		wantCode  string // "" = loads
		wantIntro string // an intent the loaded bundle must have
	}{
		// Ensure a good draft is checked but its intents stay out of the bundle.
		{"good draft not loaded", "", goodDraft, Options{}, "", "greet"},
		// Ensure an error in a draft is reported and stops check.
		{"broken draft checked", "", "weiyin 1\nreply greet \"{x\"\n", Options{}, CodeBadTemplate, ""},
		// Ensure a live file relying on a draft is an error: the live bot must stand alone.
		{"live needs draft", "flow bye_flow {\n  start on bye\n  say \"x\"\n}\n", goodDraft, Options{}, CodeUnknownIntent, ""},
		// Ensure SkipDrafts (serve) ignores a broken draft and loads the live bot.
		{"skip drafts", "", "weiyin 1\nreply greet \"{x\"\n", Options{SkipDrafts: true}, "", "greet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fsys := botFS([]byte(live + c.liveExtra))
			fsys["bot/y.dlg.draft"] = &fstest.MapFile{Data: []byte(c.draft)}
			b, ds := c.opt.LoadFS(fsys, "bot")
			if c.wantCode != "" {
				if b != nil || !slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Code == c.wantCode }) {
					t.Fatalf("want %s and no bundle, got %v", c.wantCode, ds)
				}
				return
			}
			if b == nil {
				t.Fatalf("no bundle: %v", ds)
			}
			if b.Intents[c.wantIntro] == nil || b.Intents["bye"] != nil {
				t.Errorf("intents %v: want %s and no draft intent", b.IntentNames, c.wantIntro)
			}
			if slices.ContainsFunc(b.Files, func(f string) bool { return strings.HasSuffix(f, DraftSuffix) }) {
				t.Errorf("files %v include a draft", b.Files)
			}
		})
	}
}
