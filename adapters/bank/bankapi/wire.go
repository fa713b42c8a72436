package bankapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/weiyin-bank/weiyin/adapters/bank/yuan"
	"github.com/weiyin-bank/weiyin/engine"
)

// moneyFields are the JSON names of engine.Money fields in the engine's types. On the wire
// their values are decimal strings; in Go, fen.
var moneyFields = map[string]bool{
	"amount": true, "balance": true, "daily_limit": true, "limit": true, "statement_balance": true,
	"minimum_due": true, "minimum": true, "remaining": true,
}

// Marshal encodes v as JSON with every money field written as a decimal string ("500.00").
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	tree, err := parse(raw)
	if err != nil {
		return nil, err
	}
	if err := walk(tree, "", toDecimal); err != nil {
		return nil, err
	}
	return json.Marshal(tree)
}

// Unmarshal decodes wire JSON into v: money fields must be decimal strings with at most two
// decimals, unknown fields and trailing data are rejected. Errors name the field. The server
// reads requests with it.
func Unmarshal(data []byte, v any) error { return decode(data, v, true) }

// UnmarshalAnswer is Unmarshal that ignores unknown fields, so that a client keeps working
// when the bank adds fields to its answers.
func UnmarshalAnswer(data []byte, v any) error { return decode(data, v, false) }

func decode(data []byte, v any, strict bool) error {
	tree, err := parse(data)
	if err != nil {
		return err
	}
	if err := walk(tree, "", toFen); err != nil {
		return err
	}
	raw, err := json.Marshal(tree)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if strict {
		dec.DisallowUnknownFields()
	}
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", engine.ErrInvalid, err)
	}
	return nil
}

func parse(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, fmt.Errorf("%w: malformed JSON: %w", engine.ErrInvalid, err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("%w: trailing data after JSON", engine.ErrInvalid)
	}
	return tree, nil
}

// verbatimFields hold strings as written, money included: the operation object of
// POST /v1/otp ("amount": "999.00" is compared as an amount by the bank, not converted).
var verbatimFields = map[string]bool{"operation": true}

// walk applies conv to every money field of a decoded JSON tree.
func walk(v any, path string, conv func(path string, v any) (any, error)) error {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if verbatimFields[k] {
				continue
			}
			if moneyFields[k] && x != nil {
				y, err := conv(p, x)
				if err != nil {
					return err
				}
				t[k] = y
				continue
			}
			if err := walk(x, p, conv); err != nil {
				return err
			}
		}
	case []any:
		for i, x := range t {
			if err := walk(x, path+"["+strconv.Itoa(i)+"]", conv); err != nil {
				return err
			}
		}
	}
	return nil
}

func toDecimal(path string, v any) (any, error) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("%s: not a money value: %v", path, v)
	}
	i, err := n.Int64()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return yuan.Format(engine.Money(i)), nil
}

func toFen(path string, v any) (any, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%w: %s: want a decimal string such as \"500.00\"", engine.ErrInvalid, path)
	}
	m, err := yuan.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", engine.ErrInvalid, path, err)
	}
	return json.Number(strconv.FormatInt(int64(m), 10)), nil
}
