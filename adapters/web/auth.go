package web

import (
	"crypto/subtle"
	"fmt"
	"net"
	"net/http"
	"strings"
)

// APIToken is one caller of the chat API: a name, which namespaces the user ids it speaks for,
// and its bearer token.
type APIToken struct {
	Name  string
	Token string
}

// WeChatTokenName is the one token name that speaks for WeChat followers by their openids (a
// bank's own H5 page that verified the openid through WeChat's OAuth). Every other name's user
// ids are namespaced, NAME:ID, so they can never reach a follower's session.
const WeChatTokenName = "wechat"

// ParseTokens reads WEIYIN_API_TOKENS: comma-separated name:token pairs. Names are letters,
// digits, '-' and '_'; names and tokens are unique; a token is at least 16 characters (a
// guessable token would hand out every session of its namespace).
func ParseTokens(s string) ([]APIToken, error) {
	var out []APIToken
	names, tokens := map[string]bool{}, map[string]bool{}
	for i, pair := range strings.Split(s, ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		name, tok, ok := strings.Cut(pair, ":")
		switch {
		case !ok || name == "" || tok == "":
			return nil, fmt.Errorf("WEIYIN_API_TOKENS: pair %d is not name:token", i+1)
		case !tokenName(name):
			return nil, fmt.Errorf("WEIYIN_API_TOKENS: name %q: use letters, digits, '-' and '_'", name)
		case len(tok) < 16:
			return nil, fmt.Errorf("WEIYIN_API_TOKENS: the token of %q is shorter than 16 characters", name)
		case names[name]:
			return nil, fmt.Errorf("WEIYIN_API_TOKENS: name %q twice", name)
		case tokens[tok]:
			return nil, fmt.Errorf("WEIYIN_API_TOKENS: the token of %q is another name's too", name)
		}
		names[name], tokens[tok] = true, true
		out = append(out, APIToken{Name: name, Token: tok})
	}
	return out, nil
}

func tokenName(s string) bool {
	for _, c := range s {
		if !(c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

// caller is who a request speaks for, once authenticated.
type caller struct {
	name string // the token's name; "" without tokens (loopback, sandbox)
}

// userID is the engine user id for the user a request names: the token's namespace, except
// for the wechat token and local testing, which speak for openids as given.
func (c caller) userID(user string) string {
	if c.name == "" || c.name == WeChatTokenName {
		return user
	}
	return c.name + ":" + user
}

// authenticate says who r comes from, or writes the refusal and returns false. With tokens, a
// request needs Authorization: Bearer with one of them (401). Without, only loopback clients
// on the sandbox bank (403): a request that went through a proxy (Forwarded, X-Forwarded-For,
// X-Real-IP) is not local whatever its socket says.
func (c *chat) authenticate(w http.ResponseWriter, r *http.Request) (caller, bool) {
	if len(c.o.Tokens) > 0 {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		got = strings.TrimSpace(got)
		if ok && got != "" {
			for _, t := range c.o.Tokens {
				if subtle.ConstantTimeCompare([]byte(got), []byte(t.Token)) == 1 {
					return caller{name: t.Name}, true
				}
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="weiyin"`)
		WriteError(w, http.StatusUnauthorized, "unauthorized", "send Authorization: Bearer <token> (WEIYIN_API_TOKENS)")
		return caller{}, false
	}
	if !c.o.Sandbox {
		WriteError(w, http.StatusForbidden, "forbidden", "with a real bank the chat API needs WEIYIN_API_TOKENS")
		return caller{}, false
	}
	if !Loopback(r) {
		WriteError(w, http.StatusForbidden, "forbidden", "without WEIYIN_API_TOKENS the chat API answers loopback clients only")
		return caller{}, false
	}
	return caller{}, true
}

// Loopback reports whether r came straight from a loopback address, not through a proxy.
func Loopback(r *http.Request) bool {
	for _, h := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip"} {
		if r.Header.Get(h) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
