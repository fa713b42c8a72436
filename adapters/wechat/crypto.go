package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
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
	key   []byte       // 32-byte AES key, nil in plaintext mode
	block cipher.Block // AES with key, expanded once (safe for concurrent use)
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
	if cr.block, err = aes.NewCipher(key); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadAESKey, err)
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

// WeChat's message encryption: AES-256-CBC with the key's first 16 bytes as IV, over
// random(16) | length of msg (4, big-endian) | msg | AppID, PKCS#7-padded to 32 bytes.
const padBlock = 32

// decrypt opens a base64 Encrypt field and checks it was sealed for this AppID. It never
// panics.
func (c *cryptor) decrypt(b64 string) ([]byte, error) {
	ct, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCipher, err)
	}
	if len(ct) < padBlock || len(ct)%padBlock != 0 {
		return nil, fmt.Errorf("%w: ciphertext length %d", ErrBadCipher, len(ct))
	}
	plain := make([]byte, len(ct))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, ct)
	pad := int(plain[len(plain)-1])
	if pad < 1 || pad > padBlock {
		return nil, fmt.Errorf("%w: padding %d", ErrBadCipher, pad)
	}
	plain = plain[:len(plain)-pad]
	if len(plain) <= 20 {
		return nil, fmt.Errorf("%w: plaintext of %d bytes", ErrBadCipher, len(plain))
	}
	n := uint64(binary.BigEndian.Uint32(plain[16:20]))
	if n >= uint64(len(plain)-20) { // the AppID must follow
		return nil, fmt.Errorf("%w: message length %d", ErrBadCipher, n)
	}
	msg, app := plain[20:20+n:20+n], plain[20+n:]
	if subtle.ConstantTimeCompare(app, []byte(c.appID)) != 1 {
		return nil, fmt.Errorf("%w: sealed for another AppID", ErrBadCipher)
	}
	return msg, nil
}

// seal encrypts msg with the 16-byte random prefix and returns the base64 ciphertext.
func (c *cryptor) seal(random, msg []byte) string {
	n := 20 + len(msg) + len(c.appID)
	pad := padBlock - n%padBlock
	plain := make([]byte, n+pad)
	copy(plain[:16], random)
	binary.BigEndian.PutUint32(plain[16:20], uint32(len(msg)))
	copy(plain[20:], msg)
	copy(plain[20+len(msg):], c.appID)
	for i := n; i < len(plain); i++ {
		plain[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, plain)
	return base64.StdEncoding.EncodeToString(plain)
}

// Seal encrypts msg for appID with the 32-byte key and a 16-byte random prefix, as WeChat
// expects, and returns the base64 ciphertext. It panics if key is not 32 bytes.
func Seal(random, msg []byte, appID string, key []byte) string {
	block, err := aes.NewCipher(key)
	if err != nil || len(key) != 32 {
		panic(fmt.Sprintf("wechat.Seal: key of %d bytes", len(key)))
	}
	c := &cryptor{appID: appID, key: key, block: block}
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
	block, err := aes.NewCipher(key)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("%w: key of %d bytes", ErrBadCipher, len(key))
	}
	c := &cryptor{key: key, appID: appID, block: block}
	return c.decrypt(b64)
}
