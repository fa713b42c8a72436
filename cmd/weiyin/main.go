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
		"studio": studioCommand(),
		// Conventions of the CLI itself (cli.go).
		"version":    versionCommand(),
		"completion": completionCommand(),

		// nlu --explain under its own name (cmd_nlu.go).
		"explain": explainCommand(),
	}
}

func main() { os.Exit(underSignals(run)) }

// underSignals runs a command line under the process's signals: the first Ctrl-C or SIGTERM
// cancels its context (the command finishes what it must and stops), a second ends the
// process at once, the default action, whatever the command is still waiting for.
func underSignals(run func(ctx context.Context, args []string, io stdio) int) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	return run(ctx, os.Args[1:], stdio{os.Stdin, os.Stdout, os.Stderr})
}

func run(ctx context.Context, args []string, io stdio) int {
	cmds := commands()
	switch {
	case len(args) == 0:
		usage(io.err, cmds)
		return 2
	case wantsHelp(args[:1]):
		usage(io.out, cmds)
		return 0
	case args[0] == "help":
		if len(args) == 1 || wantsHelp(args[1:2]) {
			usage(io.out, cmds)
			return 0
		}
		c, ok := cmds[args[1]]
		if !ok {
			fmt.Fprintf(io.err, "weiyin help: unknown command %q\n", args[1])
			usage(io.err, cmds)
			return 2
		}
		// weiyin help CMD [SUB] is weiyin CMD [SUB] -h.
		return c.run(ctx, append(append([]string{}, args[2:]...), "-h"), io)
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
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n", "help", "show the usage of weiyin or of a command (weiyin help CMD)")
	fmt.Fprintln(w, "\nRun 'weiyin help COMMAND' or 'weiyin COMMAND -h' for a command's flags; flags may\nfollow arguments.")
}
