// Command weiyin is the conversational banking engine: chat, serve, check, fmt, test, nlu,
// eval, graph, export and the sandbox bank, in one binary. See README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// stdio is where a subcommand reads and writes; tests pass buffers.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// command is one subcommand: run returns the process exit code
// (0 ok, 1 findings or failures, 2 usage or I/O error).
type command struct {
	summary string
	run     func(ctx context.Context, args []string, io stdio) int
}

func commands() map[string]command {
	return map[string]command{
		// Each subcommand lives in its own file (cmd_NAME.go) and is registered here.
		"chat":   chatCommand(),
		"check":  checkCommand(),
		"fmt":    fmtCommand(),
		"graph":  graphCommand(),
		"export": exportCommand(),
		"bank":   bankCommand(),
		"test":   testCommand(),
		"nlu":    nluCommand(),
		"eval":   evalCommand(),
		"serve":  serveCommand(),
		"ops":    opsCommand(),
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, io stdio) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(io.err, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(io.err, "weiyin: unknown command %q\n", args[0])
		usage(io.err, cmds)
		return 2
	}
	return c.run(ctx, args[1:], io)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: weiyin COMMAND [flags] [args]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'weiyin COMMAND -h' for a command's flags.")
}
