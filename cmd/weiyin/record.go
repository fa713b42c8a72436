package main

import (
	"os"
	"time"

	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/engine/transcript"
)

// chatRecorder writes `weiyin chat --record` transcripts; without a path it records nothing.
type chatRecorder struct {
	f   *os.File
	rec *transcript.Recorder
}

func newChatRecorder(path, user, as string, now time.Time, otp string) (*chatRecorder, error) {
	if path == "" {
		return &chatRecorder{}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	rec := transcript.NewRecorder(f, transcript.RecordOptions{Title: "recorded with weiyin chat", User: user, As: as, Start: now, OTP: otp})
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
