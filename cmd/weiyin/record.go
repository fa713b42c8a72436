package main

import (
	"container/list"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/weiyin-bank/weiyin/adapters/web"

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
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
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

// recordOpenFiles bounds the recordings serve keeps open; the least recently used is closed
// (and reopened to append when its user speaks again).
const recordOpenFiles = 256

// recordingTurner writes every user's conversation through a bot to its own file in DIR
// (`weiyin serve --record DIR`), so a real conversation becomes a regression test. Files are
// 0600 and masked (codes, card and phone numbers, amounts; the user id only masked in the
// title), named by a salted hash of the user id so that two ids never share a file and a name
// does not give the openid away; a restart appends; at most recordOpenFiles are open.
type recordingTurner struct {
	bot  *engine.Bot
	dir  string
	salt []byte
	max  int
	mu   sync.Mutex // held while a turn is written: one user's turns stay in order
	lru  *list.List // of *openRecording, most recently used first
	open map[string]*list.Element
	seen map[string]bool // user + message id already recorded: WeChat's retries are not new turns
}

type openRecording struct {
	user string
	f    *os.File
	rec  *transcript.Recorder
}

func newRecordingTurner(bot *engine.Bot, dir string) (*recordingTurner, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	salt, err := recordSalt(filepath.Join(dir, ".salt"))
	if err != nil {
		return nil, err
	}
	return &recordingTurner{bot: bot, dir: dir, salt: salt, max: recordOpenFiles, lru: list.New(),
		open: map[string]*list.Element{}, seen: map[string]bool{}}, nil
}

// recordSalt reads the directory's salt, or makes one: file names stay stable across restarts.
func recordSalt(path string) ([]byte, error) {
	if b, err := os.ReadFile(path); err == nil && len(b) == 32 {
		return b, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	rand.Read(b)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}

// fileName is user's recording: a salted hash, one per user id.
func (r *recordingTurner) fileName(user string) string {
	h := sha256.Sum256(append(slices.Clip(r.salt), user...))
	return filepath.Join(r.dir, hex.EncodeToString(h[:12])+".convo.txt")
}

// Turn runs the turn and records it; a recording failure never fails the turn.
func (r *recordingTurner) Turn(ctx context.Context, user string, m engine.Message) (engine.Reply, error) {
	rep, err := r.bot.Turn(ctx, user, m)
	if err != nil {
		return rep, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if m.ID != "" {
		if r.seen[user+"\x00"+m.ID] {
			return rep, nil
		}
		if len(r.seen) > 100000 {
			r.seen = map[string]bool{}
		}
		r.seen[user+"\x00"+m.ID] = true
	}
	if rec := r.recording(user, m.As); rec != nil {
		rec.rec.Record(m, rep)
	}
	return rep, nil
}

// recording returns user's open recording, opening (or reopening to append) it and closing
// the least recently used one beyond r.max. Called with r.mu held.
func (r *recordingTurner) recording(user, as string) *openRecording {
	if e, ok := r.open[user]; ok {
		r.lru.MoveToFront(e)
		return e.Value.(*openRecording)
	}
	f, err := os.OpenFile(r.fileName(user), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil
	}
	rec := &openRecording{user: user, f: f, rec: transcript.NewRecorder(f, transcript.RecordOptions{
		Title: "recorded with weiyin serve (user " + web.MaskID(user) + ")", As: as,
		MaskMoney: true, Continue: st.Size() > 0})}
	r.open[user] = r.lru.PushFront(rec)
	for r.lru.Len() > r.max {
		old := r.lru.Remove(r.lru.Back()).(*openRecording)
		delete(r.open, old.user)
		old.f.Close()
	}
	return rec
}

// Close closes every recording.
func (r *recordingTurner) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for e := r.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*openRecording).f.Close()
	}
	r.lru.Init()
	clear(r.open)
}
