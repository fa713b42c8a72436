package wechat

import (
	"crypto/sha256"
	"encoding/binary"
	"sync"
	"time"
)

// DefaultMaxNonces caps how many signed URLs the handler remembers (see nonces).
const DefaultMaxNonces = 1 << 20

// nonces remembers, for the freshness window, the signed URLs (timestamp and nonce) of
// plaintext pushes and a digest of the body each came with. In plaintext mode WeChat's
// signature covers the token, the timestamp and the nonce but not the body, so without this
// one captured URL would carry any body, from any openid, until its timestamp goes stale. A
// URL seen again with the same body is WeChat's retry (deduplicated by message id further
// on); with another body it is a replay, refused.
//
// Entries are kept by the timestamp they were signed at, and dropped once that timestamp is
// outside the window (such a request is refused as stale before it gets here). If WeChat's
// traffic alone fills max entries, the oldest second goes first and a warning is logged: a
// replay of those URLs would then get through, as before, for the rest of their window.
type nonces struct {
	window time.Duration
	max    int

	mu    sync.Mutex
	bySec map[int64]map[string]uint64 // request timestamp -> nonce -> body digest
	n     int
	swept int64 // the last second swept
}

func newNonces(window time.Duration, max int) *nonces {
	if max <= 0 {
		max = DefaultMaxNonces
	}
	return &nonces{window: window, max: max, bySec: map[int64]map[string]uint64{}}
}

// check records the push signed at ts with nonce and carrying body, and reports false when
// that signed URL already came with another body. evicted is true when the cap forced out a
// second still within the window.
func (n *nonces) check(ts int64, nonce string, body []byte, now time.Time) (ok, evicted bool) {
	sum := sha256.Sum256(body)
	d := binary.BigEndian.Uint64(sum[:8])
	n.mu.Lock()
	defer n.mu.Unlock()
	if sec := now.Unix(); sec != n.swept {
		n.swept = sec
		oldest := now.Add(-n.window).Unix()
		for s, m := range n.bySec {
			if s < oldest {
				n.n -= len(m)
				delete(n.bySec, s)
			}
		}
	}
	m := n.bySec[ts]
	if prev, ok := m[nonce]; ok {
		return prev == d, false
	}
	for n.n >= n.max && len(n.bySec) > 0 {
		oldest := int64(0)
		first := true
		for s := range n.bySec {
			if first || s < oldest {
				oldest, first = s, false
			}
		}
		n.n -= len(n.bySec[oldest])
		delete(n.bySec, oldest)
		evicted = true
		m = n.bySec[ts]
	}
	if m == nil {
		m = map[string]uint64{}
		n.bySec[ts] = m
	}
	m[nonce] = d
	n.n++
	return true, evicted
}
