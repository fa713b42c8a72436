package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
)

// scope is what expressions and templates of one flow step can see.
type scope struct {
	frame    *Frame
	flow     *dialogs.Flow
	customer *Customer
	now      time.Time
	item     map[string]any // the element of a `say ... each` list
	index    int
	extra    map[string]any // reply-level variables ({flow} in resume)
}

// lookup resolves a path to a value: a Value (slots), string, float64, int64, bool, []any or
// map[string]any. Missing paths give nil.
func (s *scope) lookup(path []string) any {
	if len(path) == 0 {
		return nil
	}
	head, rest := path[0], path[1:]
	if s.item != nil {
		if head == "n" && len(rest) == 0 {
			return float64(s.index)
		}
		if v, ok := s.item[head]; ok {
			return walk(v, rest)
		}
		if head == "item" {
			return walk(s.item, rest)
		}
	}
	if v, ok := s.extra[head]; ok {
		return walk(v, rest)
	}
	switch head {
	case "customer":
		if s.customer == nil {
			if len(rest) == 1 && rest[0] == "bound" {
				return false
			}
			return nil
		}
		c := map[string]any{"bound": true, "name": s.customer.Name, "phone": s.customer.Phone, "id": s.customer.ID}
		return walk(c, rest)
	case "now":
		return s.now.Format(time.RFC3339)
	}
	if s.frame != nil {
		if v, ok := s.frame.Slots[head]; ok {
			if len(rest) == 0 {
				return v
			}
			if f, ok := v.Fields[rest[0]]; ok && len(rest) == 1 {
				return f
			}
			return nil
		}
		if v, ok := s.frame.Results[head]; ok {
			return walk(v, rest)
		}
	}
	return nil
}

func walk(v any, path []string) any {
	for _, p := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			if p == "count" {
				return float64(len(x))
			}
			return nil
		case Value:
			if len(path) == 1 {
				return x.Fields[p]
			}
			return nil
		default:
			return nil
		}
	}
	return v
}

// text renders any value for a template.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case Value:
		return x.Display()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	case bool:
		if x {
			return "是"
		}
		return "否"
	case Money:
		return x.Yuan()
	case []any:
		return strconv.Itoa(len(x))
	case map[string]any:
		if n, ok := x["name"].(string); ok {
			return n
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return strings.Join(keys, ",")
	}
	return fmt.Sprint(v)
}

// render fills a template. Sensitive slots without a filter are masked.
func (s *scope) render(t *dialogs.Template) string {
	if t == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Path == nil {
			b.WriteString(p.Text)
			continue
		}
		v := s.lookup(p.Path)
		out := text(v)
		if len(p.Filters) == 0 && s.sensitive(p.Path) {
			out = maskValue(v)
		}
		for _, f := range p.Filters {
			if f.Name == "count" {
				if l, ok := v.([]any); ok {
					out = strconv.Itoa(len(l))
					continue
				}
			}
			out, _ = applyFilter(f.Name, f.Arg, out)
		}
		b.WriteString(out)
	}
	return b.String()
}

func (s *scope) sensitive(path []string) bool {
	if s.flow == nil || len(path) != 1 {
		return false
	}
	sl := s.flow.Slot(path[0])
	return sl != nil && sl.Sensitive
}

// maskValue hides a sensitive slot value: names keep their first character, digits their tail.
func maskValue(v any) string {
	t := text(v)
	digits := 0
	for _, r := range t {
		if r >= '0' && r <= '9' {
			digits++
		}
	}
	if digits >= 7 {
		return MaskNumber(t)
	}
	return MaskName(t)
}

// eval evaluates an expression to a value (bool, float64, string or nil).
func (s *scope) eval(e *dialogs.Expr) any {
	if e == nil {
		return nil
	}
	switch e.Op {
	case "lit":
		return e.Lit
	case "path":
		return s.lookup(e.Path)
	case "filled":
		if s.frame == nil || len(e.Path) == 0 {
			return false
		}
		_, ok := s.frame.Slots[e.Path[0]]
		return ok
	case "not":
		return !truthy(s.eval(arg(e, 0)))
	case "and":
		return truthy(s.eval(arg(e, 0))) && truthy(s.eval(arg(e, 1)))
	case "or":
		return truthy(s.eval(arg(e, 0))) || truthy(s.eval(arg(e, 1)))
	case "==", "!=", "<", "<=", ">", ">=":
		return compare(e.Op, s.eval(arg(e, 0)), s.eval(arg(e, 1)))
	}
	return nil
}

func arg(e *dialogs.Expr, i int) *dialogs.Expr {
	if i < len(e.Args) {
		return e.Args[i]
	}
	return nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case Value:
		return x.V != ""
	}
	return true
}

// number reads a value as a number: money values (yuan strings) compare in yuan.
func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int64:
		return float64(x), true
	case int:
		return float64(x), true
	case Money:
		return float64(x) / 100, true
	case Value:
		return number(x.V)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		return f, err == nil
	case []any:
		return float64(len(x)), true
	}
	return 0, false
}

func compare(op string, a, b any) bool {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			switch op {
			case "==":
				return x == y
			case "!=":
				return x != y
			case "<":
				return x < y
			case "<=":
				return x <= y
			case ">":
				return x > y
			case ">=":
				return x >= y
			}
		}
	}
	if ab, ok := a.(bool); ok {
		bb, ok := b.(bool)
		switch op {
		case "==":
			return ok && ab == bb
		case "!=":
			return !ok || ab != bb
		}
		return false
	}
	as, bs := textOrV(a), textOrV(b)
	switch op {
	case "==":
		return as == bs
	case "!=":
		return as != bs
	case "<":
		return as < bs
	case "<=":
		return as <= bs
	case ">":
		return as > bs
	case ">=":
		return as >= bs
	}
	return false
}

func textOrV(v any) string {
	if x, ok := v.(Value); ok {
		return x.V
	}
	return text(v)
}
