package studio

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing/fstest"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
	"github.com/weiyin-bank/weiyin/intents"
)

// program is a checked dialog directory with its NLU.
type program struct {
	bundle *dialogs.Bundle
	nlu    *intents.Understander
	engine *engine.Program
}

// snapshot reads the dialog directory's files (*.dlg and drafts) into memory, with overlay
// replacing or adding files by name: what the checker sees of an unsaved buffer.
func (s *Server) snapshot(overlay map[string][]byte) (fstest.MapFS, error) {
	entries, err := os.ReadDir(s.o.Dir)
	if err != nil {
		return nil, err
	}
	m := fstest.MapFS{}
	for _, e := range entries {
		if e.IsDir() || !isDialogName(e.Name()) {
			continue
		}
		b, err := os.ReadFile(s.o.Dir + string(os.PathSeparator) + e.Name())
		if err != nil {
			return nil, err
		}
		m[e.Name()] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	for n, b := range overlay {
		m[n] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m, nil
}

// isDialogName accepts the names the studio reads and writes: NAME.dlg and NAME.dlg.draft,
// without a directory.
func isDialogName(n string) bool {
	if n == "" || strings.ContainsAny(n, `/\`) || strings.HasPrefix(n, ".") {
		return false
	}
	return strings.HasSuffix(n, ".dlg") || strings.HasSuffix(n, ".dlg.draft")
}

// check loads the directory with overlay applied and returns the diagnostics, with the
// bundle when it checks clean. Diagnostics name files by their base name.
func (s *Server) check(overlay map[string][]byte) (*dialogs.Bundle, dialogs.Diagnostics, fstest.MapFS, error) {
	m, err := s.snapshot(overlay)
	if err != nil {
		return nil, nil, nil, err
	}
	b, ds := dialogs.LoadFS(m, ".")
	return b, ds, m, nil
}

// build checks the directory (with overlay) and, when it is clean, builds its NLU and engine
// program. A nil program with diagnostics means the files have errors.
func (s *Server) build(overlay map[string][]byte) (*program, dialogs.Diagnostics, error) {
	b, ds, m, err := s.check(overlay)
	if err != nil {
		return nil, nil, err
	}
	if b == nil {
		return nil, ds, nil
	}
	v := dialogs.FilesVersion(m, ".")
	u, err := nlus.get(v, b)
	if err != nil {
		return nil, ds, fmt.Errorf("building the NLU: %w", err)
	}
	p := &program{bundle: b, nlu: u}
	p.engine = &engine.Program{Bundle: b, NLU: s.trace.wrap(u), Version: v}
	return p, ds, nil
}

// nluCache keeps the NLU of the last few versions of the dialog files. Building one takes
// seconds, and the same files are built more than once: adding an example builds the new
// version for its evaluation and again when it is saved, and a save that changes nothing
// builds the running version. An Understander is read-only once built, so one serves them all.
// The lock is held while building, so one version is never built twice at once.
type nluCache struct {
	mu  sync.Mutex
	lru *lru.Cache[string, *intents.Understander] // by version, least recently used dropped
}

const nluCacheSize = 4

var nlus = func() *nluCache {
	l, _ := lru.New[string, *intents.Understander](nluCacheSize) // a positive size: no error
	return &nluCache{lru: l}
}()

// get returns the NLU of bundle b, whose files hash to version.
func (c *nluCache) get(version string, b *dialogs.Bundle) (*intents.Understander, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.lru.Get(version); ok {
		return u, nil
	}
	u, err := intents.New(b, intents.Calibrated())
	if err != nil {
		return nil, err
	}
	c.lru.Add(version, u)
	return u, nil
}

// tracingNLU remembers the first message the engine understood during a simulated turn, so
// the debug panel can show the ranked intents and explain them with the same context.
type tracingNLU struct {
	mu   sync.Mutex
	on   bool
	text string
	ctx  intents.Context
	res  intents.Result
	seen bool
}

type tracedUnderstander struct {
	t *tracingNLU
	u *intents.Understander
}

func (t *tracingNLU) wrap(u *intents.Understander) engine.NLU { return tracedUnderstander{t, u} }

func (n tracedUnderstander) Understand(text string, c intents.Context) intents.Result {
	r := n.u.Understand(text, c)
	n.t.mu.Lock()
	if n.t.on && !n.t.seen {
		n.t.text, n.t.ctx, n.t.res, n.t.seen = text, c, r, true
	}
	n.t.mu.Unlock()
	return r
}

// start begins tracing one turn.
func (t *tracingNLU) start() {
	t.mu.Lock()
	t.on, t.seen = true, false
	t.mu.Unlock()
}

// stop ends the turn's trace and returns what was understood (ok false: nothing was).
func (t *tracingNLU) stop() (text string, c intents.Context, r intents.Result, ok bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.on = false
	return t.text, t.ctx, t.res, t.seen
}
