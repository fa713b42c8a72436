package transcript

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// MaxRunsPerConvo caps how many runs utterance expansion may make of one convo.
const MaxRunsPerConvo = 1000

// SettingsFile is the optional file, in a directory given to Load (or the directory of a
// file given to it), that sets the suite's
// default settings: lines `FIXTURE path` (relative to the file), `USER id`, `AS id`,
// `NOW time`, `#` comments. Botium ignores it.
const SettingsFile = "weiyin-test.conf"

// Suite is every convo, partial convo and utterance list found under the loaded paths.
type Suite struct {
	Convos     []*Convo // sorted by file
	Partials   map[string]*Convo
	Utterances map[string]*Utterances
	// Settings are the defaults of the first SettingsFile found (zero when none); a convo's
	// #begin overrides them.
	Settings Settings
}

// Run is one replayable conversation: a convo with includes inlined and utterance lists
// expanded to one utterance each.
type Run struct {
	Name  string // convo title, plus "/LIST-Ln" per expanded list
	Convo *Convo
	Steps []Step
}

// Load reads every .convo.txt, .pconvo.txt and .utterances.txt file under paths (files or
// directories, walked recursively). It returns the suite and every problem found; a suite with
// problems must not be run.
func Load(paths ...string) (*Suite, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("transcript: %w", err)
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && kindOf(path) != "" {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("transcript: walking %s: %w", p, err)
		}
	}
	var settings Settings
	for _, p := range paths {
		dir := p
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			dir = filepath.Dir(p)
		}
		conf := filepath.Join(dir, SettingsFile)
		b, err := os.ReadFile(conf)
		if err != nil {
			continue
		}
		st, err := ParseSettings(conf, string(b))
		if err != nil {
			return nil, err
		}
		settings = st
		break
	}
	sort.Strings(files)
	srcs := make(map[string]string, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("transcript: %w", err)
		}
		srcs[f] = string(b)
	}
	s, err := Parse(files, srcs)
	if s != nil {
		s.Settings = settings
	}
	return s, err
}

// ParseSettings reads a SettingsFile; FIXTURE paths are made relative to its directory.
func ParseSettings(file, src string) (Settings, error) {
	var st Settings
	var errs ErrorList
	for i, l := range splitLines(src) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		key, val := splitWord(t)
		if val == "" {
			errs = append(errs, &Error{file, i + 1, fmt.Sprintf("%s needs a value", key)})
			continue
		}
		switch key {
		case "FIXTURE":
			if !filepath.IsAbs(val) {
				val = filepath.Join(filepath.Dir(file), val)
			}
			st.Fixture = val
		case "USER":
			st.User = val
		case "AS":
			st.As = val
		case "NOW":
			t, err := time.Parse(time.RFC3339, val)
			if err != nil {
				errs = append(errs, &Error{file, i + 1, fmt.Sprintf("NOW: want an RFC 3339 time: %v", err)})
				continue
			}
			st.Now = t
		default:
			errs = append(errs, &Error{file, i + 1, fmt.Sprintf("unknown setting %q (want FIXTURE, USER, AS or NOW)", key)})
		}
	}
	return st, errs.err()
}

func kindOf(path string) string {
	switch {
	case strings.HasSuffix(path, ".pconvo.txt"):
		return "pconvo"
	case strings.HasSuffix(path, ".convo.txt"):
		return "convo"
	case strings.HasSuffix(path, ".utterances.txt"):
		return "utterances"
	}
	return ""
}

// Parse builds a suite from file contents (files in the order to report them; the kind of
// each comes from its extension). It checks includes and utterance references.
func Parse(files []string, srcs map[string]string) (*Suite, error) {
	s := &Suite{Partials: map[string]*Convo{}, Utterances: map[string]*Utterances{}}
	var errs ErrorList
	add := func(err error) {
		switch e := err.(type) {
		case nil:
		case ErrorList:
			errs = append(errs, e...)
		case *Error:
			errs = append(errs, e)
		default:
			errs = append(errs, &Error{Msg: err.Error()})
		}
	}
	for _, f := range files {
		src := srcs[f]
		switch kindOf(f) {
		case "convo", "":
			c, err := ParseConvo(f, src, false)
			add(err)
			s.Convos = append(s.Convos, c)
		case "pconvo":
			c, err := ParseConvo(f, src, true)
			add(err)
			for _, key := range []string{c.Name, baseName(f)} {
				if prev, ok := s.Partials[key]; ok && prev != c {
					add(&Error{f, 1, fmt.Sprintf("partial convo %q is also defined in %s", key, prev.File)})
				}
				s.Partials[key] = c
			}
		case "utterances":
			u, err := ParseUtterances(f, src)
			add(err)
			if prev, ok := s.Utterances[u.Name]; ok {
				add(&Error{f, 1, fmt.Sprintf("utterance list %q is also defined in %s", u.Name, prev.File)})
			}
			s.Utterances[u.Name] = u
		}
	}
	// Check includes resolve and do not loop.
	for _, c := range s.Convos {
		if _, err := s.inline(c, nil); err != nil {
			add(err)
		}
	}
	sortErrors(errs)
	return s, errs.err()
}

func sortErrors(errs ErrorList) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].File != errs[j].File {
			return errs[i].File < errs[j].File
		}
		return errs[i].Line < errs[j].Line
	})
}

// inline returns c's steps with #include steps replaced by the partial's steps.
func (s *Suite) inline(c *Convo, stack []string) ([]Step, error) {
	var out []Step
	for _, st := range c.Steps {
		if st.Sender != Include {
			out = append(out, st)
			continue
		}
		p, ok := s.Partials[st.Text]
		if !ok {
			return nil, &Error{st.File, st.Line, fmt.Sprintf("#include %s: no partial convo with that name%s", st.Text, s.suggestPartial(st.Text))}
		}
		for _, name := range stack {
			if name == p.File {
				return nil, &Error{st.File, st.Line, fmt.Sprintf("#include %s: includes itself (%s)", st.Text, strings.Join(append(stack, p.File), " -> "))}
			}
		}
		sub, err := s.inline(p, append(stack, c.File))
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

func (s *Suite) suggestPartial(name string) string {
	best, bd := "", 4
	for k := range s.Partials {
		if d := editDistance([]rune(k), []rune(name)); d < bd || d == bd && k < best {
			best, bd = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// Runs expands every convo into its runs, in file order.
func (s *Suite) Runs() ([]Run, error) {
	var runs []Run
	var errs ErrorList
	for _, c := range s.Convos {
		rs, err := s.expand(c)
		if err != nil {
			if e, ok := err.(*Error); ok {
				errs = append(errs, e)
			} else {
				errs = append(errs, &Error{c.File, 1, err.Error()})
			}
			continue
		}
		runs = append(runs, rs...)
	}
	return runs, errs.err()
}

func (s *Suite) expand(c *Convo) ([]Run, error) {
	steps, err := s.inline(c, nil)
	if err != nil {
		return nil, err
	}
	runs := []Run{{Name: c.Name, Convo: c, Steps: steps}}
	for i, st := range steps {
		if st.Sender != Me {
			continue
		}
		u, ok := s.Utterances[st.Text]
		if !ok {
			continue
		}
		if len(runs)*len(u.Lines) > MaxRunsPerConvo {
			return nil, &Error{st.File, st.Line, fmt.Sprintf("utterance lists expand %s into more than %d runs", c.Name, MaxRunsPerConvo)}
		}
		var next []Run
		for _, r := range runs {
			for k, line := range u.Lines {
				nr := Run{Name: fmt.Sprintf("%s/%s-L%d", r.Name, u.Name, k+1), Convo: c}
				nr.Steps = append([]Step(nil), r.Steps...)
				nr.Steps[i].Text = line
				next = append(next, nr)
			}
		}
		runs = next
	}
	return runs, nil
}
