package intents

import "sync"

// textBuf is working memory for the analysis of one text: its runes and their byte offsets,
// the runes' readings, flags. Pooled: features, homophone correction and the enum matcher
// allocated their own for every message.
type textBuf struct {
	rs    []rune
	offs  []int
	rd    [][]string
	flags []bool
}

var textBufs = sync.Pool{New: func() any { return new(textBuf) }}

// maxPooledRunes bounds the buffers kept in the pool: a huge message must not pin its
// buffers in every P's pool.
const maxPooledRunes = 4096

func getTextBuf() *textBuf { return textBufs.Get().(*textBuf) }

func putTextBuf(b *textBuf) {
	if cap(b.rs) <= maxPooledRunes && cap(b.flags) <= 4*maxPooledRunes {
		clear(b.rd[:cap(b.rd)]) // the readings are shared slices of the pinyin table: drop them
		textBufs.Put(b)
	}
}

// offsets is runeOffsets in b's memory: the runes of s and the byte offset of each
// (offs[len(rs)] == len(s)), valid until the next call.
func (b *textBuf) offsets(s string) (rs []rune, offs []int) {
	b.rs, b.offs = appendRuneOffsets(b.rs[:0], b.offs[:0], s)
	return b.rs, b.offs
}

// bools returns n false flags in b's memory, valid until the next call.
func (b *textBuf) bools(n int) []bool {
	if cap(b.flags) < n {
		b.flags = make([]bool, n)
	}
	b.flags = b.flags[:n]
	clear(b.flags)
	return b.flags
}
