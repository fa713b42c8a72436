package main

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"runtime/debug"
)

func versionCommand() command {
	return command{summary: "print the module version, commit and Go version of this build", run: runVersion}
}

// buildVersion describes a build from its embedded build information: the main module's
// version (a release tag such as v0.2.0, a pseudo-version, or "(devel)" for a build from a
// work tree), the VCS commit and time, "+dirty" when the work tree had changes, and the Go
// version and platform.
type buildVersion struct {
	Module, Version, Commit, Time string
	Dirty                         bool
	Go, Platform                  string
}

// buildCommit is the commit for a build without VCS information (a container build has no
// .git): go build -ldflags "-X main.buildCommit=$(git rev-parse HEAD)". The build's own VCS
// stamp wins when there is one.
var buildCommit string

func readBuildVersion(read func() (*debug.BuildInfo, bool)) buildVersion {
	v := buildVersion{Module: "github.com/weiyin-bank/weiyin", Version: "unknown", Commit: "unknown",
		Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if buildCommit != "" {
		v.Commit = buildCommit
	}
	bi, ok := read()
	if !ok {
		return v
	}
	if bi.Main.Path != "" {
		v.Module = bi.Main.Path
	}
	if bi.Main.Version != "" {
		v.Version = bi.Main.Version
	}
	v.Go = bi.GoVersion
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Time = s.Value
		case "vcs.modified":
			v.Dirty = s.Value == "true"
		}
	}
	return v
}

func (v buildVersion) String() string {
	commit := v.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if v.Dirty {
		commit += "+dirty"
	}
	when := ""
	if v.Time != "" {
		when = " " + v.Time
	}
	return fmt.Sprintf("weiyin %s (%s, commit %s%s) %s %s", v.Version, v.Module, commit, when, v.Go, v.Platform)
}

func runVersion(_ context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: weiyin version\n\nPrints the module version, the commit the binary was built from and the Go version.")
		fs.PrintDefaults()
	}
	if code, ok := parseArgs(fs, args, io); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.SetOutput(io.err)
		fs.Usage()
		return 2
	}
	fmt.Fprintln(io.out, readBuildVersion(debug.ReadBuildInfo))
	return 0
}
