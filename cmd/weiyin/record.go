package main

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

// chatRecorder writes `weiyin chat --record` transcripts; without a path it records nothing.
type chatRecorder struct {
	f   *os.File
	rec *transcript.Recorder
}

func newChatRecorder(path, title, user, as string, now time.Time, otp string) (*chatRecorder, error) {
	if path == "" {
		return &chatRecorder{}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	rec := transcript.NewRecorder(f, transcript.RecordOptions{Title: title, User: user, As: as, Start: now, OTP: otp})
	return &chatRecorder{f: f, rec: rec}, nil
}

func (r *chatRecorder) turn(m engine.Message, rep engine.Reply) error {
	if r.rec == nil {
		return nil
	}
	return r.rec.Record(m, rep)
}

func (r *chatRecorder) close() error {
	if r.f == nil {
		return nil
	}
	return r.f.Close()
}

// recordingTurner writes every user's conversation through a bot to DIR/USER.convo.txt
// (`weiyin serve --record DIR`), so a real conversation becomes a regression test.
type recordingTurner struct {
	bot  *engine.Bot
	dir  string
	mu   sync.Mutex
	recs map[string]*chatRecorder
	seen map[string]bool // user + message id already recorded: WeChat's retries are not new turns
}

func newRecordingTurner(bot *engine.Bot, dir string) (*recordingTurner, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &recordingTurner{bot: bot, dir: dir, recs: map[string]*chatRecorder{}, seen: map[string]bool{}}, nil
}

// Turn runs the turn and records it; a recording failure never fails the turn.
func (r *recordingTurner) Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error) {
	rep, err := r.bot.Turn(ctx, user, m)
	if err != nil {
		return rep, err
	}
	r.mu.Lock()
	if m.ID != "" {
		if r.seen[user+"\x00"+m.ID] {
			r.mu.Unlock()
			return rep, nil
		}
		if len(r.seen) > 100000 {
			r.seen = map[string]bool{}
		}
		r.seen[user+"\x00"+m.ID] = true
	}
	rec, ok := r.recs[user]
	if !ok {
		name := filepath.Join(r.dir, safeFileName(user)+".convo.txt")
		rec, err = newChatRecorder(name, "recorded with weiyin serve", user, m.As, time.Time{}, "")
		if err == nil {
			r.recs[user] = rec
		}
	}
	r.mu.Unlock()
	if rec != nil {
		rec.turn(m, rep)
	}
	return rep, nil
}

// Close closes every recording.
func (r *recordingTurner) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range r.recs {
		rec.close()
	}
}

// safeFileName keeps letters, digits, '-' and '_' of a user id.
func safeFileName(s string) string {
	b := []rune{}
	for _, c := range s {
		if c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "user"
	}
	return string(b)
}
