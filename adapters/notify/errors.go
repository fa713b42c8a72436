package notify

import "errors"

// Errors of the queue.
var (
	// ErrNotFound: no job with that id.
	ErrNotFound = errors.New("notify: no such notification")
	// ErrConflict: the id is taken by a notification with other content.
	ErrConflict = errors.New("notify: id already used for a different notification")
	// ErrInvalid: the request is incomplete or malformed.
	ErrInvalid = errors.New("notify: invalid request")
	// ErrUnknownCustomer: the customer does not exist or has no WeChat binding.
	ErrUnknownCustomer = errors.New("notify: customer unknown or not bound to WeChat")
	// ErrClosed: the queue is closed.
	ErrClosed = errors.New("notify: queue closed")
)
