package studio

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/intents"
)

// reviewTail is how much of the end of the review log the studio reads.
const reviewTail = 16 << 20

// readReview reads the last reviewTail bytes of the review log; malformed lines are skipped
// and counted.
func readReview(path string) (entries []ReviewEntry, bad int, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > reviewTail {
		if _, err := f.Seek(st.Size()-reviewTail, io.SeekStart); err != nil {
			return nil, 0, err
		}
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		var e ReviewEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.Text == "" {
			if !first { // the first line of a tail may be cut
				bad++
			}
		} else {
			entries = append(entries, e)
		}
		first = false
	}
	return entries, bad, sc.Err()
}

// reviewGroup is similar messages: the most frequent text stands for them.
type reviewGroup struct {
	Text     string        `json:"text"` // the group's most frequent text
	Count    int           `json:"count"`
	Examples []textCount   `json:"examples"` // distinct texts, most frequent first (at most 5)
	Intents  []textCount   `json:"intents"`  // what the bot answered at the time
	Last     time.Time     `json:"last"`
	Now      intentNowView `json:"now"` // what the bot understands today
	grams    map[string]bool
}

type textCount struct {
	Text  string `json:"text"`
	Count int    `json:"count"`
}

type intentNowView struct {
	Intent     string  `json:"intent"`
	Confidence float64 `json:"confidence"`
}

// similarity of two messages: the Jaccard index of their character bigrams, over letters and
// digits only (punctuation, spaces and particles at the ends do not count).
func grams(s string) map[string]bool {
	var rs []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsNumber(r) || r == '*' {
			rs = append(rs, r)
		}
	}
	g := map[string]bool{}
	if len(rs) == 1 {
		g[string(rs)] = true
	}
	for i := 0; i+1 < len(rs); i++ {
		g[string(rs[i:i+2])] = true
	}
	return g
}

func jaccard(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return float64(n) / float64(len(a)+len(b)-n)
}

// groupSimilarity is the Jaccard index from which two messages are one group.
const groupSimilarity = 0.5

// groupReview clusters entries: distinct texts, most frequent first, each joins the first
// group whose text is similar enough, else starts one. Groups are sorted by count.
func groupReview(entries []ReviewEntry) []*reviewGroup {
	type distinct struct {
		text    string
		count   int
		last    time.Time
		intents map[string]int
	}
	byText := map[string]*distinct{}
	var order []*distinct
	for _, e := range entries {
		d := byText[e.Text]
		if d == nil {
			d = &distinct{text: e.Text, intents: map[string]int{}}
			byText[e.Text] = d
			order = append(order, d)
		}
		d.count++
		d.intents[e.Intent]++
		if e.Time.After(d.last) {
			d.last = e.Time
		}
	}
	slices.SortStableFunc(order, func(a, b *distinct) int { return b.count - a.count })
	var groups []*reviewGroup
	intentCounts := map[*reviewGroup]map[string]int{}
	for _, d := range order {
		g := grams(d.text)
		var into *reviewGroup
		for _, gr := range groups {
			if jaccard(g, gr.grams) >= groupSimilarity {
				into = gr
				break
			}
		}
		if into == nil {
			into = &reviewGroup{Text: d.text, grams: g}
			groups = append(groups, into)
			intentCounts[into] = map[string]int{}
		}
		into.Count += d.count
		if len(into.Examples) < 5 {
			into.Examples = append(into.Examples, textCount{d.text, d.count})
		}
		if d.last.After(into.Last) {
			into.Last = d.last
		}
		for in, n := range d.intents {
			intentCounts[into][in] += n
		}
	}
	for _, g := range groups {
		for in, n := range intentCounts[g] {
			g.Intents = append(g.Intents, textCount{in, n})
		}
		slices.SortFunc(g.Intents, func(a, b textCount) int {
			if a.Count != b.Count {
				return b.Count - a.Count
			}
			return strings.Compare(a.Text, b.Text)
		})
	}
	slices.SortStableFunc(groups, func(a, b *reviewGroup) int { return b.Count - a.Count })
	return groups
}

// review answers GET /api/review: the review log grouped, with what the bot understands
// today for each group, and the intents an example may be added to.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	if s.o.ReviewLog == "" {
		writeError(w, http.StatusNotFound, "no_review_log", "start the studio with --review-log FILE (the file `weiyin serve --review-log` writes)")
		return
	}
	entries, bad, err := readReview(s.o.ReviewLog)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", err.Error())
		return
	}
	s.simMu.Lock()
	p := s.prog
	s.simMu.Unlock()
	groups := groupReview(entries)
	c := intents.Context{Now: s.o.Now()}
	for _, g := range groups {
		res := p.nlu.Understand(g.Text, c)
		g.Now = intentNowView{res.Intent, res.Confidence}
	}
	var names []string
	for _, n := range p.bundle.IntentNames {
		if len(p.bundle.Intents[n].Examples) > 0 {
			names = append(names, n)
		}
	}
	if groups == nil {
		groups = []*reviewGroup{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": groups, "messages": len(entries), "malformed": bad, "intents": names})
}

// exampleRequest turns a message into an example of an intent.
type exampleRequest struct {
	Text   string `json:"text"`
	Intent string `json:"intent"`
	// DryRun only shows the change and the evaluation, writing nothing.
	DryRun bool `json:"dry_run"`
}

// exampleAnswer shows the change: the file, the diff, and `weiyin eval` before and after.
type exampleAnswer struct {
	File    string          `json:"file"`
	Diff    string          `json:"diff"`
	Saved   bool            `json:"saved"`
	Before  *intents.Report `json:"before,omitempty"`
	After   *intents.Report `json:"after,omitempty"`
	Fixed   []evalChange    `json:"fixed"`  // eval lines wrong before, right after
	Broken  []evalChange    `json:"broken"` // eval lines right before, wrong after
	Check   json.RawMessage `json:"check,omitempty"`
	Message string          `json:"message,omitempty"`
}

type evalChange struct {
	Text   string `json:"text"`
	Want   string `json:"want"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// addExample answers POST /api/review/example: the message is inserted as the last example of
// the intent, in the file that declares it, through the formatter; the directory must still
// check clean. The eval set is scored before and after.
func (s *Server) addExample(w http.ResponseWriter, r *http.Request) {
	var req exampleRequest
	if !decode(w, r, &req) {
		return
	}
	text := cleanExample(req.Text)
	switch {
	case text == "":
		writeError(w, http.StatusBadRequest, "bad_request", "the example is empty")
		return
	case strings.ContainsRune(text, '*'):
		writeError(w, http.StatusBadRequest, "masked", "the message has masked digits (*): write the example as a customer would say it, e.g. with a real amount")
		return
	}
	s.simMu.Lock()
	before := s.prog
	s.simMu.Unlock()
	in := before.bundle.Intents[req.Intent]
	if in == nil || len(in.Examples) == 0 {
		writeError(w, http.StatusBadRequest, "bad_intent", fmt.Sprintf("no intent %q with examples in the dialogs", req.Intent))
		return
	}
	file := in.Pos.File
	s.fileMu.Lock()
	src, err := os.ReadFile(s.o.Dir + string(os.PathSeparator) + file)
	s.fileMu.Unlock()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "io", err.Error())
		return
	}
	out, err := insertExample(file, src, req.Intent, text)
	if err != nil {
		writeError(w, http.StatusConflict, "cannot_insert", err.Error())
		return
	}
	ans := exampleAnswer{File: file, Diff: dialogs.Diff(file, file, src, out), Fixed: []evalChange{}, Broken: []evalChange{}}
	after, ds, err := s.build(map[string][]byte{file: out})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	if ans.Check, err = diagJSON(ds); err != nil {
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	if after == nil {
		ans.Message = "the example would make the dialogs fail the check; nothing was written"
		writeJSON(w, http.StatusUnprocessableEntity, ans)
		return
	}
	if s.o.EvalFile != "" {
		if ans.Before, err = s.evaluate(before); err == nil {
			ans.After, err = s.evaluate(after)
		}
		if err != nil {
			writeError(w, http.StatusInternalServerError, "eval_failed", err.Error())
			return
		}
		ans.Fixed, ans.Broken = evalChanges(ans.Before, ans.After)
	}
	if !req.DryRun {
		res, err := s.writeDialog(file, out)
		if err != nil {
			writeError(w, http.StatusInternalServerError, "io", err.Error())
			return
		}
		ans.Saved = res.Loaded
		ans.Check = res.Check
	}
	writeJSON(w, http.StatusOK, ans)
}

// cleanExample makes a message one example line: one line, trimmed, without the slot-mark
// brackets of the example syntax.
func cleanExample(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if r == '[' || r == ']' || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

// quoteDSL quotes text as a dialog string: only \" and \\ are escaped.
func quoteDSL(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

// insertExample returns src with text added after the last example of intent, formatted.
func insertExample(name string, src []byte, intent, text string) ([]byte, error) {
	f, ds := dialogs.ParseFile(name, src)
	if f == nil || ds.HasErrors() {
		return nil, fmt.Errorf("%s does not parse; fix it in the editor first", name)
	}
	var last *dialogs.Example
	for _, in := range f.Intents {
		if in.Name == intent && len(in.Examples) > 0 {
			last = &in.Examples[len(in.Examples)-1]
		}
	}
	if last == nil {
		return nil, fmt.Errorf("%s declares no examples of %s", name, intent)
	}
	for _, in := range f.Intents {
		for _, ex := range in.Examples {
			if ex.Text == text {
				return nil, fmt.Errorf("%q is already an example of %s", text, in.Name)
			}
		}
	}
	end := stringEnd(src, last.Pos.Offset)
	if end < 0 {
		return nil, fmt.Errorf("cannot find the end of the example at %s", last.Pos)
	}
	var b bytes.Buffer
	b.Write(src[:end])
	b.WriteString("\n" + quoteDSL(text))
	b.Write(src[end:])
	return dialogs.FormatFile(name, b.Bytes())
}

// stringEnd is the offset just after the quoted string starting at off, -1 if there is none.
func stringEnd(src []byte, off int) int {
	if off < 0 || off >= len(src) || src[off] != '"' {
		return -1
	}
	for i := off + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		case '\n':
			return -1
		}
	}
	return -1
}

// evaluate scores p's NLU on the eval file, as `weiyin eval --dialogs DIR FILE` does.
func (s *Server) evaluate(p *program) (*intents.Report, error) {
	f, err := os.Open(s.o.EvalFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return intents.Evaluate(p.nlu, f, s.o.EvalFile, intents.Context{Now: s.o.Now()})
}

// evalChanges lists the eval lines an edit fixed and those it broke.
func evalChanges(before, after *intents.Report) (fixed, broken []evalChange) {
	key := func(e intents.EvalError) string { return fmt.Sprintf("%d\x00%s", e.Line, e.Text) }
	b, a := map[string]intents.EvalError{}, map[string]intents.EvalError{}
	for _, e := range before.Errors {
		b[key(e)] = e
	}
	for _, e := range after.Errors {
		a[key(e)] = e
	}
	fixed, broken = []evalChange{}, []evalChange{}
	for _, e := range before.Errors {
		if _, still := a[key(e)]; !still {
			fixed = append(fixed, evalChange{e.Text, e.Want, e.Got, e.Want})
		}
	}
	for _, e := range after.Errors {
		if _, was := b[key(e)]; !was {
			broken = append(broken, evalChange{e.Text, e.Want, e.Want, e.Got})
		}
	}
	return fixed, broken
}
