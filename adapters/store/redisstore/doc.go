// Package redisstore keeps conversation sessions and the replies already given in Redis, so
// that any number of weiyin instances serve the same customers: an engine.Store and an
// engine.Leaser on github.com/redis/go-redis/v9, standalone (redis://, rediss:// with TLS) or
// Redis Cluster (redis-cluster://h1:7000,h2:7001,...). Open parses the URL and connects; the
// client it made is shared by the WeChat dedupe, the access token and the notification queue
// (Client).
//
// # Keys
//
// Every key of one user carries the user in a hash tag, so in a cluster all of them live in
// one slot and one Lua script may touch them together:
//
//	wy:{USER}:s        hash: d = session record, v = version (the token of the lease that wrote it)
//	wy:{USER}:r:MSGID  the reply to one message id, expiring after ReplyTTL (24 h)
//	wy:{USER}:l        the user's lease: the holder's token, expiring after LeaseTTL
//
// A user id containing a brace, or beginning with "~", is written as "~" and its hex, so no
// user's keys can collide with another's.
//
// # Turns across instances
//
// The engine takes the user's lease (SET NX PX, in one script that also returns the stored
// reply when the message id was answered already, and otherwise the session unless the
// engine's decoded copy is still at the current version), runs the turn, and commits with one Lua script that applies only when the lease is still the
// caller's and the session still has the version it read: then it writes the session (stamped
// with the lease's token as its new version, expiring after SessionTTL), the reply to the
// message id, and drops the lease, all or nothing. Otherwise nothing is written and the
// engine gets engine.ErrStale (fencing): an instance that stalled past its lease can never
// overwrite what another instance committed meanwhile. A message id that already has a reply
// is refused with ErrCommitted. Versions are unique tokens, never counters, so a session
// deleted and created again never takes an old version. Each script is safe to resend (a
// lease its own token holds is granted, a commit already applied reports OK), and the
// concurrent turns' scripts share pipelines (go-redis's autopipeliner; autopipeline=false in
// the URL turns it off).
//
// # Caveats
//
// Durability is Redis's: a commit is acknowledged once the primary applied it, and survives
// a restart only as far as its persistence (appendfsync always or everysec) and a failover
// only as far as replication got (docs/deployment.md). Money safety does not depend on it: a lost
// session starts afresh with a new nonce, so it never reuses an idempotency key for another
// operation, and a lost reply makes a retried message run again on the session Redis kept,
// whose bank calls repeat with their idempotency keys.
package redisstore
