package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type exportOptions struct {
	format  string // tsv or rasa
	dialogs string // directory; empty: the embedded bank bot
}

func exportCommand() command {
	return command{summary: "export intent examples as text<TAB>intent lines or Rasa NLU YAML", run: runExport}
}

func runExport(_ context.Context, args []string, io stdio) int {
	var o exportOptions
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.format, "format", "tsv", "tsv (text<TAB>intent) or rasa (Rasa NLU YAML 3.1)")
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin export --format tsv|rasa [--dialogs DIR]")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 0 || (o.format != "tsv" && o.format != "rasa") {
		fs.Usage()
		return 2
	}
	b, code := loadBundle(o.dialogs, io)
	if b == nil {
		return code
	}
	var err error
	if o.format == "rasa" {
		err = dialogs.WriteRasa(io.out, b)
	} else {
		err = dialogs.WriteTSV(io.out, b)
	}
	if err != nil {
		fmt.Fprintf(io.err, "weiyin export: %v\n", err)
		return 2
	}
	return 0
}
