package dialogs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
)

// MaxFileSize bounds one dialog file; larger files are refused with an io diagnostic.
const MaxFileSize = 32 << 20

// Load reads every *.dlg file of dir, parses them, resolves names across files and checks
// the bot. It returns a Bundle only when there is no error (warnings are allowed); the
// diagnostics are sorted and carry their source lines for rendering.
func Load(dir string) (*Bundle, Diagnostics) {
	return load(os.DirFS(dir), ".", dir, func(name string) string { return filepath.Join(dir, name) })
}

// LoadFS is Load over a file system, such as an embed.FS holding the shipped bot: it reads
// the *.dlg files of dir inside fsys. Positions name files as dir/NAME.
func LoadFS(fsys fs.FS, dir string) (*Bundle, Diagnostics) {
	return load(fsys, dir, dir, func(name string) string { return path.Join(dir, name) })
}

func load(fsys fs.FS, dir, display string, fileName func(string) string) (*Bundle, Diagnostics) {
	d := &diags{}
	dirPos := Pos{File: display}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		d.errorf(dirPos, Pos{}, CodeIO, "cannot read the dialog directory: %v", unwrapPathError(err))
		return nil, d.list
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".dlg") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		d.errorf(dirPos, Pos{}, CodeIO, "no dialog files (*.dlg) in %s", display)
		return nil, d.list
	}
	// Files are read in order, then parsed in parallel (a bot has a dozen files; parsing is most
	// of a load), and their results merged back in name order so diagnostics stay stable.
	type parsed struct {
		name string
		src  []byte
		f    *File
		d    Diagnostics
		err  error
	}
	results := make([]parsed, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, n := range names {
		results[i].name = fileName(n)
		results[i].src, results[i].err = readLimited(fsys, path.Join(dir, n))
		if results[i].err != nil {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(r *parsed) {
			defer func() { <-sem; wg.Done() }()
			f, fd := parseFile(r.name, r.src)
			r.f, r.d = f, fd.list
		}(&results[i])
	}
	wg.Wait()
	srcs := map[string][]byte{}
	var files []*File
	parsedAll := true // cross-file checks only make sense when every file was read and parsed
	for _, r := range results {
		if r.err != nil {
			d.errorf(Pos{File: r.name}, Pos{}, CodeIO, "cannot read the file: %v", unwrapPathError(r.err))
			parsedAll = false
			continue
		}
		srcs[r.name] = r.src
		d.list = append(d.list, r.d...)
		if r.f == nil {
			parsedAll = false
			continue
		}
		files = append(files, r.f)
	}
	var b *Bundle
	if parsedAll {
		b = check(files, d)
		b.Dir = display
		b.Files = names
	}
	fillSnippets(d.list, srcs)
	ds := d.list.Sort()
	if ds.HasErrors() {
		return nil, ds
	}
	return b, ds
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err == nil && st.Size() > MaxFileSize {
		return nil, fmt.Errorf("the file is %d MB; a dialog file may be at most %d MB", st.Size()>>20, MaxFileSize>>20)
	}
	return fs.ReadFile(fsys, name)
}

// unwrapPathError drops the path from an fs error: the diagnostic already names the file.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
