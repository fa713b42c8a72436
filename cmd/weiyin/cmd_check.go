package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type checkOptions struct {
	format string // text or json
	dir    string
}

func checkCommand() command {
	return command{summary: "parse and check a directory of dialog files", run: runCheck}
}

func runCheck(_ context.Context, args []string, io stdio) int {
	var o checkOptions
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.format, "format", "text", "output format: text or json")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin check [--format text|json] DIR")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 || (o.format != "text" && o.format != "json") {
		fs.Usage()
		return 2
	}
	o.dir = fs.Arg(0)
	_, ds := dialogs.Load(o.dir)
	var err error
	if o.format == "json" {
		err = ds.WriteJSON(io.out)
	} else {
		err = ds.WriteText(io.out, 0)
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
