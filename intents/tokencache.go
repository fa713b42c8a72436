package intents

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The token cache keeps how cppjieba cut a bundle's example lines, beside the calibration
// and the logistic model: on the next start with the same lines New builds everything from
// it while cppjieba still loads its dictionary (0.15 s, the start-up's longest step), and
// waits for the dictionary only to answer. A file is named and headed by a hash of what a
// cut depends on: the build (whose Go build ID changes with the embedded dictionaries and
// the code), the HMM option and every line as cut. It is trusted only when its checksum
// matches and each line's tokens make up the line again; else the lines are cut and the
// file written anew. Failing to read or write it only costs the cutting.

const tokenMagic = "weiyin-tokens-v1\n"

// tokenCache is where a set of lessons' cuts is kept; path "" when there is no cache (no
// cache directory, no build ID, or a calibration fold, whose lines are a part of a bundle's).
type tokenCache struct {
	path   string
	header []byte
}

func newTokenCache(opts Options, lessons []lesson) tokenCache {
	id := buildID()
	if opts.modelDir == "" || id == "" || opts.background != nil {
		return tokenCache{}
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s%s\nhmm=%v %d\n", tokenMagic, id, opts.HMM, len(lessons))
	for _, l := range lessons {
		h.Write([]byte(l.slotted))
		h.Write([]byte{0})
	}
	key := h.Sum(nil)
	return tokenCache{
		path:   filepath.Join(opts.modelDir, "tokens-"+hex.EncodeToString(key[:12])+".bin"),
		header: append([]byte(tokenMagic), key...),
	}
}

// read fills each lesson's cut from the cache and reports whether it could: all or none.
func (c tokenCache) read(lessons []lesson) bool {
	if c.path == "" {
		return false
	}
	data, err := os.ReadFile(c.path)
	if err != nil || len(data) < len(c.header)+sha256.Size || !bytes.Equal(data[:len(c.header)], c.header) {
		return false
	}
	body := data[len(c.header) : len(data)-sha256.Size]
	if sum := sha256.Sum256(body); !bytes.Equal(sum[:], data[len(data)-sha256.Size:]) {
		return false
	}
	cuts := make([][]string, len(lessons))
	for i := range lessons {
		n, k := binary.Uvarint(body)
		if k <= 0 || n > uint64(len(body)) {
			return false
		}
		body = body[k:]
		cut := make([]string, 0, n)
		for range n {
			m, k := binary.Uvarint(body)
			if k <= 0 || m > uint64(len(body)-k) {
				return false
			}
			cut = append(cut, string(body[k:k+int(m)]))
			body = body[k+int(m):]
		}
		if strings.Join(cut, "") != lessons[i].slotted {
			return false
		}
		cuts[i] = cut
	}
	if len(body) != 0 {
		return false
	}
	for i := range lessons {
		lessons[i].cut = cuts[i]
	}
	return true
}

// write keeps the lessons' cuts, when each makes up its line again (a cut that does not
// could never be checked when read back).
func (c tokenCache) write(lessons []lesson) {
	if c.path == "" {
		return
	}
	data := append([]byte(nil), c.header...)
	for _, l := range lessons {
		if strings.Join(l.cut, "") != l.slotted {
			return
		}
		data = binary.AppendUvarint(data, uint64(len(l.cut)))
		for _, t := range l.cut {
			data = binary.AppendUvarint(data, uint64(len(t)))
			data = append(data, t...)
		}
	}
	sum := sha256.Sum256(data[len(c.header):])
	writeCacheFile(c.path, append(data, sum[:]...))
}
