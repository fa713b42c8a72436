// Package store keeps conversation sessions in bbolt: one record per user plus the replies
// already given per message id, committed together in one transaction so a crash never leaves
// a turn half-saved and a retried message finds its reply.
//
// Commits go through bbolt's Batch, so concurrent turns of many users share one fsync (group
// commit) while each Commit still returns only once its data is durable.
//
// # Memory
//
// bbolt maps the file read-only (MADV_RANDOM, no MAP_POPULATE) and the Go heap holds only
// the records being handled, so anonymous memory stays small however many sessions are
// stored. The pages read are mapped file pages: they count in the process's VmRSS (as
// RssFile) but are page cache the kernel reclaims under pressure. With a million sessions
// of 1 KB (a 2 GB file), loading 10,000 random ones leaves VmRSS about 85 MB when the file
// was not in the page cache; with the whole file cached (just written), the kernel's
// fault-around maps cached neighbours of each page read and RssFile grows to several
// hundred MB (600 MB measured). TestMillionSessionsRSS measures both (WEIYIN_STORE_SCALE=1).
package store
