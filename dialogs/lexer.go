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
	pos  lexer.Position
	end  lexer.Position
	msg  text
	hint text
}

func (e *lexError) Error() string {
	return fmt.Sprintf("%d:%d: %s", e.pos.Line, e.pos.Column, e.msg.en)
}

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

func (s *scanner) errf(start lexer.Position, msg text) *lexError {
	return &lexError{pos: start, end: s.pos, msg: msg}
}

// notUTF8 is the error for an invalid byte.
func notUTF8(b byte) text {
	return tr("the file is not valid UTF-8 text (byte 0x%02x); save it as UTF-8", "文件不是有效的 UTF-8 文本(字节 0x%02x); 请用 UTF-8 编码保存", b)
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
			return nil, s.errf(start, notUTF8(src[start.Offset]))
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
						return nil, s.errf(p, notUTF8(src[p.Offset]))
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
			e := s.errf(start, tr("this text has no closing quote: a quoted text must end with \" on the same line", "这段文字缺少结尾的英文双引号: 引号里的文字必须在同一行内以 \" 结束"))
			body := string(s.src[start.Offset:s.pos.Offset])
			if q, ok := lastChineseQuote(body); ok {
				e.hint = tr("it ends with the Chinese quote %s (%s); the closing quote must be the straight double quote \"", "结尾用的是中文引号 %s(%s); 结尾必须是英文双引号 \"", q, nameText(quoteName(q)))
			} else {
				e.hint = tr(`add " at the end of the text on line %d`, `在第 %d 行文字的末尾补上 "`, start.Line)
			}
			return e
		case r == utf8.RuneError && n == 1:
			p := s.pos
			s.advance()
			return s.errf(p, notUTF8(s.src[p.Offset]))
		case r == '\\':
			p := s.pos
			s.advance()
			e, n2 := s.peek()
			if n2 == 0 || (e != '"' && e != '\\' && e != 'n') {
				if n2 != 0 && e != '\n' {
					s.advance()
				}
				return s.errf(p, tr("unknown escape %q: inside quotes only \\\" (a quote), \\\\ (a backslash) and \\n (a new line) are allowed",
					"不认识的转义 %q: 引号里只能用 \\\"(英文引号)、\\\\(反斜杠)和 \\n(换行)", string(s.src[p.Offset:s.pos.Offset])))
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
			return s.errf(start, tr("brackets are nested more than %d levels deep here; split this into simpler steps", "括号嵌套超过了 %d 层; 请拆成更简单的几步", MaxNesting))
		}
	case '}', ')', ']':
		if *depth > 0 {
			*depth--
		}
	case ':', ',', '.', '=', '<', '>', '|':
	default:
		s.advance()
		if name, ok := chineseQuotes[r]; ok {
			e := s.errf(start, tr("Chinese quote %s (%s) cannot start or end a text", "中文引号 %s(%s)不能作为文字的开头或结尾", string(r), nameText(name)))
			e.hint = tr(`use straight double quotes: "..." (Chinese quotes are fine inside them, e.g. "回复“帮助”")`, `请改用英文双引号 "...", 中文引号可以写在英文引号里面, 例如 "回复“帮助”"`)
			return e
		}
		if ascii, name, ok := fullWidth(r); ok {
			e := s.errf(start, tr("full-width %s %q outside quotes", "引号外面用了全角%s %q", nameText(name), string(r)))
			e.hint = tr("write the half-width %q instead (switch the input method to English punctuation)", "请改成半角的 %q(把输入法切到英文标点)", ascii)
			return e
		}
		if r >= 0x80 {
			e := s.errf(start, tr("unexpected %q outside quotes: Chinese text must be inside double quotes \"...\"", "引号外面出现了 %q: 中文文字必须写在英文双引号 \"...\" 里", string(r)))
			e.hint = tr(`to put a quote inside a text write \" or use Chinese quotes “ ”`, `文字里要用引号, 请写 \" 或中文引号 “ ”`)
			return e
		}
		return s.errf(start, tr("unexpected character %q", "不认识的字符 %q", string(r)))
	}
	s.advance()
	s.emit(tokPunct, start)
	return nil
}

// chineseQuotes are the quote marks a Chinese input method types, by their names.
var chineseQuotes = map[rune]string{
	'“': "left double quote 左双引号", '”': "right double quote 右双引号",
	'‘': "left single quote 左单引号", '’': "right single quote 右单引号",
	'「': "left corner bracket 直角引号", '」': "right corner bracket 直角引号",
	'『': "left white corner bracket 双直角引号", '』': "right white corner bracket 双直角引号",
}

// nameText splits "english name 中文名" into its two languages.
func nameText(s string) text {
	i := strings.LastIndexByte(s, ' ')
	if i < 0 {
		return same(s)
	}
	return text{en: s[:i], zh: s[i+1:]}
}

func quoteName(q string) string {
	for _, r := range q {
		return chineseQuotes[r]
	}
	return ""
}

// lastChineseQuote is the Chinese quote that ends a text whose straight closing quote is
// missing (the author typed ” for ").
func lastChineseQuote(body string) (string, bool) {
	body = strings.TrimRight(body, " \t\r　")
	r, _ := utf8.DecodeLastRuneInString(body)
	if _, ok := chineseQuotes[r]; ok {
		return string(r), true
	}
	return "", false
}

// fullWidthPunct maps full-width characters an input method types to the ASCII the language
// wants, with their names.
var fullWidthPunct = map[rune][2]string{
	'\u3000': {" ", "space 空格"}, '：': {":", "colon 冒号"}, '，': {",", "comma 逗号"}, '（': {"(", "parenthesis 括号"},
	'）': {")", "parenthesis 括号"}, '｛': {"{", "brace 花括号"}, '｝': {"}", "brace 花括号"}, '＝': {"=", "equals sign 等号"},
	'［': {"[", "bracket 方括号"}, '］': {"]", "bracket 方括号"}, '＃': {"#", "number sign 井号"}, '．': {".", "full stop 句点"},
	'。': {".", "full stop 句号"}, '、': {",", "enumeration comma 顿号"}, '＞': {">", "greater-than sign 大于号"},
	'＜': {"<", "less-than sign 小于号"}, '｜': {"|", "vertical bar 竖线"}, '＂': {`"`, "quote 引号"},
}

// fullWidth names a full-width character typed where ASCII belongs, with its ASCII form.
func fullWidth(r rune) (ascii, name string, ok bool) {
	if p, ok := fullWidthPunct[r]; ok {
		return p[0], p[1], true
	}
	if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII letters, digits and signs
		return string(r - 0xFEE0), "character 字符", true
	}
	return "", "", false
}
