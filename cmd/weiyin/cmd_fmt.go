package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type fmtOptions struct {
	write bool // -w: rewrite files in place
	list  bool // -l: list files whose formatting differs
	diff  bool // -d: print a unified diff
	check bool // --check: list the files that would change and exit 1 if any would (for CI)
	lang  dialogs.Lang
}

func fmtCommand() command {
	return command{summary: "format dialog files canonically (keeps comments)", run: runFmt}
}

func runFmt(_ context.Context, args []string, io stdio) int {
	var o fmtOptions
	fs := flag.NewFlagSet("fmt", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.BoolVar(&o.write, "w", false, "write the result back to the file instead of printing it")
	fs.BoolVar(&o.list, "l", false, "list the files whose formatting differs")
	fs.BoolVar(&o.diff, "d", false, "print a unified diff of the changes")
	fs.BoolVar(&o.check, "check", false, "list the files whose formatting differs and exit 1 if there are any (for CI); with -d, also their diffs")
	var lang string
	langFlag(fs, &lang)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin fmt [-w|-l|-d|--check] [--lang zh|en] FILE|DIR...\n\nA DIR means every *.dlg and *.dlg.draft file in it. Exit 0 done, 1 a file does not parse (or,\nwith --check, would change), 2 usage or I/O error.")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	var err error
	if o.lang, err = dialogs.ParseLang(lang); err != nil {
		fmt.Fprintf(io.err, "weiyin fmt: %v\n", err)
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	files, err := dlgFiles(fs.Args())
	if err != nil {
		fmt.Fprintf(io.err, "weiyin fmt: %v\n", err)
		return 2
	}
	code := 0
	for _, name := range files {
		c := fmtOne(name, o, io)
		code = max(code, c)
	}
	return code
}

// dlgFiles expands directories to their *.dlg and *.dlg.draft files (sorted); files are kept
// as given.
func dlgFiles(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, err
		}
		if !st.IsDir() {
			out = append(out, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		var m []string
		for _, e := range ents {
			if !e.IsDir() && dialogs.IsDialogFile(e.Name()) {
				m = append(m, filepath.Join(a, e.Name()))
			}
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("no dialog files (*.dlg) in %s", a)
		}
		sort.Strings(m)
		out = append(out, m...)
	}
	return out, nil
}

func fmtOne(name string, o fmtOptions, io stdio) int {
	src, err := os.ReadFile(name)
	if err != nil {
		fmt.Fprintf(io.err, "weiyin fmt: %v\n", err)
		return 2
	}
	out, err := dialogs.FormatFile(name, src)
	if err != nil {
		if de, ok := err.(*dialogs.DiagnosticsError); ok {
			_ = de.Diags.WriteTextIn(io.err, o.lang, 0)
		} else {
			fmt.Fprintf(io.err, "weiyin fmt: %v\n", err)
		}
		return 1
	}
	changed := !bytes.Equal(src, out)
	if (o.list || o.check) && changed {
		fmt.Fprintln(io.out, name)
	}
	if o.diff && changed {
		fmt.Fprint(io.out, dialogs.Diff(name+".orig", name, src, out))
	}
	if o.write && changed {
		st, err := os.Stat(name)
		if err != nil {
			fmt.Fprintf(io.err, "weiyin fmt: %v\n", err)
			return 2
		}
		if err := os.WriteFile(name, out, st.Mode().Perm()); err != nil {
			fmt.Fprintf(io.err, "weiyin fmt: %v\n", err)
			return 2
		}
	}
	if !o.write && !o.list && !o.diff && !o.check {
		if _, err := io.out.Write(out); err != nil {
			fmt.Fprintf(io.err, "weiyin fmt: %v\n", strings.TrimSpace(err.Error()))
			return 2
		}
	}
	if o.check && changed {
		return 1
	}
	return 0
}
