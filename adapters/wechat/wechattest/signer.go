package wechattest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/weiyin-bank/weiyin/adapters/wechat"
)

// Signer builds callback requests as WeChat's servers send them for one account.
type Signer struct {
	Token, AppID string
	Key          []byte // 32-byte AES key; nil = plaintext mode
}

// NewSigner returns a signer; aesKey "" means plaintext mode.
func NewSigner(token, appID, aesKey string) (*Signer, error) {
	s := &Signer{Token: token, AppID: appID}
	if aesKey != "" {
		k, err := wechat.DecodeAESKey(aesKey)
		if err != nil {
			return nil, err
		}
		s.Key = k
	}
	return s, nil
}

// Query returns the query of a push: signature, timestamp, nonce, openid and, in safe mode,
// encrypt_type=aes and msg_signature over encrypted.
func (s *Signer) Query(ts int64, nonce, openid, encrypted string) url.Values {
	t := strconv.FormatInt(ts, 10)
	q := url.Values{"signature": {wechat.Signature(s.Token, t, nonce)}, "timestamp": {t}, "nonce": {nonce}}
	if openid != "" {
		q.Set("openid", openid)
	}
	if encrypted != "" {
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", wechat.Signature(s.Token, t, nonce, encrypted))
	}
	return q
}

// Body returns the body and query for pushing plain (a message XML): in safe mode (Key set)
// the message is encrypted with random (16 bytes) into an <xml><Encrypt> envelope.
func (s *Signer) Body(plain []byte, random []byte, ts int64, nonce, openid string) ([]byte, url.Values) {
	if s.Key == nil {
		return plain, s.Query(ts, nonce, openid, "")
	}
	enc := wechat.Seal(random, plain, s.AppID, s.Key)
	var b bytes.Buffer
	b.WriteString("<xml><ToUserName><![CDATA[gh_test]]></ToUserName><Encrypt><![CDATA[")
	b.WriteString(enc)
	b.WriteString("]]></Encrypt></xml>")
	return b.Bytes(), s.Query(ts, nonce, openid, enc)
}

// Nonce is a nonce for pushing body: the same for the same body (a retry), different for
// another. The handler refuses, in plaintext mode, a signed URL seen before with another body.
func Nonce(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:8])
}

// Request builds a signed POST of plain to endpoint (e.g. http://127.0.0.1:8080/wechat).
func (s *Signer) Request(endpoint string, plain []byte, ts int64, nonce, openid string) (*http.Request, error) {
	body, q := s.Body(plain, []byte("0123456789abcdef"), ts, nonce, openid)
	req, err := http.NewRequest(http.MethodPost, endpoint+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/xml")
	return req, nil
}

// Reply is a decoded passive reply.
type Reply struct {
	Success bool   // the body was "success" (or empty)
	Text    string // the text reply's content
	To      string // ToUserName
	Type    string // MsgType
}

// Open checks and decodes a response body: "success", a plaintext XML reply or, in safe mode,
// an encrypted envelope whose MsgSignature must verify.
func (s *Signer) Open(body []byte) (Reply, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 || string(b) == "success" {
		return Reply{Success: true}, nil
	}
	if s.Key != nil {
		var env message.ResponseEncryptedXMLMsg
		if err := xml.Unmarshal(b, &env); err != nil {
			return Reply{}, fmt.Errorf("envelope: %w", err)
		}
		ts := strconv.FormatInt(env.Timestamp, 10)
		if got, want := env.MsgSignature, wechat.Signature(s.Token, ts, env.Nonce, env.EncryptedMsg); got != want {
			return Reply{}, fmt.Errorf("reply MsgSignature %s, want %s", got, want)
		}
		plain, err := wechat.Open(env.EncryptedMsg, s.Key, s.AppID)
		if err != nil {
			return Reply{}, err
		}
		b = plain
	}
	var m message.MixMessage
	if err := xml.Unmarshal(b, &m); err != nil {
		return Reply{}, fmt.Errorf("reply: %w", err)
	}
	return Reply{Text: m.Content, To: string(m.ToUserName), Type: string(m.MsgType)}, nil
}

// Msg is a WeChat message push, for building test messages.
type Msg struct {
	To, From   string
	CreateTime int64
	Type       string // text, voice, location, image, event...
	Content    string
	MsgID      int64
	// voice
	MediaID, Format, Recognition string
	// location
	LocationX, LocationY float64
	Scale                int
	Label                string
	// event
	Event, EventKey string
	// TEMPLATESENDJOBFINISH event
	TemplateMsgID int64
	Status        string
	// image
	PicURL string
}

// XML renders m as WeChat does (CDATA strings, only the fields of its type).
func (m Msg) XML() []byte {
	var b bytes.Buffer
	cd := func(name, v string) {
		fmt.Fprintf(&b, "<%s><![CDATA[%s]]></%s>", name, strings.ReplaceAll(v, "]]>", "]]]]><![CDATA[>"), name)
	}
	b.WriteString("<xml>")
	cd("ToUserName", m.To)
	cd("FromUserName", m.From)
	fmt.Fprintf(&b, "<CreateTime>%d</CreateTime>", m.CreateTime)
	cd("MsgType", m.Type)
	switch m.Type {
	case "text":
		cd("Content", m.Content)
	case "voice":
		cd("MediaId", m.MediaID)
		cd("Format", m.Format)
		cd("Recognition", m.Recognition)
	case "location":
		fmt.Fprintf(&b, "<Location_X>%g</Location_X><Location_Y>%g</Location_Y><Scale>%d</Scale>", m.LocationX, m.LocationY, m.Scale)
		cd("Label", m.Label)
	case "image":
		cd("PicUrl", m.PicURL)
		cd("MediaId", m.MediaID)
	case "event":
		cd("Event", m.Event)
		cd("EventKey", m.EventKey)
		if m.TemplateMsgID != 0 {
			fmt.Fprintf(&b, "<MsgID>%d</MsgID>", m.TemplateMsgID)
			cd("Status", m.Status)
		}
	}
	if m.Type != "event" {
		fmt.Fprintf(&b, "<MsgId>%d</MsgId>", m.MsgID)
	}
	b.WriteString("</xml>")
	return b.Bytes()
}
