// Package sandbox is the embedded demonstration bank: a double-entry ledger in a bbolt file
// that implements engine.Bank, so that weiyin runs end to end with no core-banking system.
//
// # Basics
//
// Open a file with Open; an empty file is seeded from Options.Fixture (or the embedded demo
// fixture, see Demo). A fixture is JSON (LoadFixture), documented in DESIGN.md "Sandbox
// fixture"; testdata/fixtures/test.json is the demo data with a fixed one-time code.
//
// Every money movement is a pair of postings of opposite sign, one on each side, in one bbolt
// read-write transaction together with the idempotency record of the call. Payments that
// leave the bank (to other banks, billers, phone operators, wealth products, credit cards)
// are credited to internal settlement accounts, and other banks' cards are external ledger
// accounts, so the sum of all ledger balances never changes after seeding. Check verifies
// that, and that every account's balance is its opening balance plus its postings.
//
// Money-moving calls take an idempotency key: the key, a hash of the request and the result
// are stored in the same transaction as the postings, so a repeat (even after a crash or a
// restart) returns the first result and moves nothing; the same key with a different request
// is engine.ErrIdempotencyReuse. Failed calls store nothing and may be retried.
//
// # Reads
//
// Reads touch only what they answer with. A customer_index bucket lists each customer's
// deposit accounts, credit cards and cards at other banks (customer NUL kind NUL id), so
// Accounts, CreditCards, OtherBankCards and the card lookups of payments decode only that
// customer's records. Ownership never changes after seeding: the index is written in the
// seeding transaction, and Open builds it for a file seeded before it existed (meta/indexed
// marks it complete). Branches, products, billers and advisors are written only by seeding:
// they are read into memory at Open and again after Seed, and served from there; the
// sandbox is the only writer of its file, so the copy cannot go stale. Every write still
// goes through bbolt as before.
//
// # Caveats
//
// Times come from Options.Clock; "today" for daily limits is the calendar day in Asia/Shanghai.
// One-time codes are the fixture's otp when it has one, otherwise 6 random digits from
// Options.Rand written to Options.Logger at info level (the operator's log); do not run the
// sandbox with real customers. A bbolt file can be open in one process at a time.
package sandbox
