package wechat

import (
	"bytes"
	"strconv"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
)

// ScanXML reads a flat WeChat XML document, <xml><Name>text</Name>...</xml>, and calls fn with
// each child element's name and text (CDATA sections and character data joined). text may
// alias doc; fn must copy what it keeps beyond the call.
//
// It is the fast path for the documents WeChat and weiyin write, a tenth of encoding/xml's
// cost. It accepts only the simple form and reports false for anything else (a declaration,
// comments, attributes, nested or empty-tag elements, entities, carriage returns, characters
// XML forbids, text outside elements, anything after </xml>): the caller must then decode
// with encoding/xml, which stays the reference. Where ScanXML reports true, its fields are
// the ones encoding/xml would decode (FuzzScanXML compares the two).
func ScanXML(doc []byte, fn func(name, text []byte)) bool {
	p := bytes.TrimLeft(doc, " \t\n")
	p, ok := bytes.CutPrefix(p, []byte("<xml>"))
	if !ok {
		return false
	}
	var buf []byte
	for {
		p = bytes.TrimLeft(p, " \t\n")
		if rest, ok := bytes.CutPrefix(p, []byte("</xml>")); ok {
			return len(bytes.TrimLeft(rest, " \t\n")) == 0
		}
		var name, text []byte
		if name, text, p, buf, ok = scanElement(p, buf); !ok {
			return false
		}
		fn(name, text)
	}
}

// scanElement reads one <Name>text</Name> at the start of p and returns its name, its text
// and what follows. buf is scratch space for joining sections; the grown buf is returned.
func scanElement(p, buf []byte) (name, text, rest, newBuf []byte, ok bool) {
	if len(p) < 2 || p[0] != '<' {
		return nil, nil, nil, buf, false
	}
	end := bytes.IndexByte(p, '>')
	if end < 0 || !xmlName(p[1:end]) {
		return nil, nil, nil, buf, false
	}
	name, p = p[1:end], p[end+1:]
	for sections := 0; ; sections++ {
		var sec []byte
		switch {
		case bytes.HasPrefix(p, []byte("<![CDATA[")):
			p = p[len("<![CDATA["):]
			e := bytes.Index(p, []byte("]]>"))
			if e < 0 {
				return nil, nil, nil, buf, false
			}
			sec, p = p[:e], p[e+len("]]>"):]
		case bytes.HasPrefix(p, []byte("</")):
			p = p[len("</"):]
			if !bytes.HasPrefix(p, name) || len(p) == len(name) || p[len(name)] != '>' {
				return nil, nil, nil, buf, false
			}
			if sections > 1 {
				text = buf
			}
			return name, text, p[len(name)+1:], buf, true
		case len(p) > 0 && p[0] != '<':
			e := bytes.IndexByte(p, '<')
			if e < 0 {
				return nil, nil, nil, buf, false
			}
			sec, p = p[:e], p[e:]
			if bytes.IndexByte(sec, '&') >= 0 || bytes.Contains(sec, []byte("]]>")) {
				return nil, nil, nil, buf, false
			}
		default: // a nested element, a comment, the end of the input
			return nil, nil, nil, buf, false
		}
		if !xmlText(sec) {
			return nil, nil, nil, buf, false
		}
		switch sections {
		case 0:
			text = sec
		case 1:
			buf = append(append(buf[:0], text...), sec...)
		default:
			buf = append(buf, sec...)
		}
	}
}

// xmlName reports whether b is a plain element name: ASCII letters, digits, '_' and '-', not
// starting with a digit or '-'.
func xmlName(b []byte) bool {
	if len(b) == 0 || b[0] == '-' || b[0] >= '0' && b[0] <= '9' {
		return false
	}
	for _, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// xmlText reports whether b is valid UTF-8 made only of characters XML allows, without '\r'
// (which encoding/xml would normalise).
func xmlText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' {
			return false
		}
	}
	// U+FFFE and U+FFFF are valid UTF-8 but not XML characters.
	return utf8.Valid(b) && !bytes.Contains(b, []byte("\xef\xbf\xbe")) && !bytes.Contains(b, []byte("\xef\xbf\xbf"))
}

// decodeMessage fills the fields of m that the channel reads from a flat XML message. false
// means the document is not flat, has an element this fast path does not know, or a number
// does not parse: encoding/xml must decide.
func decodeMessage(doc []byte, m *message.MixMessage) bool {
	ok := true
	// Numbers read as encoding/xml reads them: empty is zero, anything else is trimmed and
	// must parse (so blanks alone are an error, as there: it tests the length before trimming).
	setInt := func(dst *int64, text []byte) {
		*dst = 0
		if len(text) > 0 {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(text)), 10, 64)
			*dst, ok = n, ok && err == nil
		}
	}
	setFloat := func(dst *float64, text []byte) {
		*dst = 0
		if len(text) > 0 {
			f, err := strconv.ParseFloat(string(bytes.TrimSpace(text)), 64)
			*dst, ok = f, ok && err == nil
		}
	}
	scanned := ScanXML(doc, func(name, text []byte) {
		switch string(name) {
		case "ToUserName":
			m.ToUserName = message.CDATA(text)
		case "FromUserName":
			m.FromUserName = message.CDATA(text)
		case "CreateTime":
			setInt(&m.CreateTime, text)
		case "MsgType":
			m.MsgType = message.MsgType(text)
		case "MsgId":
			setInt(&m.MsgID, text)
		case "MsgID":
			setInt(&m.TemplateMsgID, text)
		case "Content":
			m.Content = string(text)
		case "Recognition":
			m.Recognition = string(text)
		case "MediaId":
			m.MediaID = string(text)
		case "Format":
			m.Format = string(text)
		case "Location_X":
			setFloat(&m.LocationX, text)
		case "Location_Y":
			setFloat(&m.LocationY, text)
		case "Label":
			m.Label = string(text)
		case "Event":
			m.Event = message.EventType(text)
		case "EventKey":
			m.EventKey = string(text)
		case "Status":
			m.Status = string(text)
		case "Scale":
			setFloat(&m.Scale, text)
		case "PicUrl", "ThumbMediaId", "Title", "Description", "Url", "Ticket", "Latitude", "Longitude",
			"Precision", "MenuId", "SessionFrom":
			// strings the channel does not read
		default: // a field this fast path does not know: encoding/xml decides
			ok = false
		}
	})
	return scanned && ok
}

// decodeEnvelope returns the Encrypt field of a flat safe-mode envelope; false: not flat.
func decodeEnvelope(doc []byte) (enc string, ok bool) {
	ok = ScanXML(doc, func(name, text []byte) {
		if string(name) == "Encrypt" {
			enc = string(text)
		}
	})
	return enc, ok
}
