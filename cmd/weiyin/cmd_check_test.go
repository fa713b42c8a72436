package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript scripts run the weiyin binary as `exec weiyin ...`.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"weiyin": func() {
			os.Exit(run(context.Background(), os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr}))
		},
		"weiyin-main": main, // as the binary runs: signals handled (cmd_nlu_process_test.go)
		// A command that never returns once cancelled, under the binary's signal handling.
		"weiyin-stuck": func() {
			os.Exit(underSignals(func(ctx context.Context, _ []string, io stdio) int {
				fmt.Fprintln(io.out, "ready")
				<-ctx.Done()
				select {}
			}))
		},
	})
}

// TestDialogScripts runs the end-to-end scripts of the dialog tool commands
// (testdata/script/{check,fmt,graph,export,ops}*.txtar).
func TestDialogScripts(t *testing.T) {
	var files []string
	for _, p := range []string{"check", "fmt", "graph", "export", "ops"} {
		m, _ := filepath.Glob(filepath.Join("testdata", "script", p+"*.txtar"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	testscript.Run(t, testscript.Params{Files: files, UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != ""})
}

// TestDialogExitCodes ensures the documented exit codes: 0 clean (warnings allowed), 1
// findings, 2 usage or I/O errors.
func TestDialogExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := "weiyin 1\nintent greet {\n  examples {\n    \"你好\"\n    \"您好\"\n    \"在吗\"\n  }\n}\n\nreply greet \"您好\"\n"
	const replies = "weiyin 1\nreply greeting \"您好\"\nreply help \"我能查余额\"\nreply fallback \"没听懂\"\nreply fallback_again \"还是没听懂\"\n"
	write("good/a.dlg", good)
	write("good/replies.dlg", replies)
	write("warn/replies.dlg", replies)
	write("warn/a.dlg", "weiyin 1\nintent greet {\n  examples {\n    \"你好\"\n  }\n}\n\nreply greet \"您好\"\n")
	write("bad/a.dlg", "weiyin 1\nreply greet \"{x|mony}\"\n")
	messy := write("messy.dlg", "weiyin 1\nreply  greet   \"您好\"\n")
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"check clean", []string{"check", filepath.Join(dir, "good")}, 0},                                 // Ensure a clean bot exits 0.
		{"check warnings", []string{"check", filepath.Join(dir, "warn")}, 0},                              // Ensure warnings alone exit 0.
		{"check errors", []string{"check", filepath.Join(dir, "bad")}, 1},                                 // Ensure errors exit 1.
		{"check missing dir", []string{"check", filepath.Join(dir, "nope")}, 2},                           // Ensure an unreadable directory is an I/O error.
		{"check no args", []string{"check"}, 2},                                                           // Ensure usage errors exit 2.
		{"check bad format", []string{"check", "--format", "xml", dir}, 2},                                // Ensure an unknown format is a usage error.
		{"fmt ok", []string{"fmt", "-l", filepath.Join(dir, "good")}, 0},                                  // Ensure fmt -l on formatted files exits 0.
		{"fmt lists", []string{"fmt", "-l", messy}, 0},                                                    // Ensure listing unformatted files is not a failure.
		{"fmt syntax error", []string{"fmt", write("broken.dlg", "weiyin 1\nflow {")}, 1},                 // Ensure a file that does not parse exits 1.
		{"fmt missing file", []string{"fmt", filepath.Join(dir, "nope.dlg")}, 2},                          // Ensure a missing file is an I/O error.
		{"graph unknown flow", []string{"graph", "--dialogs", filepath.Join(dir, "good"), "nope"}, 1},     // Ensure an unknown flow exits 1.
		{"graph bad dialogs", []string{"graph", "--dialogs", filepath.Join(dir, "bad"), "x"}, 1},          // Ensure a bot with errors is not drawn.
		{"export tsv", []string{"export", "--format", "tsv", "--dialogs", filepath.Join(dir, "good")}, 0}, // Ensure export works on a clean bot.
		{"export bad format", []string{"export", "--format", "csv"}, 2},                                   // Ensure an unknown export format is a usage error.
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), c.args, stdio{strings.NewReader(""), &out, &errb})
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, out.String(), errb.String())
			}
		})
	}
}

// TestGraphSVG ensures `graph --format svg` lays a flow out with Graphviz's dot when it is
// installed, and otherwise says what to install, prints nothing on stdout and exits 2.
func TestGraphSVG(t *testing.T) {
	t.Run("dot installed", func(t *testing.T) {
		if _, err := exec.LookPath("dot"); err != nil {
			t.Skip("Graphviz's dot is not installed (apt-get install graphviz)")
		}
		code, out, errs := runCLI("graph", "--format", "svg", "transfer")
		if code != 0 || !strings.Contains(out, "<svg") || !strings.Contains(out, "</svg>") {
			t.Fatalf("exit %d, want 0 and an SVG document\nstdout:\n%.300s\nstderr:\n%s", code, out, errs)
		}
	})
	t.Run("dot missing", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		code, out, errs := runCLI("graph", "--format", "svg", "transfer")
		if code != 2 || out != "" || !strings.Contains(errs, "apt-get install graphviz") {
			t.Fatalf("exit %d, want 2 with the package to install\nstdout:\n%.300s\nstderr:\n%s", code, out, errs)
		}
	})
}
