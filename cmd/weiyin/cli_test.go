package main

import (
	"bytes"
	"context"
	"flag"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, stdio{strings.NewReader(""), &out, &errb})
	return code, out.String(), errb.String()
}

// TestHelpConventions ensures every command, including one added later, follows the help
// conventions: -h, --help and `weiyin help CMD` print the usage on stdout and exit 0; an
// unknown flag prints the error and the usage on stderr and exits 2.
func TestHelpConventions(t *testing.T) {
	cmds := [][]string{{"bank", "serve"}}
	for name := range commands() {
		cmds = append(cmds, []string{name})
	}
	for _, cmd := range cmds {
		name := strings.Join(cmd, " ")
		t.Run(name, func(t *testing.T) {
			var usage string
			for _, h := range []string{"-h", "--help"} {
				code, out, errs := runCLI(append(slices.Clone(cmd), h)...)
				if code != 0 || !strings.HasPrefix(out, "usage: weiyin "+cmd[0]) || errs != "" {
					t.Fatalf("%s %s: exit %d, stdout %q, stderr %q; want 0, the usage, nothing", name, h, code, out, errs)
				}
				usage = out
			}
			code, out, errs := runCLI(append([]string{"help"}, cmd...)...)
			if code != 0 || out != usage || errs != "" {
				t.Errorf("help %s: exit %d, stdout %q, stderr %q; want 0 and the -h usage", name, code, out, errs)
			}
			code, out, errs = runCLI(append(slices.Clone(cmd), "--no-such-flag")...)
			if code != 2 || out != "" || !strings.Contains(errs, "no-such-flag") || !strings.Contains(errs, "usage: weiyin") {
				t.Errorf("%s --no-such-flag: exit %d, stdout %q, stderr %q; want 2, the error and usage on stderr", name, code, out, errs)
			}
		})
	}
	for _, c := range []struct {
		args []string
		code int
		out  bool // usage on stdout rather than stderr
	}{
		{[]string{"-h"}, 0, true},            // Ensure weiyin -h is help, not an error.
		{[]string{"--help"}, 0, true},        // Ensure the long form too.
		{[]string{"help"}, 0, true},          // Ensure weiyin help lists the commands.
		{[]string{"help", "-h"}, 0, true},    // Ensure help's own help is not an unknown command.
		{nil, 2, false},                      // Ensure no command is a usage error.
		{[]string{"nope"}, 2, false},         // Ensure an unknown command is a usage error.
		{[]string{"help", "nope"}, 2, false}, // Ensure help for an unknown command is a usage error.
	} {
		code, out, errs := runCLI(c.args...)
		got := errs
		if c.out {
			got = out
		}
		if code != c.code || !strings.Contains(got, "usage: weiyin COMMAND") {
			t.Errorf("weiyin %q: exit %d, stdout %q, stderr %q; want %d with the usage on %s", c.args, code, out, errs, c.code, map[bool]string{true: "stdout", false: "stderr"}[c.out])
		}
	}
}

// TestParseArgs ensures flags may come before, between and after the arguments, that "--"
// ends the flags, and that the arguments keep their order.
func TestParseArgs(t *testing.T) {
	cases := []struct {
		args   []string
		format string
		v      bool
		pos    []string
		code   int
		ok     bool
	}{
		{[]string{"dir", "--format", "json"}, "json", false, []string{"dir"}, 0, true},                   // Ensure a flag after the argument (check DIR --format json).
		{[]string{"--format=json", "a", "-v", "b"}, "json", true, []string{"a", "b"}, 0, true},           // Ensure flags between arguments, order kept.
		{[]string{"a", "--", "-v", "--format"}, "text", false, []string{"a", "-v", "--format"}, 0, true}, // Ensure "--" ends the flags.
		{[]string{"a", "-"}, "text", false, []string{"a", "-"}, 0, true},                                 // Ensure "-" (stdin) is an argument.
		{[]string{"a", "--format"}, "text", false, nil, 2, false},                                        // Ensure a flag without its value is a usage error.
		{[]string{"a", "--", "-h"}, "text", false, []string{"a", "-h"}, 0, true},                         // Ensure -h after "--" is an argument, not help.
		{[]string{"a", "--help"}, "text", false, nil, 0, false},                                          // Ensure --help anywhere is help.
	}
	for _, c := range cases {
		fs := flag.NewFlagSet("x", flag.ContinueOnError)
		format := fs.String("format", "text", "")
		v := fs.Bool("v", false, "")
		fs.Usage = func() {}
		var out, errb bytes.Buffer
		code, ok := parseArgs(fs, c.args, stdio{out: &out, err: &errb})
		if code != c.code || ok != c.ok {
			t.Errorf("%q: code %d ok %v, want %d %v", c.args, code, ok, c.code, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if *format != c.format || *v != c.v || !slices.Equal(fs.Args(), c.pos) {
			t.Errorf("%q: format %q v %v args %q, want %q %v %q", c.args, *format, *v, fs.Args(), c.format, c.v, c.pos)
		}
	}
}

// TestFlagsFromEnv ensures each flag can come from WEIYIN_NAME, that the command line wins,
// and that a bad value names the variable.
func TestFlagsFromEnv(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", ":8080", "")
	ttl := fs.Duration("session-ttl", time.Minute, "")
	data := fs.String("data", "d", "")
	if err := fs.Parse([]string{"--data", "cli"}); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"WEIYIN_ADDR": "127.0.0.1:9", "WEIYIN_SESSION_TTL": "2m", "WEIYIN_DATA": "env"}
	if err := flagsFromEnv(fs, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:9" || *ttl != 2*time.Minute || *data != "cli" {
		t.Errorf("addr %q ttl %v data %q; want the environment's addr and ttl, the command line's data", *addr, *ttl, *data)
	}
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.Duration("session-ttl", time.Minute, "")
	err := flagsFromEnv(fs, func(k string) string { return map[string]string{"WEIYIN_SESSION_TTL": "soon"}[k] })
	if err == nil || !strings.Contains(err.Error(), "WEIYIN_SESSION_TTL") {
		t.Errorf("bad duration: %v, want an error naming WEIYIN_SESSION_TTL", err)
	}
}

// TestServeFlagFromEnvironment ensures serve itself reads its flags from the environment: a
// bad WEIYIN_LOG_LEVEL is refused before anything starts.
func TestServeFlagFromEnvironment(t *testing.T) {
	var out, errb bytes.Buffer
	env := procEnv{getenv: func(k string) string {
		return map[string]string{"WEIYIN_LOG_LEVEL": "loud", "WEIYIN_DATA": t.TempDir()}[k]
	}}
	code := runServeEnv(context.Background(), nil, stdio{strings.NewReader(""), &out, &errb}, env)
	if code != 2 || !strings.Contains(errb.String(), `"loud"`) {
		t.Errorf("exit %d, stderr %q; want 2 naming the bad level", code, errb.String())
	}
}

// TestDurationsInMillis ensures log durations are written as KEY_ms in milliseconds, in
// both handlers, and other attributes are left alone.
func TestDurationsInMillis(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, logOptions(slog.LevelInfo))).Info("turn", "took", 1500*time.Microsecond, "wait_ms", 2*time.Second, "n", 3)
	if got := buf.String(); !strings.Contains(got, `"took_ms":1.5`) || !strings.Contains(got, `"wait_ms":2000`) || !strings.Contains(got, `"n":3`) {
		t.Errorf("JSON log %s", got)
	}
	buf.Reset()
	slog.New(slog.NewTextHandler(&buf, logOptions(slog.LevelInfo))).Info("turn", "took", 250*time.Millisecond)
	if got := buf.String(); !strings.Contains(got, "took_ms=250") {
		t.Errorf("text log %s", got)
	}
}

// TestVersion ensures weiyin version reports the module version, commit (short, +dirty) and
// Go version from the build information, and says "unknown" rather than failing without it.
func TestVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Path: "github.com/weiyin-bank/weiyin", Version: "v0.3.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := readBuildVersion(func() (*debug.BuildInfo, bool) { return bi, true }).String()
	for _, want := range []string{"weiyin v0.3.0", "commit 0123456789ab+dirty", "2026-12-01T10:00:00Z", "go1.26.0"} {
		if !strings.Contains(got, want) {
			t.Errorf("version %q lacks %q", got, want)
		}
	}
	got = readBuildVersion(func() (*debug.BuildInfo, bool) { return nil, false }).String()
	if !strings.Contains(got, "weiyin unknown") || !strings.Contains(got, "commit unknown") {
		t.Errorf("without build info: %q", got)
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "weiyin ") {
		t.Errorf("weiyin version: exit %d, %q", code, out)
	}
}

// TestCompletion ensures the completion scripts complete commands, nested commands and flags
// in real shells (each skipped with a message when the shell is not installed).
func TestCompletion(t *testing.T) {
	cases := []struct {
		line string // typed before TAB
		want string // a completion offered
	}{
		{"weiyin ch", "check"},                  // Ensure command names complete.
		{"weiyin check dir --fo", "--format"},   // Ensure a flag completes after an argument.
		{"weiyin bank se", "serve"},             // Ensure a nested command completes.
		{"weiyin bank serve --fi", "--fixture"}, // Ensure the nested command's own flags complete.
		{"weiyin help expo", "export"},          // Ensure help completes command names.
		{"weiyin graph --li", "--list"},         // Ensure a flag added later is completed without editing the scripts.
	}
	dir := t.TempDir()
	for _, sh := range []string{"bash", "zsh", "fish"} {
		t.Run(sh, func(t *testing.T) {
			if _, err := exec.LookPath(sh); err != nil {
				t.Skipf("%s is not installed (apt-get install %s)", sh, sh)
			}
			code, script, errs := runCLI("completion", sh)
			if code != 0 {
				t.Fatalf("completion %s: exit %d: %s", sh, code, errs)
			}
			file := filepath.Join(dir, map[string]string{"bash": "weiyin.bash", "zsh": "_weiyin", "fish": "weiyin.fish"}[sh])
			if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(sh, "-n", file).CombinedOutput(); err != nil {
				t.Fatalf("%s -n: %v\n%s", sh, err, out)
			}
			var lines []string
			for _, c := range cases {
				lines = append(lines, c.line)
			}
			got := complete(t, sh, dir, file, lines)
			for i, c := range cases {
				if !strings.Contains(got[i], c.want) {
					t.Errorf("%s: %q<TAB> gave %q, want %q among them", sh, c.line, got[i], c.want)
				}
			}
		})
	}
}

// complete returns what sh offers (or inserts) for each line followed by TAB.
func complete(t *testing.T, sh, dir, file string, lines []string) []string {
	t.Helper()
	var cmd *exec.Cmd
	switch sh {
	case "bash":
		cmd = exec.Command("bash", "-c", `source "$1"; shift
for line; do
    read -ra COMP_WORDS <<<"$line"; [[ $line == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]}-1)); COMPREPLY=(); _weiyin; echo "${COMPREPLY[*]}"; echo "@@"
done`, "bash", file)
	case "fish":
		cmd = exec.Command("fish", "-c", `source $argv[1]; for line in $argv[2..]; complete -C $line; echo "@@"; end`, file)
	case "zsh":
		// zsh completes only in its line editor: drive an interactive zsh in a pseudo-terminal,
		// type each line and TAB, keep what is echoed, then clear the line (^U).
		cmd = exec.Command("zsh", "-f", "-c", `zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='>'; fpath=($1 \$fpath); autoload -U compinit; compinit -u -D; print READY"
out=
for i in {1..100}; do sleep 0.1; while zpty -rt z chunk; do out+=$chunk; done; [[ $out == *READY*'>'* ]] && break; done
shift
for line; do
    out=
    zpty -wn z "$line"$'\t'
    idle=0
    for i in {1..50}; do
        sleep 0.05; n=$#out; while zpty -rt z chunk; do out+=$chunk; done
        if (( $#out > n )); then idle=0; elif (( $#out > 0 && ++idle >= 4 )); then break; fi
    done
    print -r -- "$out"; print "@@"
    zpty -wn z $'\C-u'
    sleep 0.1; while zpty -rt z chunk; do :; done
done
zpty -d z`, "zsh", dir)
	}
	cmd.Args = append(cmd.Args, lines...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", sh, err, out)
	}
	got := strings.Split(string(out), "@@\n")
	if len(got) < len(lines) {
		t.Fatalf("%s answered %d of %d lines:\n%s", sh, len(got), len(lines), out)
	}
	return got
}
