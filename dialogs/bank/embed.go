// Package bank holds the shipped bank bot's dialog files, embedded in the weiyin binary as its
// default bot. Edit the .dlg files; `weiyin check dialogs/bank` and `weiyin fmt -l dialogs/bank`
// must stay clean.
package bank

import "embed"

// Files holds every *.dlg file of this directory at its root.
//
//go:embed *.dlg
var Files embed.FS
