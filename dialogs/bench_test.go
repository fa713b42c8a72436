package dialogs

import (
	"fmt"
	"os"
	"strings"
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

// BenchmarkDiff measures `weiyin fmt -d` on a 4,000-line file with a change every 40 lines.
func BenchmarkDiff(b *testing.B) {
	var old, new strings.Builder
	for i := range 4000 {
		fmt.Fprintf(&old, "  say \"第%d行\"\n", i)
		if i%40 == 0 {
			fmt.Fprintf(&new, "  say  \"第%d行\"\n", i)
		} else {
			fmt.Fprintf(&new, "  say \"第%d行\"\n", i)
		}
	}
	o, n := []byte(old.String()), []byte(new.String())
	b.ReportAllocs()
	for b.Loop() {
		if Diff("a", "b", o, n) == "" {
			b.Fatal("no diff")
		}
	}
}
