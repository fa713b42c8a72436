// Package jiebadict embeds the cppjieba dictionaries the tokeniser needs, so that the weiyin
// binary runs on a machine without a Go module cache.
//
// The files come from github.com/yanyiwu/gojieba@v1.4.7 deps/cppjieba/dict (MIT, see LICENSE):
// hmm_model.utf8 and stop_words.utf8 as shipped, an empty user dictionary, and
// jieba.dict.utf8 cut to its 52,179 words of frequency 50 or more:
//
//	awk '$2>=50' $(go env GOMODCACHE)/github.com/yanyiwu/gojieba@v1.4.7/deps/cppjieba/dict/jieba.dict.utf8 > jieba.dict.utf8
//
// cppjieba's load time is linear in the dictionary (the full 348,982 words took 1.2 s of the
// one-second start budget, the cut one about 0.2 s) and the intent accuracy on
// testdata/nlu/eval.tsv was the same with the full, the frequency >= 5 and the frequency >= 50
// dictionaries: the matcher also uses characters, bigrams and pinyin, and each bundle adds
// its own words. idf.utf8 is not embedded: it only serves keyword extraction, which weiyin
// does not use, and loading it cost about 0.45 s; Files writes a one-line stand-in because
// cppjieba insists on reading one.
//
// cppjieba reads dictionaries from paths, not memory: Files writes them once into a private
// cache directory and returns their paths.
package jiebadict

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

//go:embed jieba.dict.utf8 hmm_model.utf8 stop_words.utf8 user.dict.utf8
var files embed.FS

// idfStandIn is the one-line IDF file cppjieba requires (it asserts a non-empty file).
const idfStandIn = "银行 10.0\n"

// Paths are the five dictionary paths gojieba.NewJieba takes, in its order.
type Paths struct {
	Dict, HMM, User, IDF, StopWords string
}

// Args returns the paths in the order gojieba.NewJieba expects them.
func (p Paths) Args() []string { return []string{p.Dict, p.HMM, p.User, p.IDF, p.StopWords} }

// Files writes the embedded dictionaries under dir and returns their paths. When dir is empty
// it uses the user cache directory, or the temporary directory when that one cannot be
// written. Files already present with the same content are reused; new ones are written to a
// temporary name and renamed, so concurrent processes never read a half-written file.
func Files(dir string) (Paths, error) {
	if dir != "" {
		return writeFiles(dir)
	}
	var first error
	if base, err := os.UserCacheDir(); err == nil && base != "" {
		p, err := writeFiles(filepath.Join(base, "weiyin"))
		if err == nil {
			return p, nil
		}
		first = err
	}
	p, err := writeFiles(filepath.Join(os.TempDir(), fmt.Sprintf("weiyin-%d", os.Getuid())))
	if err != nil && first != nil {
		return Paths{}, fmt.Errorf("%w (and %w)", first, err)
	}
	return p, err
}

func writeFiles(dir string) (Paths, error) {
	dict, err := files.ReadFile("jieba.dict.utf8")
	if err != nil {
		return Paths{}, fmt.Errorf("jiebadict: %w", err)
	}
	// One directory per content version: a newer binary never reads an older copy.
	sum := sha256.Sum256(dict)
	dir = filepath.Join(dir, "jieba-"+hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Paths{}, fmt.Errorf("jiebadict: create cache dir: %w", err)
	}
	write := func(name string, data []byte) (string, error) {
		path := filepath.Join(dir, name)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			return path, nil
		}
		tmp, err := os.CreateTemp(dir, name+".*")
		if err != nil {
			return "", fmt.Errorf("jiebadict: write %s: %w", name, err)
		}
		_, werr := tmp.Write(data)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), path)
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return "", fmt.Errorf("jiebadict: write %s: %w", name, werr)
		}
		return path, nil
	}
	var p Paths
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"jieba.dict.utf8", &p.Dict},
		{"hmm_model.utf8", &p.HMM},
		{"user.dict.utf8", &p.User},
		{"stop_words.utf8", &p.StopWords},
	} {
		data := dict
		if f.name != "jieba.dict.utf8" {
			if data, err = files.ReadFile(f.name); err != nil {
				return Paths{}, fmt.Errorf("jiebadict: %w", err)
			}
		}
		if *f.dst, err = write(f.name, data); err != nil {
			return Paths{}, err
		}
	}
	if p.IDF, err = write("idf.utf8", []byte(idfStandIn)); err != nil {
		return Paths{}, err
	}
	return p, nil
}
