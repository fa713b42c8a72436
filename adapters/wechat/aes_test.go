package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

// Ensure the cached-cipher seal and open match silenceper's reference implementation for
// every padding length, both ways.
func TestSealMatchesSDK(t *testing.T) {
	c, err := newCryptor(Config{Token: "t", AppID: "wx1234567890abcdef", AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"})
	if err != nil {
		t.Fatal(err)
	}
	random := []byte("0123456789abcdef")
	for n := 0; n <= 70; n++ {
		msg := bytes.Repeat([]byte("x"), n)
		got := c.seal(random, msg)
		want := base64.StdEncoding.EncodeToString(util.AESEncryptMsg(random, msg, c.appID, c.key))
		if got != want {
			t.Fatalf("seal of %d bytes differs from the SDK's", n)
		}
		plain, err := c.decrypt(want)
		if err != nil || !bytes.Equal(plain, msg) {
			t.Fatalf("decrypt of the SDK's %d-byte seal = %q, %v", n, plain, err)
		}
	}
}

// Ensure malformed ciphertexts are refused with ErrBadCipher, never a panic.
func TestDecryptRefuses(t *testing.T) {
	c, _ := newCryptor(Config{Token: "t", AppID: "wxapp", AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"})
	raw := func(plain []byte) string { // encrypts plain as is, without WeChat's framing
		out := make([]byte, len(plain))
		block, _ := aes.NewCipher(c.key)
		cipher.NewCBCEncrypter(block, c.key[:16]).CryptBlocks(out, plain)
		return base64.StdEncoding.EncodeToString(out)
	}
	framed := func(msgLen uint32, tail string, pad byte) []byte {
		p := make([]byte, 64)
		p[16], p[17], p[18], p[19] = byte(msgLen>>24), byte(msgLen>>16), byte(msgLen>>8), byte(msgLen)
		copy(p[20:], tail)
		p[63] = pad
		return p
	}
	tests := []struct {
		name, in string
	}{
		{"not base64", "!!!"},
		{"empty", ""},
		{"not a multiple of 32 bytes", base64.StdEncoding.EncodeToString(make([]byte, 48))},
		{"padding 0", raw(framed(1, "x", 0))},
		{"padding 33", raw(framed(1, "x", 33))},
		{"length past the end", raw(framed(1000, "x", 1))},
		{"no AppID after the message", raw(framed(42, strings.Repeat("x", 42), 1))},
		{"another AppID", raw(framed(1, "xwxother", 1))},
	}
	for _, tt := range tests {
		if _, err := c.decrypt(tt.in); !errors.Is(err, ErrBadCipher) {
			t.Errorf("%s: err %v, want ErrBadCipher", tt.name, err)
		}
	}
}
