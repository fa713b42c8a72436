package redisstore

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		url    string
		ensure string
		check  func(t *testing.T, c Config)
		err    string // a substring of the error; "" = no error
	}{
		{"redis://127.0.0.1:6379/2", "a standalone URL names the server and database, with short timeouts", func(t *testing.T, c Config) {
			o := c.Standalone
			if o == nil || o.Addr != "127.0.0.1:6379" || o.DB != 2 || o.TLSConfig != nil || o.DialTimeout != defaultDialTimeout || o.ReadTimeout != defaultIOTimeout {
				t.Fatalf("%+v", o)
			}
		}, ""},
		{"rediss://app:s3cret@redis.bank:6380/0?dial_timeout=3s", "rediss means TLS; user, password and go-redis parameters are kept", func(t *testing.T, c Config) {
			o := c.Standalone
			if o.TLSConfig == nil || o.Username != "app" || o.Password != "s3cret" || o.DialTimeout != 3*time.Second {
				t.Fatalf("%+v", o)
			}
		}, ""},
		{"redis-cluster://h1:7000,h2:7001,h3:7002?lease_ttl=5s&session_ttl=48h", "a cluster URL names every seed; the store's own parameters go to Options", func(t *testing.T, c Config) {
			o := c.Cluster
			if o == nil || strings.Join(o.Addrs, " ") != "h1:7000 h2:7001 h3:7002" || o.TLSConfig != nil {
				t.Fatalf("%+v", o)
			}
			if c.Options.LeaseTTL != 5*time.Second || c.Options.SessionTTL != 48*time.Hour {
				t.Fatalf("%+v", c.Options)
			}
		}, ""},
		{"rediss-cluster://u:p@h1:7000,h2:7001", "rediss-cluster is a cluster over TLS with credentials", func(t *testing.T, c Config) {
			if o := c.Cluster; o.TLSConfig == nil || o.Username != "u" || o.Password != "p" || len(o.Addrs) != 2 {
				t.Fatalf("%+v", o)
			}
		}, ""},
		{"http://h:1", "an unknown scheme is refused", nil, "unknown scheme"},
		{"127.0.0.1:6379", "a bare address is refused with the forms that work", nil, "want redis://"},
		{"redis://h:1/0?lease_ttl=soon", "a bad duration is refused", nil, "lease_ttl"},
		{"redis://h:1/0?autopipeline=false&pool_size=5", "autopipeline=false turns batching off and is not passed to go-redis", func(t *testing.T, c Config) {
			if !c.Options.NoAutoPipeline || c.Standalone.PoolSize != 5 {
				t.Fatalf("%+v %+v", c.Options, c.Standalone)
			}
		}, ""},
		{"redis://h:1/0", "batching is on unless turned off; a command is resent once and a dial tried twice (a Redis that is away is reported well within the passive-reply deadline)", func(t *testing.T, c Config) {
			if o := c.Standalone; c.Options.NoAutoPipeline || o.MaxRetries != 1 || o.DialerRetries != 2 {
				t.Fatalf("%+v %+v", c.Options, o)
			}
		}, ""},
		{"redis-cluster://h1:1,h2:2?max_retries=3", "a URL's max_retries is kept", func(t *testing.T, c Config) {
			if o := c.Cluster; o.MaxRetries != 3 || o.DialerRetries != 2 {
				t.Fatalf("%+v", o)
			}
		}, ""},
		{"redis://h:1/0?autopipeline=maybe", "a bad autopipeline value is refused", nil, "autopipeline"},
		{"redis://h:1/0?bogus=1", "an unknown parameter is refused", nil, "bogus"},
		{"redis-cluster://h1:7000,,h2:7001", "an empty seed is refused", nil, "empty seed"},
		{"redis-cluster://h1:7000/3", "a cluster has no database number", nil, "database"},
		{"redis://u:topsecret@h:1/x", "the password never appears in the error", nil, "u:xxxxx@h:1/x"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			t.Log("ensures", tc.ensure)
			c, err := ParseURL(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrURL) || strings.Contains(err.Error(), "topsecret") {
					t.Fatalf("error %v, want ErrURL mentioning %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}
