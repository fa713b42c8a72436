package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestNLUScripts runs the end-to-end scripts of `weiyin nlu` and `weiyin eval`
// (testdata/script/{nlu,eval}*.txtar).
func TestNLUScripts(t *testing.T) {
	var files []string
	for _, p := range []string{"nlu", "eval"} {
		m, _ := filepath.Glob(filepath.Join("testdata", "script", p+"*.txtar"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no scripts")
	}
	testscript.Run(t, testscript.Params{Files: files, UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != ""})
}
