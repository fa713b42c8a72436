// Package sandboxtest opens sandbox banks for tests: the repository's test fixture
// (testdata/fixtures/test.json, one-time code "123456") at a fixed time (Now), in a temporary
// file closed when the test ends. Tests of the engine, the channels and the CLI can use it
// to run against a real ledger instead of a scripted bank.
package sandboxtest
