package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
)

func completionCommand() command {
	return command{summary: "print a shell completion script: completion bash|zsh|fish", run: runCompletion}
}

// nestedCommands names the subcommands of commands that have their own (weiyin bank serve):
// their flags are completed after the nested name.
var nestedCommands = map[string][]string{"bank": {"serve"}}

// completionSpec is what the scripts complete, read from the commands' own flag sets, so a
// flag or command added later is completed without touching this file.
type completionSpec struct {
	name    string // "check", or "bank serve" for a nested command
	summary string
	flags   []completionFlag
}

type completionFlag struct {
	name, usage string
	boolean     bool // takes no value
}

func completionSpecs(cmds map[string]command) []completionSpec {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []completionSpec
	for _, n := range names {
		c := cmds[n]
		out = append(out, completionSpec{name: n, summary: c.summary, flags: flagsOf(describeFlags(c))})
		for _, sub := range nestedCommands[n] {
			out = append(out, completionSpec{name: n + " " + sub, flags: flagsOf(describeFlags(c, sub))})
		}
	}
	return append(out, completionSpec{name: "help", summary: "show the usage of weiyin or of a command"})
}

func flagsOf(fs *flag.FlagSet) []completionFlag {
	var out []completionFlag
	if fs == nil {
		return nil
	}
	fs.VisitAll(func(f *flag.Flag) {
		b, ok := f.Value.(interface{ IsBoolFlag() bool })
		out = append(out, completionFlag{name: f.Name, usage: f.Usage, boolean: ok && b.IsBoolFlag()})
	})
	return append(out, completionFlag{name: "help", usage: "show the usage", boolean: true})
}

// dash is how a flag is written: -w for one letter, --name otherwise (Go accepts both).
func (f completionFlag) dash() string {
	if len(f.name) == 1 {
		return "-" + f.name
	}
	return "--" + f.name
}

func runCompletion(_ context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("completion", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `usage: weiyin completion bash|zsh|fish

Prints a completion script for the shell. For example:
  bash: source <(weiyin completion bash)        or save it in /etc/bash_completion.d/weiyin
  zsh:  weiyin completion zsh > "${fpath[1]}/_weiyin"
  fish: weiyin completion fish > ~/.config/fish/completions/weiyin.fish`)
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.SetOutput(io.err)
		fs.Usage()
		return 2
	}
	specs := completionSpecs(commands())
	switch fs.Arg(0) {
	case "bash":
		writeBash(io.out, specs)
	case "zsh":
		writeZsh(io.out, specs)
	case "fish":
		writeFish(io.out, specs)
	default:
		fmt.Fprintf(io.err, "weiyin completion: unknown shell %q (bash, zsh or fish)\n", fs.Arg(0))
		return 2
	}
	return 0
}

func topLevel(specs []completionSpec) []completionSpec {
	var out []completionSpec
	for _, s := range specs {
		if !strings.Contains(s.name, " ") {
			out = append(out, s)
		}
	}
	return out
}

func specNames(specs []completionSpec) string {
	var names []string
	for _, s := range topLevel(specs) {
		names = append(names, s.name)
	}
	return strings.Join(names, " ")
}

func writeBash(w io.Writer, specs []completionSpec) {
	fmt.Fprintf(w, `# bash completion for weiyin (weiyin completion bash)
_weiyin() {
    local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]} words
    if [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W %q -- "$cur"))
        return
    fi
    case $cmd in
    help)
        COMPREPLY=($(compgen -W %q -- "$cur"))
        return ;;
`, specNames(specs), specNames(specs))
	for _, parent := range slices.Sorted(maps.Keys(nestedCommands)) {
		fmt.Fprintf(w, `    %s)
        if [[ $COMP_CWORD -eq 2 ]]; then
            COMPREPLY=($(compgen -W %q -- "$cur"))
            return
        fi
        cmd="$cmd ${COMP_WORDS[2]}" ;;
`, parent, strings.Join(nestedCommands[parent], " "))
	}
	fmt.Fprint(w, "    esac\n    case $cmd in\n")
	for _, s := range specs {
		var words []string
		for _, f := range s.flags {
			words = append(words, f.dash())
		}
		if len(words) > 0 {
			fmt.Fprintf(w, "    %q) words=%q ;;\n", s.name, strings.Join(words, " "))
		}
	}
	// Flags complete after a dash; anything else is left to bash's file completion (-o default).
	fmt.Fprint(w, `    *) words="" ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
    fi
}
complete -o default -F _weiyin weiyin
`)
}

// zshQuote makes text safe inside a single-quoted _arguments or _describe spec.
func zshQuote(s string) string {
	return strings.NewReplacer("'", "'\\''", "[", "(", "]", ")", ":", "\\:").Replace(s)
}

func writeZsh(w io.Writer, specs []completionSpec) {
	fmt.Fprint(w, `#compdef weiyin
# zsh completion for weiyin (weiyin completion zsh)
_weiyin() {
    local -a commands
    commands=(
`)
	for _, s := range topLevel(specs) {
		fmt.Fprintf(w, "        '%s:%s'\n", s.name, zshQuote(s.summary))
	}
	fmt.Fprint(w, `    )
    if (( CURRENT == 2 )); then
        _describe 'command' commands
        return
    fi
    local cmd=$words[2]
    if [[ $cmd == bank && $words[3] != -* && CURRENT -gt 3 ]]; then
        cmd="bank $words[3]"
        shift words; (( CURRENT-- ))
    fi
    shift words; (( CURRENT-- ))
    case $cmd in
        help) _describe 'command' commands ;;
`)
	for _, s := range specs {
		if s.name == "help" {
			continue
		}
		fmt.Fprintf(w, "        %q) _arguments", s.name)
		for _, nested := range nestedCommands[s.name] {
			fmt.Fprintf(w, " '1:command:(%s)'", nested)
		}
		for _, f := range s.flags {
			if f.boolean {
				fmt.Fprintf(w, " '%s[%s]'", f.dash(), zshQuote(f.usage))
			} else {
				fmt.Fprintf(w, " '%s[%s]:value:_files'", f.dash(), zshQuote(f.usage))
			}
		}
		fmt.Fprint(w, " '*:file:_files' ;;\n")
	}
	fmt.Fprint(w, `    esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _weiyin "$@"
else
    compdef _weiyin weiyin
fi
`)
}

// fishQuote makes text safe inside single quotes in fish.
func fishQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s)
}

func writeFish(w io.Writer, specs []completionSpec) {
	fmt.Fprint(w, `# fish completion for weiyin (weiyin completion fish)
# __weiyin_command_is CMD: the command being completed is CMD ('' before one is typed;
# 'bank serve' for a nested command).
function __weiyin_command_is
    set -l words (commandline -opc)
    set -l cmd ''
    if test (count $words) -ge 2
        set cmd $words[2]
        if contains -- $cmd`)
	for _, parent := range slices.Sorted(maps.Keys(nestedCommands)) {
		fmt.Fprint(w, " "+parent)
	}
	fmt.Fprint(w, `; and test (count $words) -ge 3
            set cmd "$cmd $words[3]"
        end
    end
    test "$cmd" = "$argv[1]"
end
`)
	for _, s := range topLevel(specs) {
		fmt.Fprintf(w, "complete -c weiyin -n \"__weiyin_command_is ''\" -f -a %s -d '%s'\n", s.name, fishQuote(s.summary))
	}
	fmt.Fprintf(w, "complete -c weiyin -n '__weiyin_command_is help' -f -a '%s'\n", specNames(specs))
	for _, s := range specs {
		cond := fmt.Sprintf("__weiyin_command_is '%s'", s.name)
		for _, nested := range nestedCommands[s.name] {
			fmt.Fprintf(w, "complete -c weiyin -n \"%s\" -f -a %s\n", cond, nested)
		}
		for _, f := range s.flags {
			opt := "-l " + f.name
			if len(f.name) == 1 {
				opt = "-s " + f.name
			}
			if !f.boolean {
				opt += " -r"
			}
			fmt.Fprintf(w, "complete -c weiyin -n \"%s\" %s -d '%s'\n", cond, opt, fishQuote(f.usage))
		}
	}
}
