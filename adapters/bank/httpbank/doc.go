// Package httpbank is an engine.Bank that talks to a core-banking system over the bank REST
// API v1 (adapters/bank/bankapi, adapters/bank/openapi.yaml); `weiyin bank serve` serves the
// sandbox over the same API.
//
// # Basics
//
// New returns a Client for a base URL. Every call is bounded by the caller's context and by
// Options.Timeout per attempt. Calls that are safe to repeat (GET, DELETE, and POSTs carrying
// an idempotency key) are retried on transport errors and 5xx answers with exponential
// backoff and full jitter; other POSTs (binding, one-time codes) are sent once. Answers
// `{"code","message"}` come back as errors that wrap the engine's typed errors, so
// errors.Is(err, engine.ErrInsufficientFunds) and engine.ErrorCode work as with the sandbox.
//
// # Caveats
//
// A circuit breaker counts consecutive failures of the bank (transport errors and 5xx, not
// business errors such as insufficient funds); after Options.BreakerFailures of them every
// call fails at once with engine.ErrUnavailable until Options.BreakerCooldown has passed,
// then one probe call is let through: its success closes the breaker, its failure opens it
// again. A call that timed out may have been executed by the bank: retry it with the same
// idempotency key, never a new one.
package httpbank
