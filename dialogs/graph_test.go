package dialogs

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func loadTestBot(t testing.TB) *Bundle {
	t.Helper()
	b, ds := Load("testdata/bot")
	if b == nil {
		var sb strings.Builder
		_ = ds.WriteText(&sb, 0)
		t.Fatalf("testdata/bot does not load:\n%s", sb.String())
	}
	return b
}

// TestGraphGolden pins the DOT and Mermaid drawings of the test bot's flows.
func TestGraphGolden(t *testing.T) {
	b := loadTestBot(t)
	for _, name := range b.FlowNames {
		t.Run(name, func(t *testing.T) {
			dot, mermaid, err := Graph(b, name)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "testdata/out/"+name+".dot", dot)
			golden(t, "testdata/out/"+name+".mmd", mermaid)
		})
	}
}

// TestGraphContent ensures the drawing carries what a reviewer looks for: confirm yes/no,
// error branches labelled with their code, fallbacks and terminals.
func TestGraphContent(t *testing.T) {
	dot, mermaid, err := Graph(loadTestBot(t), "transfer")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`label="yes"`, `label="no"`, `insufficient_funds`, `label="fallback after 2 retries"`,
		`t_handoff`, `t_cancel`, `"other errors"`, `s6 -> t_end`} {
		if !strings.Contains(dot, want) {
			t.Errorf("DOT lacks %s", want)
		}
	}
	for _, want := range []string{"flowchart TD", `-->|"yes"|`, `-->|"insufficient_funds: say`} {
		if !strings.Contains(mermaid, want) {
			t.Errorf("Mermaid lacks %s", want)
		}
	}
}

// TestGraphUnknownFlow ensures an unknown flow name is an error with a suggestion.
func TestGraphUnknownFlow(t *testing.T) {
	_, _, err := Graph(loadTestBot(t), "transfe")
	if err == nil || !strings.Contains(err.Error(), `did you mean "transfer"`) {
		t.Errorf("err = %v", err)
	}
}

// TestGraphDotRenders ensures Graphviz accepts the DOT of every flow (skipped without dot).
func TestGraphDotRenders(t *testing.T) {
	dotBin, err := exec.LookPath("dot")
	if err != nil {
		t.Skip("Graphviz dot is not installed")
	}
	bots := []string{"testdata/bot"}
	if _, err := os.Stat("bank"); err == nil {
		bots = append(bots, "bank")
	}
	for _, dir := range bots {
		b, ds := Load(dir)
		if b == nil {
			t.Fatalf("%s: %v", dir, ds.Err())
		}
		// One dot process renders every flow of the bot: it reads graph after graph.
		var all strings.Builder
		for _, name := range b.FlowNames {
			dot, _, err := Graph(b, name)
			if err != nil {
				t.Fatal(err)
			}
			all.WriteString(dot)
		}
		cmd := exec.Command(dotBin, "-Tsvg")
		cmd.Stdin = strings.NewReader(all.String())
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil || errb.Len() > 0 {
			t.Errorf("%s: dot -Tsvg: %v %s", dir, err, errb.String())
		}
		if n := bytes.Count(out.Bytes(), []byte("<svg")); n != len(b.FlowNames) {
			t.Errorf("%s: %d SVG drawings for %d flows", dir, n, len(b.FlowNames))
		}
	}
}
