package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
)

type graphOptions struct {
	dialogs string // directory; empty: the embedded bank bot
	format  string // dot, mermaid, both or svg
	list    bool   // list the flows instead of drawing one
	flow    string
}

func graphCommand() command {
	return command{summary: "draw a flow as a diagram (Graphviz DOT, Mermaid or SVG)", run: runGraph}
}

func runGraph(ctx context.Context, args []string, io stdio) int {
	var o graphOptions
	fs := flag.NewFlagSet("graph", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&o.dialogs, "dialogs", "", "dialog directory (default: the embedded bank bot)")
	fs.StringVar(&o.format, "format", "both", "dot, mermaid, both (DOT first, each in a fenced block) or svg (laid out by Graphviz's dot, which must be installed)")
	fs.BoolVar(&o.list, "list", false, "list the flows (name and title) instead of drawing one")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin graph [--dialogs DIR] [--format dot|mermaid|both|svg] FLOW\n       weiyin graph [--dialogs DIR] --list")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	wantArgs := 1
	if o.list {
		wantArgs = 0
	}
	if fs.NArg() != wantArgs || (o.format != "dot" && o.format != "mermaid" && o.format != "both" && o.format != "svg") {
		fs.Usage()
		return 2
	}
	b, code := loadBundle(o.dialogs, io)
	if b == nil {
		return code
	}
	if o.list {
		for _, name := range b.FlowNames {
			fmt.Fprintf(io.out, "%s\t%s\n", name, b.Flows[name].Title)
		}
		return 0
	}
	o.flow = fs.Arg(0)
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
	case "svg":
		if err := renderSVG(ctx, io.out, dot); err != nil {
			fmt.Fprintf(io.err, "weiyin graph: svg: %v\n", err)
			return 2
		}
	default:
		fmt.Fprintf(io.out, "```dot\n%s```\n\n```mermaid\n%s```\n", dot, mermaid)
	}
	return 0
}

// renderSVG lays dot out as SVG with Graphviz's dot program, found on PATH (the Debian and
// Homebrew package is "graphviz"). weiyin does not link a Graphviz of its own: the one built
// to WebAssembly (go-graphviz) started its runtime in every weiyin process, serve included
// (70 to 80 ms and 15 MB at each start, native code cached in $TMPDIR), for one command.
func renderSVG(ctx context.Context, w io.Writer, dot string) error {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return fmt.Errorf("Graphviz's dot program is not installed (apt-get install graphviz); --format dot or mermaid need nothing")
	}
	ctx, cancel := context.WithTimeout(ctx, svgTimeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = strings.NewReader(dot)
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%s: %w: %s", bin, err, msg)
		}
		return fmt.Errorf("%s: %w", bin, err)
	}
	_, err = w.Write(out.Bytes())
	return err
}

// svgTimeout bounds dot's layout: a flow of a few dozen steps takes milliseconds.
const svgTimeout = 30 * time.Second

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
