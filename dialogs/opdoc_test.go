package dialogs

import (
	"strings"
	"testing"
)

// TestOpDocsComplete ensures every operation, argument and error code of the catalogue is
// explained for staff in both languages, so `weiyin ops` never prints a bare name.
func TestOpDocsComplete(t *testing.T) {
	for _, name := range DefaultCatalogue().OpNames() {
		op := Ops[name]
		if opTitles[name].zh == "" || opTitles[name].en == "" {
			t.Errorf("operation %s has no title", name)
		}
		for _, a := range op.Args {
			if argTitles[a.Name].zh == "" || argTitles[a.Name].en == "" {
				t.Errorf("argument %s of %s has no title", a.Name, name)
			}
		}
		for _, e := range append(op.Errors, CommonErrors...) {
			if errorTitles[e].zh == "" || errorTitles[e].en == "" {
				t.Errorf("error %s of %s has no title", e, name)
			}
		}
	}
}

// TestOpsGolden pins `weiyin ops` output in both languages and JSON.
func TestOpsGolden(t *testing.T) {
	for _, lang := range []Lang{ZH, EN} {
		docs, err := DocOps(DefaultCatalogue(), lang)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := WriteOpsText(&b, docs, lang); err != nil {
			t.Fatal(err)
		}
		golden(t, "testdata/out/ops."+string(lang)+".txt", b.String())
	}
	docs, _ := DocOps(DefaultCatalogue(), ZH, "transfer")
	var b strings.Builder
	if err := WriteOpsJSON(&b, docs); err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/out/ops.json", b.String())
}

// TestDocOpsUnknown ensures an unknown operation is an error that suggests the right name
// and never repeats the typo as the suggestion.
func TestDocOpsUnknown(t *testing.T) {
	cases := []struct {
		name, want string
	}{
		{"transfr", `did you mean "transfer"?`},   // Ensure a typo gets the nearest operation.
		{"zzzz", "the operations are: advisor, "}, // Ensure a far name gets the list.
	}
	for _, c := range cases {
		_, err := DocOps(DefaultCatalogue(), EN, c.name)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}
