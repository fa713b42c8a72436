package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/web"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

// secrets returns what must never appear in a log: the fixture's openids, phone and card or
// account numbers and its one-time code, and the user ids the convos speak as.
func secrets(t *testing.T, fixture, dir string) []string {
	t.Helper()
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case string:
			switch key {
			case "otp", "wechat_openid", "phone", "number", "account":
				out = append(out, x)
			}
		}
	}
	walk("", doc)
	convos, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	convos = append(convos, filepath.Join(dir, transcript.SettingsFile))
	for _, f := range convos {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n") {
			if u, ok := strings.CutPrefix(line, "USER "); ok {
				out = append(out, strings.TrimSpace(u))
			}
		}
	}
	return out
}

// Any 11-digit mobile number or run of 13 or more digits (card, account, ID-card number) in
// the clear.
var clearNumberRE = regexp.MustCompile(`(^|[^0-9])(1[3-9][0-9]{9}|[0-9]{13,})([^0-9]|$)`)

// Ensure that replaying the whole transcript suite, with every log line of every bot captured
// at debug level through serve's masking handler, logs no openid, phone, card or account
// number and no one-time code.
func TestTranscriptLogsMasked(t *testing.T) {
	if testing.Short() {
		t.Skip("replays the whole suite")
	}
	dir := filepath.Join("..", "..", "testdata", "transcripts")
	suite, err := transcript.Load(dir)
	if err != nil {
		t.Skipf("no transcripts at %s: %v", dir, err)
	}
	prog, err := loadProgram("")
	if err != nil {
		t.Fatal(err)
	}
	buf := &syncBuffer{}
	log := slog.New(web.MaskingHandler(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	rep, err := transcript.Replay(context.Background(), suite, transcript.Options{
		Factory: replayFactory(prog, "", log), Defaults: suite.Settings})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Error("transcripts fail (TestShippedTranscripts says which)")
	}
	out := buf.String()
	lines := strings.Count(out, "\n")
	if lines < len(rep.Results) {
		t.Fatalf("%d log lines for %d convos: the logs were not captured", lines, len(rep.Results))
	}
	fixture := filepath.Join(dir, suite.Settings.Fixture)
	for _, s := range secrets(t, fixture, dir) {
		if strings.Contains(out, `"`+s+`"`) || strings.Contains(out, s+":") || strings.Contains(out, ":"+s) ||
			(len(s) >= 8 && strings.Contains(out, s)) {
			i := strings.Index(out, s)
			t.Errorf("the logs show %q: …%s…", s, out[max(0, i-200):min(len(out), i+100)])
		}
	}
	if m := clearNumberRE.FindString(out); m != "" {
		i := strings.Index(out, m)
		t.Errorf("the logs show a number in the clear: …%s…", out[max(0, i-200):min(len(out), i+100)])
	}
	t.Logf("%d convos, %d log lines scanned", len(rep.Results), lines)
}
