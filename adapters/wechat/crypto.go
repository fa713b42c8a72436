package wechat

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/silenceper/wechat/v2/util"
)

// Config is the official account's callback settings (WEIYIN_WECHAT_*).
type Config struct {
	AppID  string // WEIYIN_WECHAT_APPID
	Token  string // WEIYIN_WECHAT_TOKEN: signs every callback
	AESKey string // WEIYIN_WECHAT_AESKEY: 43-character EncodingAESKey; set = safe mode
	Secret string // WEIYIN_WECHAT_SECRET: for the outbound API's access token
}

// Errors of the callback crypto.
var (
	ErrBadSignature = errors.New("wechat: bad signature")
	ErrBadAESKey    = errors.New("wechat: EncodingAESKey must be 43 base64 characters")
	ErrBadCipher    = errors.New("wechat: cannot decrypt message")
)

// cryptor signs, verifies, encrypts and decrypts callbacks of one account. Immutable.
type cryptor struct {
	token string
	appID string
	key   []byte // 32-byte AES key, nil in plaintext mode
}

func newCryptor(c Config) (*cryptor, error) {
	cr := &cryptor{token: c.Token, appID: c.AppID}
	if c.AESKey == "" {
		return cr, nil
	}
	if len(c.AESKey) != 43 {
		return nil, ErrBadAESKey
	}
	key, err := base64.StdEncoding.DecodeString(c.AESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrBadAESKey
	}
	cr.key = key
	return cr, nil
}

// Signature is WeChat's signature: lowercase hex SHA-1 of the sorted, concatenated parts.
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	return util.Signature(p...)
}

// verify reports whether sig is the signature of parts, in constant time.
func verify(sig string, parts ...string) bool {
	want := Signature(parts...)
	return subtle.ConstantTimeCompare([]byte(sig), []byte(want)) == 1
}

// decrypt opens a base64 Encrypt field and checks it was sealed for this AppID.
func (c *cryptor) decrypt(b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCipher, err)
	}
	msg, err := openAES(ct, c.key, c.appID)
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// openAES decrypts ct with key and checks the AppID trailer. It never panics.
func openAES(ct, key []byte, appID string) (msg []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("%w: %v", ErrBadCipher, r)
		}
	}()
	if len(ct) == 0 || len(ct)%16 != 0 {
		return nil, fmt.Errorf("%w: ciphertext length %d", ErrBadCipher, len(ct))
	}
	_, raw, gotApp, err := util.AESDecryptMsg(ct, key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCipher, err)
	}
	if subtle.ConstantTimeCompare(gotApp, []byte(appID)) != 1 {
		return nil, fmt.Errorf("%w: sealed for another AppID", ErrBadCipher)
	}
	return raw, nil
}

// Seal encrypts msg for appID with the 32-byte key and a 16-byte random prefix, as WeChat
// expects, and returns the base64 ciphertext.
func Seal(random, msg []byte, appID string, key []byte) string {
	return base64.StdEncoding.EncodeToString(util.AESEncryptMsg(random, msg, appID, key))
}

// encrypt seals msg with a fresh random prefix.
func (c *cryptor) encrypt(msg []byte) (string, error) {
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return "", fmt.Errorf("wechat: random: %w", err)
	}
	// WeChat's own code uses printable random bytes; any 16 bytes decrypt the same.
	return Seal(random, msg, c.appID, c.key), nil
}

// DecodeAESKey turns a 43-character EncodingAESKey into the 32-byte AES key.
func DecodeAESKey(s string) ([]byte, error) {
	c, err := newCryptor(Config{AESKey: s})
	if err != nil {
		return nil, err
	}
	return c.key, nil
}

// Open decrypts a base64 Encrypt field with the 32-byte key and checks it was sealed for
// appID. It is Seal's inverse; tests and tools use it to read encrypted replies.
func Open(b64 string, key []byte, appID string) ([]byte, error) {
	c := &cryptor{key: key, appID: appID}
	return c.decrypt(b64)
}
