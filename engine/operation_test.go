package engine_test

import (
	"testing"

	"github.com/weiyin-bank/weiyin/engine"
)

// TestOperationDigest ensures the digest the money guard and the bank's challenge agree on
// tells operations apart exactly by their name and canonical fields.
func TestOperationDigest(t *testing.T) {
	op := func(name string, kv ...string) engine.Operation {
		f := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			f[kv[i]] = kv[i+1]
		}
		return engine.Operation{Name: name, Fields: f}
	}
	base := op("transfer", "from_account", "A001", "to_account", "6214830212347777", "amount", "999.00")
	tests := []struct {
		ensures string
		a, b    engine.Operation
		same    bool
	}{
		{"an amount written without decimals is the same amount", base, op("transfer", "from_account", "A001", "to_account", "6214830212347777", "amount", "999"), true},
		{"an empty field is no field", base, op("transfer", "from_account", "A001", "to_account", "6214830212347777", "amount", "999.00", "memo", ""), true},
		{"another amount differs", base, op("transfer", "from_account", "A001", "to_account", "6214830212347777", "amount", "999.01"), false},
		{"another payee differs", base, op("transfer", "from_account", "A001", "to_account", "6214830212347778", "amount", "999.00"), false},
		{"another operation with the same fields differs", base, op("phone_topup", "from_account", "A001", "to_account", "6214830212347777", "amount", "999.00"), false},
		{"a field more differs", base, op("transfer", "from_account", "A001", "to_account", "6214830212347777", "amount", "999.00", "to_name", "王芳"), false},
		{"a value cannot pose as another field (newline)", op("t", "a", "x\nb=y"), op("t", "a", "x", "b", "y"), false},
		{"nor with an escaped equals sign", op("t", "a=b", "c"), op("t", "a", "b=c"), false},
		{"nor a name as a field", op("t\nname=u", "a", "b"), op("t", "name", "u", "a", "b"), false},
	}
	for _, tc := range tests {
		if same := tc.a.Digest() == tc.b.Digest(); same != tc.same {
			t.Errorf("%s: same digest = %v", tc.ensures, same)
		}
	}
	// Ensure an unnamed operation (the REST API lets a caller leave the name out) covers the
	// request with the same fields whatever its name, and a named one only its own name.
	unnamed := base
	unnamed.Name = ""
	if !unnamed.Covers(base) || base.Covers(op("phone_topup", "from_account", "A001", "to_account", "6214830212347777", "amount", "999.00")) || !base.Covers(base) {
		t.Error("Covers does not match on name and fields")
	}
	// Ensure a repayment by mode does not carry a zero amount, and a transfer carries its
	// payee's name and memo (they are part of what executes).
	if f := (engine.RepayRequest{Card: "CC01", FromAccount: "A001", Mode: "full"}).Operation().Fields; f["amount"] != "" || f["mode"] != "full" {
		t.Errorf("repay by mode = %v", f)
	}
	if f := (engine.TransferRequest{FromAccount: "A001", ToAccount: "X", ToName: "王芳", Amount: 1, Memo: "房租"}).Operation().Fields; f["to_name"] != "王芳" || f["memo"] != "房租" {
		t.Errorf("transfer = %v", f)
	}
}

// FuzzOperationDigest ensures two operations share a digest only when their names and
// canonical fields are the same: no escaping trick makes one request pass for another.
func FuzzOperationDigest(f *testing.F) {
	f.Add("transfer", "amount", "999", "transfer", "amount", "999.00")
	f.Add("t", "a", "x\nb=y", "t", "a", "x")
	f.Add("t\nname=u", "a", "b", "t", "name", "u")
	f.Add("t", "a=b", "c", "t", "a", "b=c")
	f.Add("t", `a\`, "=b", "t", "a", `\=b`)
	f.Fuzz(func(t *testing.T, n1, k1, v1, n2, k2, v2 string) {
		a := engine.Operation{Name: n1, Fields: map[string]string{k1: v1}}
		b := engine.Operation{Name: n2, Fields: map[string]string{k2: v2}}
		ca, cb := a.Canonical(), b.Canonical()
		same := ca.Name == cb.Name && len(ca.Fields) == len(cb.Fields)
		for k, v := range ca.Fields {
			if w, ok := cb.Fields[k]; !ok || w != v {
				same = false
			}
		}
		if (a.Digest() == b.Digest()) != same {
			t.Errorf("%q and %q: same digest %v, same canonical operation %v", a, b, a.Digest() == b.Digest(), same)
		}
	})
}
