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

// decrypt opens a base64 Encrypt field (the SDK's util.AESDecryptMsg: AES-256-CBC, the key's
// first 16 bytes as IV, random(16) | length | msg | AppID) and checks it was sealed for this
// AppID. It never panics: the SDK panics only on a key that is not 32 bytes, which
// newCryptor, Seal and Open refuse.
func (c *cryptor) decrypt(b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCipher, err)
	}
	_, msg, app, err := util.AESDecryptMsg(ct, c.key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCipher, err)
	}
	if subtle.ConstantTimeCompare(app, []byte(c.appID)) != 1 {
		return nil, fmt.Errorf("%w: sealed for another AppID", ErrBadCipher)
	}
	return msg, nil
}

// seal encrypts msg with the 16-byte random prefix (util.AESEncryptMsg) and returns the
// base64 ciphertext.
func (c *cryptor) seal(random, msg []byte) string {
	return base64.StdEncoding.EncodeToString(util.AESEncryptMsg(random, msg, c.appID, c.key))
}

// Seal encrypts msg for appID with the 32-byte key and a 16-byte random prefix, as WeChat
// expects, and returns the base64 ciphertext. It panics if key is not 32 bytes.
func Seal(random, msg []byte, appID string, key []byte) string {
	if len(key) != 32 {
		panic(fmt.Sprintf("wechat.Seal: key of %d bytes", len(key)))
	}
	c := &cryptor{appID: appID, key: key}
	return c.seal(random, msg)
}

// encrypt seals msg with a fresh random prefix.
func (c *cryptor) encrypt(msg []byte) (string, error) {
	var random [16]byte
	if _, err := rand.Read(random[:]); err != nil {
		return "", fmt.Errorf("wechat: random: %w", err)
	}
	// WeChat's own code uses printable random bytes; any 16 bytes decrypt the same.
	return c.seal(random[:], msg), nil
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
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: key of %d bytes", ErrBadCipher, len(key))
	}
	c := &cryptor{key: key, appID: appID}
	return c.decrypt(b64)
}
