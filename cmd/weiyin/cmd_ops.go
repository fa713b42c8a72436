package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/weiyin-bank/weiyin/dialogs"
)

func opsCommand() command {
	return command{summary: "print the bank operations a flow may call (the operation catalogue)", run: runOps}
}

// runOps prints the catalogue the checker checks calls against: what each operation does,
// its arguments, results and error codes, and whether it moves money.
func runOps(_ context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("ops", flag.ContinueOnError)
	fs.SetOutput(io.err)
	format := fs.String("format", "text", "output format: text or json")
	var lang string
	langFlag(fs, &lang)
	setUsage(fs, "usage: weiyin ops [--format text|json] [--lang zh|en] [OPERATION...]\n\nPrints the bank operations dialogs may call: arguments, results, error codes, money moved.")
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	l, err := dialogs.ParseLang(lang)
	if err != nil || (*format != "text" && *format != "json") {
		if err != nil {
			fmt.Fprintf(io.err, "weiyin ops: %v\n", err)
		}
		fs.Usage()
		return 2
	}
	docs, err := dialogs.DocOps(dialogs.DefaultCatalogue(), l, fs.Args()...)
	if err != nil {
		fmt.Fprintf(io.err, "weiyin ops: %v\n", err)
		return 1
	}
	if *format == "json" {
		err = dialogs.WriteOpsJSON(io.out, docs)
	} else {
		err = dialogs.WriteOpsText(io.out, docs, l)
	}
	if err != nil {
		fmt.Fprintf(io.err, "weiyin ops: %v\n", err)
		return 2
	}
	return 0
}
