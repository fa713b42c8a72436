//go:build !linux

package store

import "os"

// releaseMapped is a no-op where the store does not trim its mapping.
func releaseMapped(addr uintptr, size int64) error { return nil }

// fdatasync flushes f to the disk.
func fdatasync(f *os.File) error { return f.Sync() }
