package redisstore

import "errors"

// ErrCommitted is returned by Commit when the message id already has a committed reply;
// nothing is changed.
var ErrCommitted = errors.New("redisstore: message already committed")

// ErrURL is wrapped by Open and ParseURL for a store URL they cannot use.
var ErrURL = errors.New("redisstore: bad store URL")
