package transcript

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Report is the outcome of replaying a suite, in suite order.
type Report struct {
	Results  []Result
	Duration time.Duration
	Noise    string // the noise model used, "" none
}

// Failed counts the failed runs.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if !res.Passed {
			n++
		}
	}
	return n
}

// OK reports whether every run passed.
func (r *Report) OK() bool { return r.Failed() == 0 }

// WriteText writes a report for people: one line per run, and for each failure where it
// happened, what the customer said, what the bot said and what was expected. Chinese stays
// as it is. verbose lists passing runs too.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	ew := &errWriter{w: w}
	for _, res := range r.Results {
		if res.Passed {
			if verbose {
				ew.printf("ok   %s (%s)\n", res.Name, res.File)
			}
			continue
		}
		ew.printf("FAIL %s (%s)\n", res.Name, res.File)
		ew.printf("%s", indent(res.Failure.Text(), "     "))
	}
	noise := ""
	if r.Noise != "" {
		noise = ", noise " + r.Noise
	}
	ew.printf("%d convos, %d passed, %d failed%s\n", len(r.Results), len(r.Results)-r.Failed(), r.Failed(), noise)
	return ew.err
}

// Text renders a failure in Chinese for people: position, the exchange, then each failed check
// as expected (期望) and actual (实际) lines, with a character diff where it helps.
func (f *Failure) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d: ", f.File, f.Line)
	if f.Turn > 0 {
		fmt.Fprintf(&b, "第%d轮 %s\n", f.Turn, f.Section)
	} else {
		fmt.Fprintf(&b, "%s\n", f.Section)
	}
	if f.Me != "" {
		fmt.Fprintf(&b, "  客户: %s\n", f.Me)
	}
	if f.Err != "" {
		fmt.Fprintf(&b, "  错误: %s\n", f.Err)
	}
	if len(f.Said) > 0 || len(f.Checks) > 0 {
		b.WriteString("  机器人:\n")
		if len(f.Said) == 0 {
			b.WriteString("    | " + noMoreText + "\n")
		}
		for _, s := range f.Said {
			for _, l := range strings.Split(s, "\n") {
				b.WriteString("    | " + l + "\n")
			}
		}
	}
	for _, c := range f.Checks {
		fmt.Fprintf(&b, "  %s (第%d行):\n", c.What, c.Line)
		fmt.Fprintf(&b, "    - 期望: %s\n", oneLine(c.Expected))
		fmt.Fprintf(&b, "    + 实际: %s\n", oneLine(c.Actual))
		if c.Diff != "" {
			fmt.Fprintf(&b, "      差异: %s  ([-缺少-] {+多出+})\n", oneLine(c.Diff))
		}
	}
	return b.String()
}

// Summary is a one-line description of the failure, for JUnit's message attribute.
func (f *Failure) Summary() string {
	loc := fmt.Sprintf("%s:%d", filepath.ToSlash(f.File), f.Line)
	if f.Err != "" {
		return loc + ": " + f.Err
	}
	if len(f.Checks) == 0 {
		return loc
	}
	c := f.Checks[0]
	return fmt.Sprintf("%s: 第%d轮 %s 期望 %s, 实际 %s", loc, f.Turn, c.What, oneLine(c.Expected), oneLine(c.Actual))
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "⏎") }

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return pre + strings.Join(lines, "\n"+pre) + "\n"
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// jsonReport is the --json shape.
type jsonReport struct {
	Convos int          `json:"convos"`
	Passed int          `json:"passed"`
	Failed int          `json:"failed"`
	Noise  string       `json:"noise,omitempty"`
	Runs   []jsonResult `json:"runs"`
}

type jsonResult struct {
	Name    string       `json:"name"`
	File    string       `json:"file"`
	Passed  bool         `json:"passed"`
	Turns   int          `json:"turns"`
	Failure *jsonFailure `json:"failure,omitempty"`
}

type jsonFailure struct {
	File    string   `json:"file"`
	Line    int      `json:"line"`
	Turn    int      `json:"turn"`
	Section string   `json:"section"`
	Me      string   `json:"me,omitempty"`
	Said    []string `json:"said"`
	Checks  []Check  `json:"checks,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// WriteJSON writes the machine-readable report (UTF-8, Chinese unescaped). Durations are left
// out so that the output of a replay is reproducible.
func (r *Report) WriteJSON(w io.Writer) error {
	out := jsonReport{Convos: len(r.Results), Failed: r.Failed(), Noise: r.Noise, Runs: []jsonResult{}}
	out.Passed = out.Convos - out.Failed
	for _, res := range r.Results {
		jr := jsonResult{Name: res.Name, File: filepath.ToSlash(res.File), Passed: res.Passed, Turns: len(res.Turns)}
		if f := res.Failure; f != nil {
			said := f.Said
			if said == nil {
				said = []string{}
			}
			jr.Failure = &jsonFailure{File: filepath.ToSlash(f.File), Line: f.Line, Turn: f.Turn, Section: f.Section, Me: f.Me, Said: said, Checks: f.Checks, Error: f.Err}
		}
		out.Runs = append(out.Runs, jr)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}

// WriteJUnit writes the report as JUnit XML: one <testsuite> per convo file, one <testcase>
// per run; an assertion failure is a <failure message="..."> whose body is the readable diff,
// a bot or setup error an <error>. Text is escaped by hand so that Chinese and line breaks stay
// readable (encoding/xml would write &#xA; for every newline).
func (r *Report) WriteJUnit(w io.Writer, withTimes bool) error {
	ew := &errWriter{w: w}
	type suite struct {
		file    string
		results []Result
	}
	var suites []*suite
	idx := map[string]*suite{}
	for _, res := range r.Results {
		s := idx[res.File]
		if s == nil {
			s = &suite{file: res.File}
			idx[res.File] = s
			suites = append(suites, s)
		}
		s.results = append(s.results, res)
	}
	counts := func(rs []Result) (fail, errs int, d time.Duration) {
		for _, res := range rs {
			d += res.Duration
			if res.Failure == nil {
				continue
			}
			if res.Failure.Err != "" {
				errs++
			} else {
				fail++
			}
		}
		return
	}
	tm := func(d time.Duration) string {
		if !withTimes {
			return ""
		}
		return fmt.Sprintf(` time="%.3f"`, d.Seconds())
	}
	fail, errs, d := counts(r.Results)
	ew.printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	ew.printf("<testsuites name=\"weiyin transcripts\" tests=\"%d\" failures=\"%d\" errors=\"%d\"%s>\n", len(r.Results), fail, errs, tm(d))
	for _, s := range suites {
		f, e, d := counts(s.results)
		ew.printf("  <testsuite name=\"%s\" tests=\"%d\" failures=\"%d\" errors=\"%d\" skipped=\"0\"%s>\n",
			xmlAttr(filepath.ToSlash(s.file)), len(s.results), f, e, tm(d))
		for _, res := range s.results {
			ew.printf("    <testcase name=\"%s\" classname=\"%s\"%s", xmlAttr(res.Name), xmlAttr(classname(res.File)), tm(res.Duration))
			if res.Failure == nil {
				ew.printf("/>\n")
				continue
			}
			tag, typ := "failure", "assertion"
			if res.Failure.Err != "" {
				tag, typ = "error", "error"
			}
			ew.printf(">\n      <%s message=\"%s\" type=\"%s\">%s</%s>\n    </testcase>\n",
				tag, xmlAttr(res.Failure.Summary()), typ, xmlText(res.Failure.Text()), tag)
		}
		ew.printf("  </testsuite>\n")
	}
	ew.printf("</testsuites>\n")
	return ew.err
}

// classname is the convo file without directory and extension, as CI tools group by it.
func classname(file string) string {
	return "transcripts." + baseName(filepath.ToSlash(file))
}

// xmlText escapes character data, keeping newlines and Chinese as they are and dropping
// characters XML 1.0 cannot carry.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case !xmlChar(r):
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// xmlAttr escapes an attribute value (double-quoted); newlines become spaces.
func xmlAttr(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ").Replace(s)
	return strings.ReplaceAll(xmlText(s), `"`, "&quot;")
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
