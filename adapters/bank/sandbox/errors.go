package sandbox

import "errors"

// Errors of the sandbox itself; operations return the engine's typed errors.
var (
	// ErrFixtureMismatch is returned by Open and Seed when the database was seeded from
	// another fixture.
	ErrFixtureMismatch = errors.New("sandbox: database was seeded from another fixture")
	// ErrInconsistent is returned by Check when the ledger breaks an invariant.
	ErrInconsistent = errors.New("sandbox: ledger inconsistent")
)
