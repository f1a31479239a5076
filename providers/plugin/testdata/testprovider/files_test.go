package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSameMode(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"644", "0644", true},
		{"0644", "0644", true},
		{"600", "0644", false},
		{"0755", "755", true},
		{"abc", "abc", true},
		{"abc", "0644", false},
	}
	for _, tt := range tests {
		if got := sameMode(tt.a, tt.b); got != tt.want {
			t.Errorf("sameMode(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
	for _, bad := range []string{"", "64", "0888", "01777", "12345"} {
		if _, err := parseMode(bad); err == nil {
			t.Errorf("parseMode(%q) accepted it", bad)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"10MB", 10 << 20}, {"512KB", 512 << 10}, {"1048576", 1 << 20}, {"2MiB", 2 << 20}, {"1G", 1 << 30},
	}
	for _, tt := range tests {
		if got, err := parseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	if _, err := parseSize("lots"); err == nil {
		t.Error(`parseSize("lots") accepted it`)
	}
}

func TestCheckPath(t *testing.T) {
	for _, ok := range []string{"a.txt", "dir/b.txt", ".hidden"} {
		if err := checkPath(ok); err != nil {
			t.Errorf("checkPath(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/etc/passwd", "../x", "..", "a/../b", "a//b", "x.secret", "x.tags"} {
		if err := checkPath(bad); err == nil {
			t.Errorf("checkPath(%q) accepted it", bad)
		}
	}
}

func TestFileStoreRoundTrip(t *testing.T) {
	s := fileStore{root: t.TempDir()}
	secret := "s3cret"
	in := fileObject{Content: "hello", Mode: 0o640, Secret: &secret, Tags: map[string]string{"env": "test"}}
	if err := s.write("a/b.txt", in); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.root, "a", ".b.txt.secret")); err != nil {
		t.Errorf("no secret sidecar: %v", err)
	}
	got, err := s.read("a/b.txt")
	if err != nil || got == nil {
		t.Fatalf("read: %v, %v", got, err)
	}
	if got.Content != "hello" || got.Mode != 0o640 || got.Size != 5 || *got.Secret != secret || got.Tags["env"] != "test" {
		t.Errorf("read back %+v", got)
	}
	// Dropping the secret and the tags removes their sidecars.
	if err := s.write("a/b.txt", fileObject{Content: "x", Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.read("a/b.txt"); got.Secret != nil || got.Tags != nil {
		t.Errorf("sidecars left: %+v", got)
	}
	if err := s.remove("a/b.txt"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.read("a/b.txt"); got != nil || err != nil {
		t.Errorf("after remove: %+v, %v", got, err)
	}
}
