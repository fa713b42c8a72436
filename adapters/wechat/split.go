package wechat

import (
	"strings"
	"unicode/utf8"
)

// MaxReplyBytes is WeChat's limit on one text message's content, in bytes.
const MaxReplyBytes = 2048

// Split cuts text into parts of at most limit bytes each, preferring line breaks, then
// sentence ends, then any rune boundary; it never cuts a UTF-8 sequence. Empty parts are
// dropped. limit <= 0 means MaxReplyBytes.
func Split(text string, limit int) []string {
	if limit <= 0 {
		limit = MaxReplyBytes
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if len(text) <= limit {
		return []string{text}
	}
	var parts []string
	var cur strings.Builder
	flush := func() {
		if s := strings.TrimSpace(cur.String()); s != "" {
			parts = append(parts, s)
		}
		cur.Reset()
	}
	for _, line := range strings.SplitAfter(text, "\n") {
		if cur.Len()+len(strings.TrimRight(line, "\n")) <= limit {
			cur.WriteString(line)
			continue
		}
		flush()
		for len(line) > limit {
			cut := cutPoint(line, limit)
			if piece := strings.TrimSpace(line[:cut]); piece != "" {
				parts = append(parts, piece)
			}
			line = line[cut:]
		}
		cur.WriteString(line)
	}
	flush()
	return parts
}

// cutPoint is where to cut s (len(s) > limit) so that s[:cut] fits in limit bytes: after the
// last sentence end or space in the second half of the window, else at the last rune boundary.
// It always returns at least 1.
func cutPoint(s string, limit int) int {
	end := limit
	for end > 0 && limit-end < utf8.UTFMax && !utf8.RuneStart(s[end]) {
		end-- // s[end] continues a rune: back off to its start
	}
	if end == 0 || !utf8.RuneStart(s[end]) { // one rune wider than limit, or invalid bytes
		if end == 0 {
			_, n := utf8.DecodeRuneInString(s)
			return n
		}
		end = limit
	}
	window := s[:end]
	best := -1
	for i, r := range window {
		switch r {
		case '。', '！', '？', '；', '，', '.', '!', '?', ';', ',', ' ', '、':
			if e := i + utf8.RuneLen(r); e >= len(window)/2 {
				best = e
			}
		}
	}
	if best > 0 {
		return best
	}
	return end
}
