package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type graphOptions struct {
	dialogs string // directory; empty: the embedded bank bot
	format  string // dot, mermaid or both
	flow    string
}

func graphCommand() command {
	return command{summary: "draw a flow as a diagram (Graphviz DOT and Mermaid)", run: runGraph}
}

func runGraph(_ context.Context, args []string, io stdio) int {
	var o graphOptions
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.StringVar(&o.format, "format", "both", "dot, mermaid or both (DOT first, each in a fenced block)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin graph [--dialogs DIR] [--format dot|mermaid|both] FLOW")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 || (o.format != "dot" && o.format != "mermaid" && o.format != "both") {
		fs.Usage()
		return 2
	}
	o.flow = fs.Arg(0)
	b, code := loadBundle(o.dialogs, io)
	if b == nil {
		return code
	}
	dot, mermaid, err := dialogs.Graph(b, o.flow)
	if err != nil {
		fmt.Fprintf(io.err, "weiyin graph: %v\n", err)
		return 1
	}
	switch o.format {
	case "dot":
		fmt.Fprint(io.out, dot)
	case "mermaid":
		fmt.Fprint(io.out, mermaid)
	default:
		fmt.Fprintf(io.out, "```dot\n%s```\n\n```mermaid\n%s```\n", dot, mermaid)
	}
	return 0
}

// loadBundle loads dir, or the embedded bank bot when dir is empty. On failure it prints the
// diagnostics to stderr and returns nil with the exit code (1 errors, 2 I/O).
func loadBundle(dir string, io stdio) (*dialogs.Bundle, int) {
	var b *dialogs.Bundle
	var ds dialogs.Diagnostics
	if dir == "" {
		fsys, root := defaultDialogs()
		b, ds = dialogs.LoadFS(fsys, root)
	} else {
		b, ds = dialogs.Load(dir)
	}
	if b == nil {
		_ = ds.WriteText(io.err, 0)
		return nil, max(1, checkExit(ds))
	}
	return b, 0
}
