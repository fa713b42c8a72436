package dialogs

import (
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
