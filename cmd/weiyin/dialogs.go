package main

import (
	"io/fs"

	"github.com/weiyin-bank/weiyin/dialogs/bank"
)

// defaultDialogs is the shipped bank bot embedded in the binary: the files sit at the root of
// the returned file system.
func defaultDialogs() (fsys fs.FS, dir string) { return bank.Files, "." }
