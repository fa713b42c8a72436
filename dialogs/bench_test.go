package dialogs

import (
	"os"
	"testing"
)

// BenchmarkLoad loads a realistic bot: the shipped bank dialogs when present, else the test bot.
func BenchmarkLoad(b *testing.B) {
	dir := "testdata/bot"
	if _, err := os.Stat("bank"); err == nil {
		dir = "bank"
	}
	b.Logf("loading %s", dir)
	for b.Loop() {
		if bu, ds := Load(dir); bu == nil {
			b.Fatal(ds.Err())
		}
	}
}

// BenchmarkFormat formats the largest test file.
func BenchmarkFormat(b *testing.B) {
	src, err := os.ReadFile("testdata/parse/all.dlg")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Format(src); err != nil {
			b.Fatal(err)
		}
	}
}
