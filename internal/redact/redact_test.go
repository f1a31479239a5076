package redact

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"http://user:SECRET@127.0.0.1:1/x", "http://user:xxxxx@127.0.0.1:1/x"},
		{"https://SECRET@host/org/infra.git", "https://xxxxx@host/org/infra.git"},
		{"https://host/state?token=SECRET&env=prod", "https://host/state?token=xxxxx&env=prod"},
		{"https://b.s3.amazonaws.com/k?X-Amz-Signature=SECRET&X-Amz-Credential=AKIA%2FSECRET&versionId=3", "https://b.s3.amazonaws.com/k?X-Amz-Signature=xxxxx&X-Amz-Credential=xxxxx&versionId=3"},
		{"https://host/x?api_key=SECRET&Password=SECRET&sig=SECRET&access_token=SECRET", "https://host/x?api_key=xxxxx&Password=xxxxx&sig=xxxxx&access_token=xxxxx"},
		{"https://user:SECRET@host/%zz?token=SECRET", "https://xxxxx@host/%zz?token=xxxxx"},
		{"ssh://git:SECRET@host:2222/org/infra.git", "ssh://git:xxxxx@host:2222/org/infra.git"},
		{"git@host:org/infra.git", "git@host:org/infra.git"},
		{"/srv/state/terraform.tfstate", "/srv/state/terraform.tfstate"},
		{"s3://bucket/key", "s3://bucket/key"},
		{"http://127.0.0.1:9091", "http://127.0.0.1:9091"},
	}
	for _, tt := range tests {
		if got := URL(tt.in); got != tt.want {
			t.Errorf("URL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if strings.Contains(URL(tt.in), "SECRET") {
			t.Errorf("URL(%q) keeps the secret", tt.in)
		}
	}
}

func TestError(t *testing.T) {
	t.Parallel()
	loc := "http://user:SECRET@127.0.0.1:1/x?token=SECRET"
	req, err := http.NewRequest(http.MethodGet, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, uerr := http.DefaultClient.Do(req) // port 1: refused at once
	if uerr == nil {
		t.Skip("something listens on 127.0.0.1:1")
	}
	wrapped := errors.Join(fs.ErrNotExist, uerr)
	got := Error(wrapped, loc)
	if strings.Contains(got.Error(), "SECRET") {
		t.Errorf("error %q keeps the secret", got)
	}
	if !strings.Contains(got.Error(), "user:xxxxx@127.0.0.1:1/x?token=xxxxx") {
		t.Errorf("error %q does not name the redacted URL", got)
	}
	if !errors.Is(got, fs.ErrNotExist) {
		t.Error("the redacted error does not unwrap to the original")
	}
	if Error(nil, loc) != nil {
		t.Error("Error(nil) is not nil")
	}
}

func FuzzURL(f *testing.F) {
	for _, s := range []string{"http://u:SECRET@h/p?token=SECRET", "https://SECRET@h", "h://a@b@c/?key=SECRET#f", "x://%zz@SECRET@h?password=SECRET"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := URL(s)
		if !strings.Contains(s, "://") {
			if got != s {
				t.Errorf("URL(%q) = %q changed what is not a URL", s, got)
			}
			return
		}
		// What stands where userinfo would (between "://" and the last
		// "@" before the path) is only the mask, after a user name.
		_, rest, _ := strings.Cut(got, "://")
		if end := strings.IndexAny(rest, "/?#"); end >= 0 {
			rest = rest[:end]
		}
		at := strings.LastIndex(rest, "@")
		if at < 0 {
			return
		}
		info := rest[:at]
		if info != "" && info != Mask && !strings.HasSuffix(info, ":"+Mask) {
			t.Errorf("URL(%q) = %q shows the userinfo %q", s, got, info)
		}
		if user, _, ok := strings.Cut(info, ":"); ok && strings.Contains(user, "@") {
			t.Errorf("URL(%q) = %q shows the userinfo %q", s, got, info)
		}
	})
}
