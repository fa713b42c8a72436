// Package bankapi is the bank REST API v1: the HTTP server that serves any engine.Bank
// (NewHandler), and the wire rules its client, adapters/bank/httpbank, shares with it: JSON
// with amounts as decimal strings (Marshal, Unmarshal), and error codes with their HTTP
// statuses (Codes, ErrorFor). adapters/bank/openapi.yaml documents every endpoint.
//
// # Basics
//
// Errors are `{"code": "...", "message": "..."}` with a 4xx or 5xx status; a code is the
// engine.ErrorCode name of the error, plus "idempotency_reuse" (engine.ErrIdempotencyReuse),
// which ErrorCode folds into "rejected".
// Every POST that takes an idempotency key in engine.Bank needs an `Idempotency-Key` header;
// the server passes it to the bank, which returns the first result for a repeated key.
//
// # Caveats
//
// Callers are authenticated by mutual TLS (ServerTLS, ClientTLS; GenerateCerts makes a test
// CA): `weiyin bank serve` requires a client certificate signed by its --client-ca, and without
// TLS flags listens on loopback only. Customer scoping is by the customer id in the path,
// query or body: a caller with a certificate acts for any customer, so certificates go only to
// the bank's own systems. Money moves only with a verified one-time-code challenge issued for
// exactly the request's fields (POST /v1/otp, /v1/otp/verify). Bodies are capped (MaxBody);
// unknown fields are rejected.
package bankapi
