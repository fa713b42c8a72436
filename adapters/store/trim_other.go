//go:build !linux

package store

// releaseMapped is a no-op where the store does not trim its mapping.
func releaseMapped(addr uintptr, size int64) error { return nil }
