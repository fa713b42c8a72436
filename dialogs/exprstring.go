package dialogs

import (
	"strconv"
	"strings"
)

// exprString writes an expression back in dialog syntax (parenthesised where needed).
func exprString(e *Expr) string {
	if e == nil {
		return ""
	}
	return exprPrec(e, 0)
}

func precOf(op string) int {
	switch op {
	case "or":
		return 1
	case "and":
		return 2
	case "not":
		return 3
	case "==", "!=", "<", "<=", ">", ">=":
		return 4
	}
	return 5
}

func exprPrec(e *Expr, outer int) string {
	var s string
	switch e.Op {
	case "lit":
		switch v := e.Lit.(type) {
		case string:
			s = quote(v)
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			s = strconv.FormatBool(v)
		}
	case "path":
		s = strings.Join(e.Path, ".")
	case "filled":
		s = "filled(" + e.Path[0] + ")"
	case "first":
		s = "first"
	case "not":
		s = "not " + exprPrec(e.Args[0], 3)
	default:
		p := precOf(e.Op)
		s = exprPrec(e.Args[0], p) + " " + e.Op + " " + exprPrec(e.Args[1], p+1)
	}
	if precOf(e.Op) < outer {
		return "(" + s + ")"
	}
	return s
}
