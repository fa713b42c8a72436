package sandbox_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox"
	"github.com/weiyin-bank/weiyin/adapters/bank/sandbox/sandboxtest"
)

// FuzzLoadFixture feeds arbitrary JSON to the fixture loader: it must never panic, and a
// fixture it accepts must seed a bank whose ledger checks.
func FuzzLoadFixture(f *testing.F) {
	if data, err := os.ReadFile(sandboxtest.FixturePath(f)); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"customers":[{"id":"C1","name":"a","phone":"13800000000"}],"accounts":[{"id":"A1","customer":"C1","type":"current","name":"x","number":"62170000","balance":"1.5"}]}`))
	f.Add([]byte(`{"accounts":[{"balance":"12.345"}]}`))
	f.Add([]byte(`{"branches":[{"id":"B","name":"n","district":"d","lat":31,"lng":121,"hours":"09:00-24:00"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fx, err := sandbox.LoadFixture(bytes.NewReader(data))
		if err != nil {
			return
		}
		b, err := sandbox.Open(t.TempDir()+"/bank.db", sandbox.Options{OTPPolicy: sandboxtest.ManyCodes, Fixture: fx, NoSync: true, Clock: fixedClock{sandboxtest.Now}})
		if err != nil {
			t.Fatalf("accepted fixture does not seed: %v", err)
		}
		defer b.Close()
		if _, err := b.Check(ctx); err != nil {
			t.Fatalf("accepted fixture seeds an inconsistent ledger: %v", err)
		}
	})
}
