//go:build linux

package store

import (
	"os"

	"golang.org/x/sys/unix"
)

// releaseMapped drops the pages of a read-only shared file mapping from the resident set
// (madvise MADV_DONTNEED). The page cache keeps them; nothing is lost or written.
func releaseMapped(addr uintptr, size int64) error {
	if addr == 0 || size <= 0 {
		return nil
	}
	if _, _, e := unix.Syscall(unix.SYS_MADVISE, addr, uintptr(size), unix.MADV_DONTNEED); e != 0 {
		return e
	}
	return nil
}

// fdatasync flushes f's data (and only the metadata needed to read it back) to the disk.
func fdatasync(f *os.File) error { return unix.Fdatasync(int(f.Fd())) }
