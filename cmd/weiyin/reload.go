package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/weiyin-bank/weiyin/dialogs"
	"github.com/weiyin-bank/weiyin/engine"
)

// watchDialogs polls a dialog directory and hot-reloads the bot when its files change. A
// directory that fails the check is reported and the last good program keeps serving.
// onReload, when set, is told each reload: the version that took effect, or the error that
// refused it. It returns when ctx ends.
func watchDialogs(ctx context.Context, dir string, every time.Duration, bot *engine.Bot, log *slog.Logger, onReload func(version string, err error)) {
	// The running program's version is the content hash of the files it was loaded from, so a
	// change made before the watcher starts is not missed.
	last := bot.Program().Version
	pending := ""
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		stamp := dirStamp(dir)
		if stamp == last {
			pending = ""
			continue
		}
		// Load only once the files have stopped changing for one tick: an editor may be
		// half-way through writing them.
		if stamp != pending {
			pending = stamp
			continue
		}
		last, pending = stamp, ""
		prog, err := loadProgram(dir)
		if err == nil {
			err = bot.Accepts(prog)
		}
		if err != nil {
			log.Error("dialog reload refused; the last good dialogs keep serving", "dir", dir, "err", err)
			if onReload != nil {
				onReload("", err)
			}
			continue
		}
		bot.Swap(prog)
		log.Info("dialogs reloaded", "dir", dir, "version", prog.Version)
		if onReload != nil {
			onReload(prog.Version, nil)
		}
	}
}

// dirStamp fingerprints the content of a directory's *.dlg files.
func dirStamp(dir string) string { return dialogs.FilesVersion(os.DirFS(dir), ".") }
