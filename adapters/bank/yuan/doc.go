// Package yuan converts amounts between integer fen (engine.Money) and the decimal strings
// the sandbox fixture and the bank REST API carry on the wire ("1234.50").
//
// Parsing is strict: an optional leading minus, digits, and at most two decimals. No
// exponents, no grouping, no spaces, no floats anywhere. Amounts beyond Max are rejected so
// that no arithmetic on a parsed amount can overflow int64.
package yuan
