package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ergochat/readline"
	"golang.org/x/term"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/web"
	"github.com/weiyin-bank/weiyin/engine"
)

type chatOptions struct {
	bot    botOptions
	user   string
	as     string
	now    string
	debug  bool
	record string
}

func chatCommand() command {
	return command{summary: "talk to the bot in the terminal (sandbox bank, shipped dialogs)", run: runChat}
}

func runChat(ctx context.Context, args []string, io stdio) int {
	var o chatOptions
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(io.err)
	setUsage(fs, "usage: weiyin chat [flags]\n\nTalk to the bot in the terminal, on the sandbox bank and the shipped dialogs (or --dialogs).")
	fs.StringVar(&o.bot.Dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.StringVar(&o.bot.Fixture, "fixture", "", "sandbox fixture JSON (default: embedded demo data)")
	fs.StringVar(&o.bot.DataDir, "data", envOr("WEIYIN_DATA", "weiyin-data"), "data directory (bbolt files)")
	fs.StringVar(&o.user, "user", "o_demo_1", "WeChat openid to chat as (o_demo_1 is the bound demo customer 张伟)")
	fs.StringVar(&o.as, "as", "", "speak as this sandbox customer id")
	fs.StringVar(&o.now, "now", "", "fixed clock, RFC 3339")
	fs.DurationVar(&o.bot.SessionTTL, "session-ttl", 15*time.Minute, "idle time after which a conversation restarts politely")
	fs.BoolVar(&o.debug, "debug", false, "show intent, entities, slots and state after each reply")
	fs.StringVar(&o.record, "record", "", "write the conversation to FILE as a .convo.txt transcript")
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	now, err := parseNow(o.now)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin chat:", err)
		return 2
	}
	o.bot.Now = now
	// The operator's log (warnings) and the sandbox's text messages go to stderr.
	o.bot.Logger = slog.New(web.MaskingHandler(slog.NewTextHandler(io.err, logOptions(slog.LevelWarn))))
	o.bot.OTPSink = func(phone, text string) {
		fmt.Fprintf(io.err, "      (沙箱短信 -> %s) %s\n", engine.MaskPhone(phone), text)
	}
	if o.bot.Fixture != "" && o.bot.DataDir == "weiyin-data" {
		o.bot.DataDir = filepath.Join("weiyin-data", "fixture-"+strings.TrimSuffix(filepath.Base(o.bot.Fixture), filepath.Ext(o.bot.Fixture)))
	}
	bot, closeBot, err := newBot(ctx, o.bot)
	if err != nil {
		fmt.Fprintln(io.err, "weiyin chat:", err)
		return 1
	}
	defer closeBot()

	lines, closeLines := chatInput(io)
	defer closeLines()
	rec, err := newChatRecorder(o.record, "recorded with weiyin chat", o.user, o.as, now, fixtureOTP(o.bot.Fixture))
	if err != nil {
		fmt.Fprintln(io.err, "weiyin chat:", err)
		return 2
	}
	defer func() {
		if err := rec.close(); err != nil {
			fmt.Fprintln(io.err, "weiyin chat: recording:", err)
		}
	}()
	fmt.Fprintf(io.out, "微银 weiyin: 您好,%s。输入消息开始对话,Ctrl-D 退出。\n", o.user)
	n := 0
	for {
		line, err := lines()
		if err != nil {
			break
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		n++
		m := engine.Message{Text: line, As: o.as, ID: ""}
		if lat, lng, ok := parseLocation(line); ok {
			m = engine.Message{Kind: "location", Lat: lat, Lng: lng, Label: line, As: o.as}
		}
		rep, err := bot.Turn(ctx, o.user, m)
		if err != nil {
			fmt.Fprintln(io.err, "错误:", err)
			if errors.Is(err, context.Canceled) {
				return 1
			}
			continue
		}
		for _, t := range rep.Texts {
			fmt.Fprintln(io.out, "微银> "+strings.ReplaceAll(t, "\n", "\n      "))
		}
		if len(rep.Buttons) > 0 {
			fmt.Fprintf(io.out, "      [%s]\n", strings.Join(rep.Buttons, "] ["))
		}
		if o.debug {
			printDebug(io.out, rep)
		}
		if err := rec.turn(m, rep); err != nil {
			fmt.Fprintln(io.err, "weiyin chat: recording:", err)
		}
	}
	return 0
}

// parseLocation reads "@31.2304,121.4737" as a WeChat location message.
func parseLocation(s string) (lat, lng float64, ok bool) {
	if !strings.HasPrefix(s, "@") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(s[1:], ",")
	if !found {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	return lat, lng, err1 == nil && err2 == nil
}

func printDebug(w io.Writer, rep engine.Reply) {
	fmt.Fprintf(w, "      · intent=%s (%.2f)", rep.Intent, rep.Confidence)
	if rep.Flow != "" {
		fmt.Fprintf(w, " flow=%s step=%s", rep.Flow, rep.Step)
	}
	for _, e := range rep.Entities {
		fmt.Fprintf(w, " %s=%s(%s)", e.Type, e.Value, e.Text)
	}
	if len(rep.Slots) > 0 {
		keys := make([]string, 0, len(rep.Slots))
		for k := range rep.Slots {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+rep.Slots[k])
		}
		fmt.Fprintf(w, " slots{%s}", strings.Join(parts, " "))
	}
	fmt.Fprintln(w)
}

// chatInput reads lines with editing and history on a terminal, or plainly from a pipe. The
// line editor is ergochat/readline, the maintained fork of chzyer/readline: it measures wide
// (Chinese) characters as two cells, so the cursor stays where the text is.
// $WEIYIN_HISTORY names the history file (default ~/.weiyin_history).
func chatInput(io stdio) (next func() (string, error), closeFn func()) {
	if f, ok := io.in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		home, _ := os.UserHomeDir()
		rl, err := readline.NewFromConfig(&readline.Config{Prompt: "我> ",
			HistoryFile: envOr("WEIYIN_HISTORY", filepath.Join(home, ".weiyin_history")),
			Stdin:       f, Stdout: io.out, Stderr: io.err})
		if err == nil {
			return rl.Readline, func() { rl.Close() }
		}
	}
	sc := bufio.NewScanner(io.in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	return func() (string, error) {
		if sc.Scan() {
			return sc.Text(), nil
		}
		if err := sc.Err(); err != nil {
			return "", err
		}
		return "", io2EOF
	}, func() {}
}

var io2EOF = errors.New("end of input")

// fixtureOTP is the fixed one-time code of a fixture file, so a recorded convo replays; "" when
// the fixture draws random codes.
func fixtureOTP(path string) string {
	if path == "" {
		return ""
	}
	fix, err := sandbox.LoadFixtureFile(path)
	if err != nil {
		return ""
	}
	return fix.OTP
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
