package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type checkOptions struct {
	format string // text or json
	lang   string // zh or en
	dir    string
}

// langFlag adds --lang to fs: the language of diagnostics, Chinese by default (product staff
// read them), from $WEIYIN_LANG when set.
func langFlag(fs *flag.FlagSet, v *string) {
	fs.StringVar(v, "lang", envOr("WEIYIN_LANG", "zh"), "language of the diagnostics: zh (中文) or en (English); env WEIYIN_LANG")
}

func checkCommand() command {
	return command{summary: "parse and check a directory of dialog files", run: runCheck}
}

func runCheck(_ context.Context, args []string, io stdio) int {
	var o checkOptions
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	langFlag(fs, &o.lang)
	fs.Usage = func() {
		fmt.Fprintln(io.err, "usage: weiyin check [--format text|json] [--lang zh|en] DIR\n\nDraft files (*.dlg.draft) are checked with the others; the bot that runs leaves them out.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
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
	o.dir = fs.Arg(0)
	_, ds := dialogs.Load(o.dir)
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
