// Package store keeps conversation sessions in bbolt: one record per user plus the replies
// already given per message id, saved together so a crash never leaves a turn half-saved and
// a retried message finds its reply.
//
// Commits are queued to one committer goroutine that writes everything queued as one group of
// a write-ahead log (one sequential write, one fdatasync), then everything that arrived during
// that write, and so on (group commit): concurrent turns of many users share one fdatasync, a
// group grows with the load (under load, groups begin at least 2 ms apart), and each Commit
// still returns only once its data is durable. Each commit in a group is all-or-nothing on its
// own. Until an applier goroutine has copied them to bbolt (every second, many groups in one
// transaction), reads find the logged sessions and replies in memory; opening a store replays
// what a crash kept out of bbolt (the log's format and rules are in wal.go). The log replaces a
// bbolt transaction a group, which costs two fsyncs and a copy of every page the group's users
// touch (figures in docs/benchmarks.md).
//
// Replies are keyed by message id, then user: WeChat numbers messages in arrival order across
// users, so a group's replies land side by side at the end of the tree instead of one page
// per user, fewer bytes written. They are kept ReplyRetention (WeChat retries within
// seconds) and an open store prunes them every PruneEvery, in batches that never hold the
// writer for long.
//
// # Memory
//
// bbolt maps the file read-only (MADV_RANDOM, no MAP_POPULATE) and the Go heap holds only
// the records being handled, so anonymous memory stays small however many sessions are
// stored. The pages read are mapped file pages: they count in the process's VmRSS (as
// RssFile). With the file in the page cache the kernel's fault-around maps up to 64 KB of
// cached neighbours for every page read, so without care the resident set would grow toward
// the file's size. Once the file is larger than TrimAbove, every TrimEvery loads the store
// drops its mapped pages from the resident set (Trim: madvise MADV_DONTNEED inside a read transaction,
// so bbolt cannot remap meanwhile); the page cache keeps them. TestMillionSessionsRSS
// (WEIYIN_STORE_SCALE=1) measures it; the figures are in docs/benchmarks.md.
package store
