package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type checkOptions struct {
	format string // text or json
	lang   string // zh or en
	path   string // a directory, or one *.dlg (or *.dlg.draft) file checked as part of its directory's bot
}

// langFlag adds --lang to fs: the language of diagnostics, Chinese by default (product staff
// read them), from $WEIYIN_LANG when set.
func langFlag(fs *flag.FlagSet, v *string) {
	fs.StringVar(v, "lang", envOr("WEIYIN_LANG", "zh"), "language of the diagnostics: zh (中文) or en (English); env WEIYIN_LANG")
}

func checkCommand() command {
	return command{summary: "parse and check a directory of dialog files, or one file of it", run: runCheck}
}

func runCheck(_ context.Context, args []string, io stdio) int {
	var o checkOptions
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	langFlag(fs, &o.lang)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin check [--format text|json] [--lang zh|en] DIR|FILE\n\n"+
			"A FILE is checked as part of the bot in its directory (its names are declared there)\n"+
			"and only its own diagnostics are shown. Draft files (*.dlg.draft) are checked with the\n"+
			"others; the bot that runs leaves them out. Exit 0 clean, 1 findings, 2 usage or I/O error.")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 || (o.format != "text" && o.format != "json") {
		fs.Usage()
		return 2
	}
	lang, err := dialogs.ParseLang(o.lang)
	if err != nil {
		fmt.Fprintf(io.err, "weiyin check: %v\n", err)
		return 2
	}
	o.path = fs.Arg(0)
	ds, err := checkPath(o.path, io)
	if err != nil {
		fmt.Fprintf(io.err, "weiyin check: %v\n", err)
		return 2
	}
	if o.format == "json" {
		err = ds.WriteJSONIn(io.out, lang)
	} else {
		err = ds.WriteTextIn(io.out, lang, 0)
	}
	if err != nil {
		fmt.Fprintf(io.err, "weiyin check: %v\n", err)
		return 2
	}
	return checkExit(ds)
}

// checkPath loads path, a directory or one *.dlg file. For a file it loads the file's
// directory, since a file's names are declared across the bot, and keeps the file's own
// diagnostics; the count of the others goes to stderr, so that a file that looks clean because
// another file stopped the cross-file checks does not pass unnoticed.
func checkPath(path string, io stdio) (dialogs.Diagnostics, error) {
	st, err := os.Stat(path)
	if err != nil || st.IsDir() {
		_, ds := dialogs.Load(path) // a missing path is reported as an io diagnostic
		return ds, nil
	}
	if filepath.Ext(path) != ".dlg" && !strings.HasSuffix(path, ".dlg.draft") {
		return nil, fmt.Errorf("%s: not a dialog file (*.dlg, *.dlg.draft) nor a directory", path)
	}
	file := filepath.Clean(path)
	_, all := dialogs.Load(filepath.Dir(file))
	var own dialogs.Diagnostics
	others := 0
	for _, d := range all {
		if filepath.Clean(d.Pos.File) == file {
			own = append(own, d)
		} else {
			others++
		}
	}
	if others > 0 {
		fmt.Fprintf(io.err, "weiyin check: %d more diagnostics in other files of %s (weiyin check %s)\n", others, filepath.Dir(file), filepath.Dir(file))
	}
	return own, nil
}

// checkExit is 2 for I/O problems, 1 for errors, 0 otherwise (warnings allowed).
func checkExit(ds dialogs.Diagnostics) int {
	for _, d := range ds {
		if d.Code == dialogs.CodeIO {
			return 2
		}
	}
	if ds.HasErrors() {
		return 1
	}
	return 0
}
