package main

import (
	"errors"
	"io"
	"os/signal"
	"syscall"
)

// ignoreSIGPIPE makes a write to a closed pipe (weiyin nlu ... | head -1) fail with EPIPE
// instead of killing the process, so that the command can stop quietly and exit 0 (see
// brokenPipe). Commands whose output is read by other programs call it.
func ignoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }

// brokenPipe reports whether err is the reader of the output having gone away: the command
// has nothing left to do and nothing to report.
func brokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrClosedPipe)
}
