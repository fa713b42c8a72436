package dialogs

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the dialog lexer. The parser elides whitespace and comments; the formatter
// reads comments from the token stream.
const (
	tokEOF        = lexer.EOF
	tokIdent      = lexer.TokenType(-2)
	tokString     = lexer.TokenType(-3)
	tokNumber     = lexer.TokenType(-4)
	tokDuration   = lexer.TokenType(-5)
	tokPunct      = lexer.TokenType(-6)
	tokComment    = lexer.TokenType(-7)
	tokWhitespace = lexer.TokenType(-8)
)

// MaxNesting bounds how deeply brackets may nest in one file; deeper input is a syntax error
// rather than a deep recursion in the parser.
const MaxNesting = 64

// tokenSymbols is a function, not a variable: the grammar is built during package
// initialisation, possibly before package variables it does not visibly depend on.
func tokenSymbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":        tokEOF,
		"Ident":      tokIdent,
		"String":     tokString,
		"Number":     tokNumber,
		"Duration":   tokDuration,
		"Punct":      tokPunct,
		"Comment":    tokComment,
		"Whitespace": tokWhitespace,
	}
}

// lexError is a lexical error at an exact position.
type lexError struct {
	pos lexer.Position
	end lexer.Position
	msg string
}

func (e *lexError) Error() string { return fmt.Sprintf("%d:%d: %s", e.pos.Line, e.pos.Column, e.msg) }

// lexDefinition is the participle lexer definition: it tokenises with rune columns.
type lexDefinition struct{}

func (lexDefinition) Symbols() map[string]lexer.TokenType { return tokenSymbols() }

func (lexDefinition) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", filename, err)
	}
	toks, lerr := lex(filename, b)
	if lerr != nil {
		return nil, lerr
	}
	return &sliceLexer{toks: toks}, nil
}

// sliceLexer replays an already lexed token slice.
type sliceLexer struct {
	toks []lexer.Token
	i    int
}

func (s *sliceLexer) Next() (lexer.Token, error) {
	if s.i >= len(s.toks) {
		return s.toks[len(s.toks)-1], nil
	}
	t := s.toks[s.i]
	s.i++
	return t, nil
}

// scanner walks a source by runes keeping a participle position with rune columns.
type scanner struct {
	src  []byte
	pos  lexer.Position
	toks []lexer.Token
}

func (s *scanner) peek() (rune, int) {
	if s.pos.Offset >= len(s.src) {
		return -1, 0
	}
	return utf8.DecodeRune(s.src[s.pos.Offset:])
}

func (s *scanner) peekAt(off int) byte {
	if s.pos.Offset+off >= len(s.src) {
		return 0
	}
	return s.src[s.pos.Offset+off]
}

func (s *scanner) advance() {
	r, n := s.peek()
	if n == 0 {
		return
	}
	s.pos.Offset += n
	if r == '\n' {
		s.pos.Line++
		s.pos.Column = 1
	} else {
		s.pos.Column++
	}
}

func (s *scanner) emit(typ lexer.TokenType, start lexer.Position) {
	s.toks = append(s.toks, lexer.Token{Type: typ, Value: string(s.src[start.Offset:s.pos.Offset]), Pos: start})
}

func (s *scanner) errf(start lexer.Position, format string, args ...any) *lexError {
	return &lexError{pos: start, end: s.pos, msg: fmt.Sprintf(format, args...)}
}

func isIdentStart(r rune) bool {
	return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
}

func isIdentChar(r rune) bool { return isIdentStart(r) || (r >= '0' && r <= '9') }

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// lex tokenises src. It returns every token (whitespace and comments included) ending with EOF,
// or the first lexical error.
func lex(filename string, src []byte) ([]lexer.Token, *lexError) {
	s := &scanner{src: src, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}
	if strings.HasPrefix(string(src[:min(3, len(src))]), "\uFEFF") {
		s.pos.Offset = 3 // a UTF-8 byte order mark is not part of the text
	}
	depth := 0
	for {
		r, n := s.peek()
		if n == 0 {
			break
		}
		start := s.pos
		switch {
		case r == utf8.RuneError && n == 1:
			s.advance()
			return nil, s.errf(start, "the file is not valid UTF-8 text (byte 0x%02x); save it as UTF-8", src[start.Offset])
		case r == ' ' || r == '\t' || r == '\r' || r == '\n':
			for r == ' ' || r == '\t' || r == '\r' || r == '\n' {
				s.advance()
				r, _ = s.peek()
			}
			s.emit(tokWhitespace, start)
		case r == '#':
			for r != '\n' && r != -1 {
				if r == utf8.RuneError {
					if _, w := s.peek(); w == 1 {
						p := s.pos
						s.advance()
						return nil, s.errf(p, "the file is not valid UTF-8 text (byte 0x%02x); save it as UTF-8", src[p.Offset])
					}
				}
				s.advance()
				r, _ = s.peek()
			}
			end := s.pos.Offset
			for end > start.Offset && src[end-1] == '\r' {
				end--
			}
			s.toks = append(s.toks, lexer.Token{Type: tokComment, Value: string(src[start.Offset:end]), Pos: start})
		case isIdentStart(r):
			for isIdentChar(r) {
				s.advance()
				r, _ = s.peek()
			}
			s.emit(tokIdent, start)
		case isDigit(r):
			for isDigit(r) {
				s.advance()
				r, _ = s.peek()
			}
			if r == '.' && isDigit(rune(s.peekAt(1))) {
				s.advance()
				r, _ = s.peek()
				for isDigit(r) {
					s.advance()
					r, _ = s.peek()
				}
			}
			typ := tokNumber
			if isIdentStart(r) {
				typ = tokDuration
				for isIdentChar(r) {
					s.advance()
					r, _ = s.peek()
				}
			}
			s.emit(typ, start)
		case r == '"':
			if err := s.lexString(start); err != nil {
				return nil, err
			}
		default:
			if err := s.lexPunct(start, r, &depth); err != nil {
				return nil, err
			}
		}
	}
	s.toks = append(s.toks, lexer.Token{Type: tokEOF, Pos: s.pos})
	return s.toks, nil
}

func (s *scanner) lexString(start lexer.Position) *lexError {
	s.advance() // opening quote
	for {
		r, n := s.peek()
		switch {
		case n == 0 || r == '\n' || r == '\r':
			return s.errf(start, "this text has no closing quote: a quoted text must end with \" on the same line")
		case r == utf8.RuneError && n == 1:
			p := s.pos
			s.advance()
			return s.errf(p, "the file is not valid UTF-8 text (byte 0x%02x); save it as UTF-8", s.src[p.Offset])
		case r == '\\':
			p := s.pos
			s.advance()
			e, n2 := s.peek()
			if n2 == 0 || (e != '"' && e != '\\' && e != 'n') {
				if n2 != 0 && e != '\n' {
					s.advance()
				}
				return s.errf(p, "unknown escape %q: inside quotes only \\\" (a quote), \\\\ (a backslash) and \\n (a new line) are allowed", string(s.src[p.Offset:s.pos.Offset]))
			}
			s.advance()
		case r == '"':
			s.advance()
			s.emit(tokString, start)
			return nil
		default:
			s.advance()
		}
	}
}

var punct2 = []string{"->", "==", "!=", "<=", ">="}

func (s *scanner) lexPunct(start lexer.Position, r rune, depth *int) *lexError {
	rest := s.src[s.pos.Offset:]
	for _, p := range punct2 {
		if strings.HasPrefix(string(rest[:min(2, len(rest))]), p) {
			s.advance()
			s.advance()
			s.emit(tokPunct, start)
			return nil
		}
	}
	switch r {
	case '{', '(', '[':
		*depth++
		if *depth > MaxNesting {
			s.advance()
			return s.errf(start, "brackets are nested more than %d levels deep here; split this into simpler steps", MaxNesting)
		}
	case '}', ')', ']':
		if *depth > 0 {
			*depth--
		}
	case ':', ',', '.', '=', '<', '>', '|':
	default:
		s.advance()
		if r == '“' || r == '”' {
			return s.errf(start, "Chinese quotes %q cannot start or end a text: use straight double quotes \"...\" (Chinese quotes are fine inside them)", string(r))
		}
		if r >= 0x80 {
			return s.errf(start, "unexpected %q outside quotes: Chinese text must be inside double quotes \"...\"; to put a quote inside a text write \\\"", string(r))
		}
		return s.errf(start, "unexpected character %q", string(r))
	}
	s.advance()
	s.emit(tokPunct, start)
	return nil
}
