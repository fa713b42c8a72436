package dialogs

import (
	"testing"
	"testing/fstest"
)

func addSeeds(f *testing.F) {
	for _, src := range seedFiles(f) {
		f.Add(src)
	}
	f.Add([]byte("weiyin 1\nreply x \"a\xffb\"\n"))
	f.Add([]byte{0, 1, 2, 0xfe, '{', '"'})
}

// FuzzParse ensures ParseFile never panics and always explains a failure.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		file, ds := ParseFile("x.dlg", src)
		if file == nil && !ds.HasErrors() {
			t.Fatal("no file and no error")
		}
		for _, d := range ds {
			if d.Pos.Line < 1 || d.Pos.Column < 1 {
				t.Fatalf("diagnostic without a position: %v", d)
			}
		}
	})
}

// FuzzLoad ensures loading a one-file bot never panics, returns a bundle exactly when there is
// no error, and that a bundle can be drawn and exported.
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		b, ds := LoadFS(fstest.MapFS{"bot/x.dlg": {Data: src}}, "bot")
		if (b == nil) != ds.HasErrors() {
			t.Fatalf("bundle %v with errors %v", b != nil, ds.HasErrors())
		}
		if b != nil {
			for _, name := range b.FlowNames {
				if _, _, err := Graph(b, name); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// FuzzFormat ensures that whatever Format accepts it prints as text that parses to the same
// content and formats to itself.
func FuzzFormat(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := Format(src)
		if err != nil {
			return
		}
		f1, _ := ParseFile("x.dlg", src)
		f2, ds := ParseFile("x.dlg", out)
		if f2 == nil {
			t.Fatalf("output does not parse: %v\n%q", ds.Err(), out)
		}
		if a, b := dump(t, f1, false), dump(t, f2, false); a != b {
			t.Fatalf("content changed:\n%s", Diff("in", "out", []byte(a), []byte(b)))
		}
		again, err := Format(out)
		if err != nil || string(again) != string(out) {
			t.Fatalf("not idempotent (%v):\n%s", err, Diff("once", "twice", out, again))
		}
	})
}
