package store

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// The write-ahead log makes a group of turns durable with one small sequential write and one
// fdatasync; the applier later writes many groups to bbolt in one transaction. A bbolt commit
// of a group costs two fsyncs and a copy of every page the group touched, and the sessions of
// a group's users sit on as many different pages, so under load the log cuts the store's CPU
// and the bytes written severalfold (docs/benchmarks.md).
//
// The log is two files, used in turn: the committer appends to one until it is larger than
// walSwitch and everything in the other is in bbolt, then starts over at the beginning of the
// other. A frame is one group:
//
//	length uint32 | crc32c(payload) uint32 | payload
//	payload: seq uint64 | records
//	record:  op byte | user | session | reply key | reply record (each uvarint length + bytes)
//
// Group numbers (seq) rise by one from frame to frame across both files; bbolt keeps the last
// one it holds (bucket "wal", key "applied"), in the same transaction as the data. Opening a
// store replays the frames after that number, in order, stopping at the first gap, torn or
// stale frame: a file started over still holds older frames past its new end, and those are
// all in bbolt already (a file is started over only once everything in it was applied).
//
// Files grow by zero-filled chunks (doubling from walMinGrow up to walChunk at once, then
// fsync), so that a frame's fdatasync never has file metadata to write.

// maxFrame caps a frame's payload (a variable for tests): commitPending cuts groups to fit,
// and one record (two values of at most MaxValue) always fits.
var maxFrame = 64 << 20

// walSwitch: a log file past this size hands over to the other, once that one is applied (a
// variable for tests).
var walSwitch int64 = 1 << 20

const (
	walChunk   = 4 << 20   // log files grow by their size, zero-filled, at most this much at once
	walMinGrow = 256 << 10 // and at least this much
	frameHead  = 8
)

const (
	opCommit byte = 1 // session (and reply) of a turn
	opDelete byte = 2 // the user's session is forgotten
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

var (
	bucketWAL  = []byte("wal")
	keyApplied = []byte("applied")
)

// walFile is one of the two log files.
type walFile struct {
	f    *os.File
	size int64  // bytes allocated (written, zero-filled or not)
	off  int64  // where the next frame goes
	last uint64 // seq of the last frame written since the file was started over (0: none)
}

// wal is the log; only the committer goroutine uses it after Open.
type wal struct {
	files  [2]*walFile
	active int
	seq    uint64 // the last group written
	buf    []byte
}

// openWAL opens (creating) the two log files beside the database at path.
func openWAL(path string) (*wal, error) {
	w := &wal{}
	created := false
	for i := range w.files {
		name := fmt.Sprintf("%s.wal%d", path, i)
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("store: opening the log %s: %w", name, err)
		}
		st, err := f.Stat()
		if err != nil {
			f.Close()
			w.close()
			return nil, fmt.Errorf("store: opening the log %s: %w", name, err)
		}
		created = created || st.Size() == 0
		w.files[i] = &walFile{f: f, size: st.Size()}
	}
	if created {
		if err := syncDir(filepath.Dir(path)); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

// frame is one group read back from a log file.
type frame struct {
	seq     uint64
	payload []byte
}

// frames returns the frames of both files after applied, in seq order. Reading a file stops
// at the first frame that is torn, fails its checksum or does not follow the previous one:
// the end of what was written (a torn last group, zeros, or older groups of a file that
// started over, all applied). When an intact group numbered after both the last good one and
// applied follows that point, the stop is not the end but damage in the middle of
// acknowledged groups, and frames fails with an ErrCorrupt naming the file and the offset:
// replaying up to there would drop those groups without a word.
func (w *wal) frames(path string, applied uint64) ([]frame, error) {
	var all []frame
	for i, wf := range w.files {
		data, err := io.ReadAll(io.NewSectionReader(wf.f, 0, wf.size))
		if err != nil {
			return nil, fmt.Errorf("store: reading the log: %w", err)
		}
		var prev uint64
		off := 0
		for {
			seq, payload, why := frameAt(data, off)
			if why == "" && prev != 0 && seq != prev+1 {
				why = fmt.Sprintf("group %d after group %d", seq, prev)
			}
			if why != "" {
				if later, at, ok := laterFrame(data, off+1, max(prev, applied)); ok {
					return nil, &CorruptError{File: fmt.Sprintf("%s.wal%d", path, i), Offset: int64(off), Reason: why,
						After: prev, Next: later, NextOffset: int64(at)}
				}
				break
			}
			if seq > applied {
				all = append(all, frame{seq, payload[8:]})
			}
			prev = seq
			off += frameHead + len(payload)
		}
	}
	slices.SortFunc(all, func(a, b frame) int { return cmp.Compare(a.seq, b.seq) })
	return all, nil
}

// frameAt reads the frame at off: its group and payload, or why it is not a whole frame.
func frameAt(data []byte, off int) (seq uint64, payload []byte, why string) {
	if len(data)-off < frameHead {
		return 0, nil, "end of file"
	}
	n := binary.BigEndian.Uint32(data[off:])
	if n < 8 || int64(n) > int64(maxFrame) || int64(len(data)-off-frameHead) < int64(n) {
		return 0, nil, fmt.Sprintf("bad frame length %d", n)
	}
	payload = data[off+frameHead : off+frameHead+int(n)]
	if crc32.Checksum(payload, crcTable) != binary.BigEndian.Uint32(data[off+4:]) {
		return 0, nil, "checksum mismatch"
	}
	return binary.BigEndian.Uint64(payload), payload, ""
}

// laterFrame looks from off on for an intact frame of a group numbered above floor, and
// returns its group and offset.
func laterFrame(data []byte, off int, floor uint64) (uint64, int, bool) {
	for ; off+frameHead+8 <= len(data); off++ {
		// The group number first: it rules out nearly every offset without a checksum.
		if seq := binary.BigEndian.Uint64(data[off+frameHead:]); seq <= floor || seq-floor > 1<<32 {
			continue
		}
		if seq, _, why := frameAt(data, off); why == "" && seq > floor {
			return seq, off, true
		}
	}
	return 0, 0, false
}

// CorruptError says where the session log is damaged in the middle of acknowledged groups.
// Open refuses to run on such a log: it would drop those turns (sessions and the replies that
// make retries idempotent).
type CorruptError struct {
	File       string
	Offset     int64  // where the damaged frame starts
	Reason     string // what is wrong with it
	After      uint64 // the last intact group before it (0: none in this file)
	Next       uint64 // an intact later group
	NextOffset int64
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store: the session log %s is corrupt at offset %d (%s), after group %d and before group %d at offset %d: "+
		"replaying would drop acknowledged turns. Keep the files for analysis; to start anyway from what the database holds, "+
		"losing the turns logged since its last apply, move %s and its sibling log aside",
		e.File, e.Offset, e.Reason, e.After, e.Next, e.NextOffset, e.File)
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// ErrCorrupt is matched by the errors of a damaged session database or log.
var ErrCorrupt = errors.New("store: corrupt")

// restart makes both files start over: everything in them is applied.
func (w *wal) restart() {
	for _, wf := range w.files {
		wf.off, wf.last = 0, 0
	}
	w.active = 0
}

// append writes reqs as the next group and returns once it is durable. applied is the last
// group bbolt holds, which says whether the other file may be started over.
func (w *wal) append(reqs []*commitReq, applied uint64) (uint64, error) {
	cur := w.files[w.active]
	if other := w.files[1-w.active]; cur.off > walSwitch && other.last <= applied {
		w.active = 1 - w.active
		cur = other
		cur.off, cur.last = 0, 0
	}
	seq := w.seq + 1
	b := append(w.buf[:0], make([]byte, frameHead)...)
	b = binary.BigEndian.AppendUint64(b, seq)
	var headroom int64 // a probe checks there is room for more than itself
	for _, r := range reqs {
		if r.probe {
			headroom = walMinGrow
			continue
		}
		op := opCommit
		if r.del {
			op = opDelete
		}
		b = append(b, op)
		for _, f := range [][]byte{r.user, r.session, r.key, r.rec} {
			b = binary.AppendUvarint(b, uint64(len(f)))
			b = append(b, f...)
		}
	}
	w.buf = b
	payload := b[frameHead:]
	if len(payload) > maxFrame {
		return 0, fmt.Errorf("store: a group of %d bytes", len(payload))
	}
	binary.BigEndian.PutUint32(b, uint32(len(payload)))
	binary.BigEndian.PutUint32(b[4:], crc32.Checksum(payload, crcTable))
	if err := cur.reserve(int64(len(b)) + headroom); err != nil {
		return 0, err // nothing written where the frame goes
	}
	if _, err := cur.f.WriteAt(b, cur.off); err != nil {
		return 0, w.failed(fmt.Errorf("store: writing the log: %w", err))
	}
	if err := fdatasync(cur.f); err != nil {
		return 0, w.failed(fmt.Errorf("store: syncing the log: %w", err))
	}
	cur.off += int64(len(b))
	cur.last = seq
	w.seq = seq
	return seq, nil
}

// errLogUnknown marks a failed group that may be on disk (see failed).
var errLogUnknown = errors.New("the failed group could not be struck off the log")

// failed handles a frame whose write or sync failed: some or all of it may be on disk, and
// would come back on replay although its turns were refused. Striking its header off (zeros,
// synced) makes the log end before it, as if it had never been written; the next group goes
// to the same place with the same number. When that fails too the returned error wraps
// errLogUnknown, and strikeOff must succeed before anything more is logged.
func (w *wal) failed(err error) error {
	if serr := w.strikeOff(); serr != nil {
		return fmt.Errorf("%w (%w: %v)", err, errLogUnknown, serr)
	}
	return err
}

// strikeOff zeroes the frame header where the next group goes and syncs it.
func (w *wal) strikeOff() error {
	cur := w.files[w.active]
	if cur.off+frameHead > cur.size {
		return nil // never allocated, so never written
	}
	if _, err := cur.f.WriteAt(make([]byte, frameHead), cur.off); err != nil {
		return err
	}
	return fdatasync(cur.f)
}

// reserve makes sure n bytes from off are allocated, growing the file by zero-filled chunks.
func (wf *walFile) reserve(n int64) error {
	if wf.off+n <= wf.size {
		return nil
	}
	grow := max(min(max(wf.size, walMinGrow), walChunk), wf.off+n-wf.size)
	zeros := make([]byte, 64<<10)
	for at := wf.size; at < wf.size+grow; at += int64(len(zeros)) {
		if _, err := wf.f.WriteAt(zeros[:min(int64(len(zeros)), wf.size+grow-at)], at); err != nil {
			return fmt.Errorf("store: growing the log: %w", err)
		}
	}
	if err := wf.f.Sync(); err != nil {
		return fmt.Errorf("store: growing the log: %w", err)
	}
	wf.size += grow
	return nil
}

func (w *wal) close() error {
	var errs []error
	for _, wf := range w.files {
		if wf != nil {
			errs = append(errs, wf.f.Close())
		}
	}
	return errors.Join(errs...)
}

// decodeRecords parses a frame's records.
func decodeRecords(p []byte) ([]*commitReq, error) {
	var out []*commitReq
	for len(p) > 0 {
		r := &commitReq{del: p[0] == opDelete}
		if p[0] != opCommit && p[0] != opDelete {
			return nil, fmt.Errorf("store: log record of unknown kind %d", p[0])
		}
		p = p[1:]
		for _, f := range []*[]byte{&r.user, &r.session, &r.key, &r.rec} {
			n, k := binary.Uvarint(p)
			if k <= 0 || uint64(len(p)-k) < n {
				return nil, errors.New("store: truncated log record")
			}
			if n > 0 {
				*f = p[k : k+int(n)]
			}
			p = p[k+int(n):]
		}
		out = append(out, r)
	}
	return out, nil
}

// syncDir makes a directory's entries (a new file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: syncing %s: %w", dir, err)
	}
	return nil
}
