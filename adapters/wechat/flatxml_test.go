package wechat

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// Ensure ScanXML reads the flat documents WeChat and weiyin write, joins split CDATA, and
// declines every form it does not handle itself, so that encoding/xml decides those.
func TestScanXML(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string // name=text pairs joined by ";"; "-" for declined
	}{
		{"CDATA and number", "<xml><ToUserName><![CDATA[gh]]></ToUserName><CreateTime>12</CreateTime></xml>", "ToUserName=gh;CreateTime=12"},
		{"whitespace around elements", "\n <xml>\n\t<A>x</A>\n</xml>\n", "A=x"},
		{"split CDATA keeps ]]>", "<xml><C><![CDATA[a]]]]><![CDATA[>b]]></C></xml>", "C=a]]>b"},
		{"CDATA then text", "<xml><C><![CDATA[a]]>b<![CDATA[c]]></C></xml>", "C=abc"},
		{"empty element", "<xml><C></C></xml>", "C="},
		{"close tag inside CDATA", "<xml><C><![CDATA[</C>]]></C></xml>", "C=</C>"},
		{"Chinese text", "<xml><C>我的余额</C></xml>", "C=我的余额"},
		{"declaration", `<?xml version="1.0"?><xml><A>x</A></xml>`, "-"},
		{"other root", "<root><A>x</A></root>", "-"},
		{"attribute", `<xml><A b="1">x</A></xml>`, "-"},
		{"nested element", "<xml><A><B>x</B></A></xml>", "-"},
		{"empty-tag element", "<xml><A/></xml>", "-"},
		{"comment", "<xml><!-- c --><A>x</A></xml>", "-"},
		{"entity", "<xml><A>a&amp;b</A></xml>", "-"},
		{"carriage return", "<xml><A>a\r\nb</A></xml>", "-"},
		{"control character", "<xml><A>a\x01b</A></xml>", "-"},
		{"invalid UTF-8", "<xml><A>\xff</A></xml>", "-"},
		{"U+FFFE", "<xml><A>\uFFFE</A></xml>", "-"},
		{"mismatched close", "<xml><A>x</B></xml>", "-"},
		{"close of a longer name", "<xml><A>x</AB></xml>", "-"},
		{"unterminated CDATA", "<xml><A><![CDATA[x</A></xml>", "-"},
		{"truncated", "<xml><A>x</A>", "-"},
		{"text in the root", "<xml>x<A>y</A></xml>", "-"},
		{"trailing content", "<xml><A>x</A></xml><xml></xml>", "-"},
		{"namespaced name", "<xml><a:A>x</a:A></xml>", "-"},
		{"name starting with a digit", "<xml><1A>x</1A></xml>", "-"},
	}
	for _, tt := range tests {
		var got []string
		ok := ScanXML([]byte(tt.doc), func(name, text []byte) { got = append(got, string(name)+"="+string(text)) })
		s := strings.Join(got, ";")
		if !ok {
			s = "-"
		}
		if s != tt.want {
			t.Errorf("%s: ScanXML(%q) = %q, want %q", tt.name, tt.doc, s, tt.want)
		}
	}
}

// Ensure decodeMessage hands documents with unknown elements or bad numbers to encoding/xml.
func TestDecodeMessageDeclines(t *testing.T) {
	tests := []struct {
		name, doc string
		ok        bool
	}{
		{"text message", "<xml><FromUserName><![CDATA[o]]></FromUserName><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>7</MsgId></xml>", true},
		{"unknown element", "<xml><FromUserName>o</FromUserName><MsgDataId>1</MsgDataId></xml>", false},
		{"bad integer", "<xml><MsgId>x</MsgId></xml>", false},
		{"integer overflow", "<xml><CreateTime>99999999999999999999</CreateTime></xml>", false},
		{"bad float", "<xml><Scale>x</Scale></xml>", false},
		{"padded numbers", "<xml><MsgId> 7 </MsgId><Location_X>\n1.5\t</Location_X></xml>", true},
	}
	for _, tt := range tests {
		var m message.MixMessage
		if got := decodeMessage([]byte(tt.doc), &m); got != tt.ok {
			t.Errorf("%s: decodeMessage = %v, want %v", tt.name, got, tt.ok)
		}
	}
}

// FuzzScanXML ensures that wherever the fast path decodes a message or an envelope,
// encoding/xml accepts the document too and decodes the same fields.
func FuzzScanXML(f *testing.F) {
	for _, s := range []string{
		"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[我的余额]]></Content><MsgId>12</MsgId></xml>",
		"<xml><MsgType>location</MsgType><Location_X>23.1</Location_X><Location_Y>113.3</Location_Y><Scale>15</Scale><Label><![CDATA[a]]]]><![CDATA[>b]]></Label></xml>",
		"<xml><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event><MsgID>9</MsgID><Status>success</Status></xml>",
		"<xml><ToUserName><![CDATA[gh]]></ToUserName><Encrypt><![CDATA[abc=]]></Encrypt></xml>",
		"<xml><Content>a</Content><Content>b</Content></xml>",
		"<xml><MsgId></MsgId><CreateTime> 5</CreateTime></xml>",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		var fast message.MixMessage
		if decodeMessage(doc, &fast) {
			var ref message.MixMessage
			if err := xml.Unmarshal(doc, &ref); err != nil {
				t.Fatalf("fast path accepted %q, encoding/xml: %v", doc, err)
			}
			if got, want := readFields(&fast), readFields(&ref); got != want {
				t.Fatalf("%q:\nfast %+v\nref  %+v", doc, got, want)
			}
		}
		if enc, ok := decodeEnvelope(doc); ok {
			var env message.EncryptedXMLMsg
			if err := xml.Unmarshal(doc, &env); err != nil || env.EncryptedMsg != enc {
				t.Fatalf("envelope %q: fast %q, encoding/xml %q, %v", doc, enc, env.EncryptedMsg, err)
			}
		}
	})
}

// fields are the parts of a message the channel reads.
type fields struct {
	To, From, Type, Content, Recognition, MediaID, Format, Label, Event, EventKey, Status string
	Created, MsgID, TemplateMsgID                                                         int64
	X, Y, Scale                                                                           float64
}

func readFields(m *message.MixMessage) fields {
	return fields{string(m.ToUserName), string(m.FromUserName), string(m.MsgType), m.Content, m.Recognition,
		m.MediaID, m.Format, m.Label, string(m.Event), m.EventKey, m.Status, m.CreateTime, m.MsgID,
		m.TemplateMsgID, m.LocationX, m.LocationY, m.Scale}
}
