package udiff

import "testing"

func TestDiff(t *testing.T) {
	cases := []struct {
		name, old, new, want string
	}{
		// Ensure equal texts give no diff at all.
		{"equal", "a\nb\n", "a\nb\n", ""},
		// Ensure a changed line in the middle shows with its context and right line numbers.
		{"change", "1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
			"--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"},
		// Ensure an added line at the end counts from the right place.
		{"append", "a\n", "a\nb\n", "--- a\n+++ b\n@@ -1,1 +1,2 @@\n a\n+b\n"},
		// Ensure a missing final newline is marked like diff -u does.
		{"no newline", "a", "a\n", "--- a\n+++ b\n@@ -1,1 +1,1 @@\n-a\n\\ No newline at end of file\n+a\n"},
		// Ensure two distant changes make two hunks.
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
			"--- a\n+++ b\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+Y\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Diff("a", "b", c.old, c.new); got != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}
