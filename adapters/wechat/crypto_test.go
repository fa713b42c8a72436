package wechat

import (
	"errors"
	"strings"
	"testing"
)

// Ensure Signature reproduces Tencent's published signatures.
func TestSignatureVectors(t *testing.T) {
	v := loadVectors(t)
	a := v.a
	tests := []struct {
		name  string
		parts []string
		want  string
	}{
		// URL verification signature of the 2024 documentation example.
		{"url verification", []string{a[0], a[3], a[4]}, a[5]},
		// Plaintext push signature.
		{"plaintext push", []string{a[0], a[7], a[8]}, a[9]},
		// Safe-mode push: URL signature and msg_signature over the ciphertext.
		{"safe url signature", []string{a[0], a[10], a[11]}, a[12]},
		{"safe msg_signature", []string{a[0], a[10], a[11], a[14]}, a[13]},
		// Reply envelope signature.
		{"reply msg_signature", []string{a[0], a[20], a[21], a[19]}, a[22]},
		// 2014 sample: msg_signature over the Encrypt field of the compatible-mode body.
		{"2014 compatible", []string{v.b[0], v.b[3], v.b[4], encryptOf(t, v.bodyB)}, v.b[5]},
	}
	for _, tt := range tests {
		if got := Signature(tt.parts...); got != tt.want {
			t.Errorf("%s: Signature = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func encryptOf(t *testing.T, body string) string {
	t.Helper()
	i, j := strings.Index(body, "<Encrypt><![CDATA["), strings.Index(body, "]]></Encrypt>")
	if i < 0 || j < i {
		t.Fatal("no Encrypt in body")
	}
	return body[i+len("<Encrypt><![CDATA[") : j]
}

// Ensure Seal and Open reproduce Tencent's published ciphertexts in both directions.
func TestAESVectors(t *testing.T) {
	v := loadVectors(t)
	a, b := v.a, v.b
	keyA, err := DecodeAESKey(a[1])
	if err != nil {
		t.Fatal(err)
	}
	keyB, err := DecodeAESKey(b[1])
	if err != nil {
		t.Fatal(err)
	}
	seals := []struct {
		name               string
		random, msg, appID string
		key                []byte
		want               string
	}{
		// 2024 reply example.
		{"2024 reply", a[17], a[18], a[2], keyA, a[19]},
		// 2014 WXBizMsgCryptTest, Chinese text.
		{"2014 chinese", b[10], b[11], b[9], keyB, b[12]},
	}
	for _, s := range seals {
		if got := Seal([]byte(s.random), []byte(s.msg), s.appID, s.key); got != s.want {
			t.Errorf("%s: Seal = %s, want %s", s.name, got, s.want)
		}
		if got, err := Open(s.want, s.key, s.appID); err != nil || string(got) != s.msg {
			t.Errorf("%s: Open = %q, %v; want %q", s.name, got, err, s.msg)
		}
	}
	// 2024 push: decrypts to the published 167-byte JSON event.
	got, err := Open(a[14], keyA, a[2])
	if err != nil || string(got) != a[16] || len(got) != 167 {
		t.Errorf("2024 push: Open = %q (%d bytes), %v; want %q", got, len(got), err, a[16])
	}
	// 2014 push: the Encrypt field decrypts to the text message.
	got, err = Open(encryptOf(t, v.bodyB), keyB, b[2])
	if err != nil || !strings.Contains(string(got), "<Content><![CDATA["+b[6]+"]]></Content>") ||
		!strings.Contains(string(got), b[7]) {
		t.Errorf("2014 push: Open = %q, %v", got, err)
	}
}

// Ensure Open rejects what was not sealed for this account, without panicking.
func TestOpenRejects(t *testing.T) {
	key, _ := DecodeAESKey(strings.Repeat("A", 43))
	sealed := Seal([]byte("0123456789abcdef"), []byte("<xml/>"), "wxapp", key)
	tests := []struct {
		name, b64, appID string
	}{
		{"other appid", sealed, "wxother"},                 // a message sealed for another account
		{"not base64", "%%%", "wxapp"},                     // garbage
		{"short", "QUJD", "wxapp"},                         // 3 bytes, not a block
		{"one block", "AAAAAAAAAAAAAAAAAAAAAA==", "wxapp"}, // 16 zero bytes
		{"truncated", sealed[:len(sealed)-24] + "==", "wxapp"},
	}
	for _, tt := range tests {
		if _, err := Open(tt.b64, key, tt.appID); !errors.Is(err, ErrBadCipher) {
			t.Errorf("%s: err = %v, want ErrBadCipher", tt.name, err)
		}
	}
}

// Ensure bad EncodingAESKeys are refused at start-up.
func TestBadAESKey(t *testing.T) {
	for _, k := range []string{"short", strings.Repeat("*", 43), strings.Repeat("A", 44)} {
		if _, err := DecodeAESKey(k); !errors.Is(err, ErrBadAESKey) {
			t.Errorf("DecodeAESKey(%q) err = %v", k, err)
		}
	}
}
