package intents

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
)

// The logistic model (linear.go) is most of what New costs: training it took 0.35 to 0.5 s of
// the shipped bot's start-up. It depends only on the training vectors and on the code that
// trains it, so a compiled bundle keeps it on disk beside its calibration (Options.CacheDir,
// only when Options.Calibrate) and the next start reads it back. The file is named by a hash of
// the vectors and holds the executable's Go build ID: a rebuilt binary, whose training code may
// have changed, trains again and overwrites it, so there is one file a bundle, as for
// calibrations. Where the build ID cannot be read (not an ELF executable) nothing is cached.
// The weights are followed by their SHA-256: a file whose bytes were changed (a bad disk, a
// copy cut short and padded) is not taken for a model, whatever its size.

// modelMagic starts a model cache file.
const modelMagic = "weiyin linear model 2\n"

// cachedLinear returns the model trained on docs, read from dir when a file there holds it for
// this executable, else trained and written there. dir "" means no cache.
func cachedLinear(dir string, docs []linearDoc, features, classes int) *linear {
	id := buildID()
	if dir == "" || id == "" {
		return trainLinear(docs, features, classes)
	}
	key := modelKey(docs, features, classes)
	path := filepath.Join(dir, "model-"+hex.EncodeToString(key[:12])+"-"+buildTag()+".bin")
	header := append(append([]byte(modelMagic), key[:]...), id...)
	if m := readModel(path, header, features, classes); m != nil {
		return m
	}
	m := trainLinear(docs, features, classes)
	writeModel(path, header, m)
	return m
}

// modelKey hashes what trainLinear's result depends on besides its code.
func modelKey(docs []linearDoc, features, classes int) [sha256.Size]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d %d %v %v %v %d\n", features, classes, linearEpochs, linearRate, linearL2, len(docs))
	var buf []byte
	for _, d := range docs {
		buf = binary.LittleEndian.AppendUint32(buf[:0], uint32(d.class))
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(d.ids)))
		for k, id := range d.ids {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(id))
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(d.xs[k]))
		}
		h.Write(buf)
	}
	var key [sha256.Size]byte
	h.Sum(key[:0])
	return key
}

// readModel returns the model in path when the file starts with header and holds a model of
// the given size whose checksum matches and whose weights are finite, else nil. It reads in
// chunks: the whole file at once was 2.6 MB more resident memory at start-up for the shipped
// bot.
func readModel(path string, header []byte, features, classes int) *linear {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() != int64(len(header)+4*features*classes+sha256.Size) {
		return nil
	}
	r := bufio.NewReaderSize(f, 64<<10)
	got := make([]byte, len(header))
	if _, err := io.ReadFull(r, got); err != nil || !bytes.Equal(got, header) {
		return nil
	}
	m := &linear{w: make([]float32, features*classes), classes: classes}
	sum := sha256.New()
	var buf [4]byte
	for i := range m.w {
		if _, err := io.ReadFull(r, buf[:]); err != nil {
			return nil
		}
		sum.Write(buf[:])
		w := math.Float32frombits(binary.LittleEndian.Uint32(buf[:]))
		if math.IsNaN(float64(w)) || math.IsInf(float64(w), 0) {
			return nil
		}
		m.w[i] = w
	}
	var want [sha256.Size]byte
	if _, err := io.ReadFull(r, want[:]); err != nil || !bytes.Equal(sum.Sum(nil), want[:]) {
		return nil
	}
	return m
}

// writeModel keeps m in path, atomically; failing to only costs the next start the training.
func writeModel(path string, header []byte, m *linear) {
	data := make([]byte, 0, len(header)+4*len(m.w)+sha256.Size)
	data = append(data, header...)
	for _, w := range m.w {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(w))
	}
	sum := sha256.Sum256(data[len(header):])
	writeCacheFile(path, append(data, sum[:]...))
}

// buildID returns the Go build ID of the running executable ("" when it cannot be read): it
// changes whenever anything compiled into the binary does.
var buildID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	// An ELF note: name size, description size, type, "Go\0\0", then the ID.
	if err != nil || len(note) < 16 || string(note[12:16]) != "Go\x00\x00" {
		return ""
	}
	n := f.ByteOrder.Uint32(note[4:])
	if uint64(len(note)) < 16+uint64(n) {
		return ""
	}
	return string(note[16 : 16+n])
})
