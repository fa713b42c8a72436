package bankapi_test

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPICoversRoutes ensures adapters/bank/openapi.yaml documents every route the server
// registers, and nothing else.
func TestOpenAPICoversRoutes(t *testing.T) {
	src, err := os.ReadFile("server.go")
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, m := range regexp.MustCompile(`HandleFunc\("(GET|POST|DELETE) (/v1/[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		served = append(served, m[1]+" "+m[2])
	}
	spec, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	path := ""
	pathRe := regexp.MustCompile(`^  (/v1/\S*):$`)
	opRe := regexp.MustCompile(`^    (get|post|delete|put|patch):`)
	for _, line := range strings.Split(string(spec), "\n") {
		if m := pathRe.FindStringSubmatch(line); m != nil {
			path = m[1]
		} else if m := opRe.FindStringSubmatch(line); m != nil && path != "" {
			documented = append(documented, strings.ToUpper(m[1])+" "+path)
		} else if line != "" && !strings.HasPrefix(line, "  ") {
			path = ""
		}
	}
	sort.Strings(served)
	sort.Strings(documented)
	if len(served) < 25 || strings.Join(served, "\n") != strings.Join(documented, "\n") {
		t.Errorf("served routes:\n%s\n\ndocumented:\n%s", strings.Join(served, "\n"), strings.Join(documented, "\n"))
	}
}

// TestOpenAPIDeclaresMutualTLS ensures the document says how callers are authenticated: a
// mutualTLS security scheme required by every operation, and the challenge on money requests.
func TestOpenAPIDeclaresMutualTLS(t *testing.T) {
	spec, err := os.ReadFile("../openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"openapi: 3.1", "\nsecurity:\n  - mutualTLS: []\n", "type: mutualTLS", "verification_required", "too_many_codes",
		"challenge: {$ref: \"#/components/schemas/Challenge\"}"} {
		if !strings.Contains(string(spec), want) {
			t.Errorf("openapi.yaml lacks %q", want)
		}
	}
}
