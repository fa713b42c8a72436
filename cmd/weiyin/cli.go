package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"
)

// The conventions every subcommand shares, kept in one place so that a flag or subcommand
// added later follows them without further work: flags may follow arguments
// (`check DIR --format json`), -h/--help prints the usage on stdout and exits 0, a usage error
// prints the error and the usage on stderr and exits 2.

// parseArgs parses a subcommand's arguments with fs. It returns ok when the command should
// go on (fs.Args() then holds the positional arguments, in order); otherwise the exit code:
// 0 after -h or --help, 2 after a usage error. Flags and arguments may come in any order; an
// argument "--" ends the flags, and everything after it is positional.
//
// fs's Usage must write to fs.Output(): it goes to stdout for help and to stderr for errors.
func parseArgs(fs *flag.FlagSet, args []string, io stdio) (code int, ok bool) {
	if c, isCollector := io.out.(*flagCollector); isCollector {
		c.fs = fs // describeFlags: the command only registers its flags
		return 0, false
	}
	fs.SetOutput(io.err)
	if wantsHelp(args) {
		fs.SetOutput(io.out)
		fs.Usage()
		return 0, false
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) { // -help, which wantsHelp leaves to flag
				return 0, false
			}
			return 2, false // flag printed the error and the usage
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Leave the positional arguments in fs.Args(), as a plain Parse would.
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil {
		return 2, false
	}
	return 0, true
}

// setUsage makes fs's usage text, then its flags; it writes to fs.Output() as parseArgs needs.
func setUsage(fs *flag.FlagSet, text string) {
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), text)
		fmt.Fprintln(fs.Output(), "\nflags:")
		fs.PrintDefaults()
	}
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help", "-help", "--h":
			return true
		}
	}
	return false
}

// flagCollector is the stdout that describeFlags gives a command: parseArgs sees it, keeps
// the command's flag set and stops the command before it does anything.
type flagCollector struct {
	io.Writer
	fs *flag.FlagSet
}

// describeFlags returns the flag set of a subcommand, as its run function defines it, without
// running it (completion scripts, docs/configuration.md). It is nil for a command that does
// not parse its flags with parseArgs. args selects a nested subcommand (bank serve).
func describeFlags(c command, args ...string) *flag.FlagSet {
	col := &flagCollector{Writer: io.Discard}
	c.run(context.Background(), append(args, "-h"), stdio{in: strings.NewReader(""), out: col, err: io.Discard})
	return col.fs
}

// envName is the environment variable that sets a flag: WEIYIN_ and the flag's name in
// upper case with dashes as underscores (--session-ttl: WEIYIN_SESSION_TTL).
func envName(flagName string) string {
	return "WEIYIN_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// flagsFromEnv sets every flag of fs that the command line did not set from its environment
// variable (envName), so that each flag, including one added later, can be configured either
// way; the command line wins. A value the flag rejects is an error naming the variable.
func flagsFromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] {
			return
		}
		v, ok := lookupEnv(getenv, envName(f.Name))
		if !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %v", envName(f.Name), v, err))
		}
	})
	return errors.Join(errs...)
}

// lookupEnv treats an empty variable as unset, as the rest of weiyin's settings do.
func lookupEnv(getenv func(string) string, key string) (string, bool) {
	v := getenv(key)
	return v, v != ""
}

// logOptions are the slog handler options of every command that logs: durations are written
// as milliseconds under the key KEY_ms (slog would write nanoseconds for JSON and Go syntax
// for text), so that logs read alike and sum in any tool.
func logOptions(level slog.Leveler) *slog.HandlerOptions {
	return &slog.HandlerOptions{Level: level, ReplaceAttr: durationsInMillis}
}

func durationsInMillis(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() != slog.KindDuration {
		return a
	}
	ms := float64(a.Value.Duration()) / float64(time.Millisecond)
	return slog.Float64(strings.TrimSuffix(a.Key, "_ms")+"_ms", math.Round(ms*1000)/1000)
}
