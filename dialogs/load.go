package dialogs

import (
	"crypto/sha256"
	"encoding/hex"
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

// DraftSuffix ends the name of a draft dialog file: Load checks drafts with the other files
// but leaves them out of the Bundle, so staff can try a change on the checker before it
// goes live.
const DraftSuffix = ".dlg.draft"

// FilesVersion hashes the *.dlg files under root in fsys (drafts are not part of a bundle): the
// name a session keeps of the bundle its flow started on, the same for the same files
// wherever they are loaded (serve, chat, the studio).
func FilesVersion(fsys fs.FS, root string) string {
	h := sha256.New()
	names, _ := fs.Glob(fsys, path.Join(root, "*.dlg"))
	slices.Sort(names)
	for _, n := range names {
		b, _ := fs.ReadFile(fsys, n)
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// Load reads every *.dlg file of dir, parses them, resolves names across files and checks
// the bot. It returns a Bundle only when there is no error (warnings are allowed); the
// diagnostics are sorted, in Chinese (Diagnostics.In switches), and carry their source lines
// for rendering. Draft files (*.dlg.draft) are checked with the others but not loaded.
func Load(dir string) (*Bundle, Diagnostics) { return Options{}.Load(dir) }

// LoadFS is Load over a file system, such as an embed.FS holding the shipped bot: it reads
// the *.dlg files of dir inside fsys. Positions name files as dir/NAME.
func LoadFS(fsys fs.FS, dir string) (*Bundle, Diagnostics) { return Options{}.LoadFS(fsys, dir) }

// Load is the package's Load with these options.
func (o Options) Load(dir string) (*Bundle, Diagnostics) {
	return load(os.DirFS(dir), ".", dir, func(name string) string { return filepath.Join(dir, name) }, o)
}

// LoadFS is the package's LoadFS with these options.
func (o Options) LoadFS(fsys fs.FS, dir string) (*Bundle, Diagnostics) {
	return load(fsys, dir, dir, func(name string) string { return path.Join(dir, name) }, o)
}

// IsDialogFile reports whether a file name is a dialog file Load reads: *.dlg, or a draft.
func IsDialogFile(name string) bool {
	return strings.HasSuffix(name, ".dlg") || strings.HasSuffix(name, DraftSuffix)
}

func load(fsys fs.FS, dir, display string, fileName func(string) string, o Options) (*Bundle, Diagnostics) {
	cat := o.catalogue()
	d := &diags{}
	dirPos := Pos{File: display}
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		d.errorf(dirPos, Pos{}, CodeIO, tr("cannot read the dialog directory: %v", "读不了对话目录: %v", unwrapPathError(err)))
		return nil, d.list
	}
	var names, live []string
	for _, e := range entries {
		if !e.IsDir() && IsDialogFile(e.Name()) {
			if o.SkipDrafts && strings.HasSuffix(e.Name(), DraftSuffix) {
				continue
			}
			names = append(names, e.Name())
			if !strings.HasSuffix(e.Name(), DraftSuffix) {
				live = append(live, e.Name())
			}
		}
	}
	slices.Sort(names)
	slices.Sort(live)
	if len(live) == 0 {
		d.errorf(dirPos, Pos{}, CodeIO, tr("no dialog files (*.dlg) in %s", "%s 里没有对话文件(*.dlg)", display))
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
			d.errorf(Pos{File: r.name}, Pos{}, CodeIO, tr("cannot read the file: %v", "读不了文件: %v", unwrapPathError(r.err)))
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
		b = check(files, d, cat)
		if len(live) < len(names) && !d.list.HasErrors() {
			// Drafts were checked with the bot; the bot that runs is the one without them,
			// and it must stand on its own.
			var liveFiles []*File
			for _, f := range files {
				if !strings.HasSuffix(f.Name, DraftSuffix) {
					liveFiles = append(liveFiles, f)
				}
			}
			dl := &diags{}
			b = check(liveFiles, dl, cat)
			for _, dg := range dl.list {
				if dg.Severity == SeverityError {
					dg.hint(tr("this holds without the draft files (*.dlg.draft), which are not loaded; move what the bot needs into a .dlg file",
						"去掉草稿文件(*.dlg.draft, 不会上线)之后就出现这个问题; 请把机器人需要的内容移到 .dlg 文件里"))
					d.add(dg)
				}
			}
		}
		b.Dir = display
		b.Files = live
	}
	fillSnippets(d.list, srcs)
	ds := d.list.Sort()
	if ds.HasErrors() && !o.Unchecked {
		return nil, ds
	}
	return b, ds
}

func readLimited(fsys fs.FS, name string) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err == nil && st.Size() > MaxFileSize {
		return nil, fmt.Errorf("the file is %d MB; a dialog file may be at most %d MB (文件有 %d MB, 对话文件最大 %d MB)", st.Size()>>20, MaxFileSize>>20, st.Size()>>20, MaxFileSize>>20)
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
