package engine

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

// NLU understands one message. *intents.Understander implements it.
type NLU interface {
	Understand(text string, c intents.Context) intents.Result
}

// Program is a loaded bot: a checked bundle and the NLU built from it. Immutable.
type Program struct {
	Bundle *dialogs.Bundle
	NLU    NLU
	// Version identifies the bundle (a content hash); sessions in a flow keep theirs.
	Version string
}

// Config wires a Bot to the outside world.
type Config struct {
	Bank       Bank
	Store      Store
	Clock      Clock
	Logger     *slog.Logger
	SessionTTL time.Duration // idle time after which a session restarts; default 15m
}

// Bot runs conversations. Safe for concurrent use: turns of one user are serialised, turns of
// different users run in parallel.
type Bot struct {
	cfg Config
}

// New returns a Bot running p.
func New(p *Program, cfg Config) (*Bot, error) {
	return nil, errors.New("engine: not built yet")
}

// Turn processes one message from user and returns the reply.
func (b *Bot) Turn(ctx context.Context, user string, m Message) (Reply, error) {
	return Reply{}, errors.New("engine: not built yet")
}
