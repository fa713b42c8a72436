package engine

import "context"

// Store keeps sessions and the replies already given, durably. adapters/store implements it
// on bbolt; enginetest has an in-memory one.
//
// Commit must be atomic: the session and the reply for msgID are saved together or not at all,
// so a crash never leaves a turn half-committed, and a retried message id finds its reply.
type Store interface {
	// Load returns the user's session record, or nil when the user has none.
	Load(ctx context.Context, user string) ([]byte, error)
	// Reply returns the stored reply to a message id, if that message was processed.
	Reply(ctx context.Context, user, msgID string) ([]byte, bool, error)
	// Commit saves the session record and, when msgID is not empty, the reply to msgID. It
	// may keep session and reply: the caller must not change them afterwards.
	Commit(ctx context.Context, user string, session []byte, msgID string, reply []byte) error
	// Delete forgets a user's session (unsubscribe).
	Delete(ctx context.Context, user string) error
}
