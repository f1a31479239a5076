package gitsource

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestBadInput checks that each bad input gives a one-line error naming the
// repository, of the right kind, without any secret.
func TestBadInput(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	root := t.TempDir()
	publish(t, root, repo.work, "infra")
	open := serveGit(t, root, "", "")
	const token, password = "s3cr3t-t0ken-value", "hunter2-password"
	locked := serveGit(t, root, "ci", password)
	withToken := []string{"DRIFTCTL_GIT_TOKEN=" + token, "HOME=/nonexistent"}
	// The URL with credentials in it must show without them.
	lockedURL := strings.Replace(locked.URL, "http://", "http://ci:"+token+"@", 1) + "/infra.git"

	tests := []struct {
		name     string
		location string
		opts     Options
		kind     error
		want     string // the whole message after "git REPO: "
		repo     string
	}{
		{"unknown ref", open.URL + "/infra.git", Options{Ref: "v9"}, ErrRefNotFound, `ref "v9" not found`, open.URL + "/infra.git"},
		{"unknown SHA", open.URL + "/infra.git", Options{Ref: "0123abcd"}, ErrRefNotFound, `ref "0123abcd" not found`, open.URL + "/infra.git"},
		{"path not in tree", open.URL + "/infra.git", Options{Path: "envs/nope"}, ErrPathNotFound, `path "envs/nope" not in commit ` + repo.first[:7], open.URL + "/infra.git"},
		{"path is a file", open.URL + "/infra.git", Options{Path: "README.md"}, ErrPathNotFound, `path "README.md" not in commit ` + repo.first[:7], open.URL + "/infra.git"},
		{"path outside", open.URL + "/infra.git", Options{Path: "../etc"}, ErrPathNotFound, `path "../etc" is outside the repository`, open.URL + "/infra.git"},
		{"repository not found", open.URL + "/nope.git", Options{}, ErrNotFound, "repository not found", open.URL + "/nope.git"},
		{"unreachable host", "http://127.0.0.1:1/infra.git", Options{}, ErrUnreachable, "unreachable: dial tcp 127.0.0.1:1: connect: connection refused", "http://127.0.0.1:1/infra.git"},
		{"wrong token", locked.URL + "/infra.git", Options{Environ: withToken}, ErrAuth, "authentication failed", locked.URL + "/infra.git"},
		{"wrong password in URL", lockedURL, Options{}, ErrAuth, "authentication failed", locked.URL + "/infra.git"},
		{"no credentials", locked.URL + "/infra.git", Options{}, ErrAuth, "authentication required (set DRIFTCTL_GIT_TOKEN, or DRIFTCTL_GIT_USERNAME and DRIFTCTL_GIT_PASSWORD)", locked.URL + "/infra.git"},
		{"unsigned commit", open.URL + "/infra.git", Options{RequireSigned: true, TrustedKeys: testKeys(t).public}, ErrUnsigned, "commit " + repo.first[:7] + " is not signed", open.URL + "/infra.git"},
		{"local unknown ref", repo.work, Options{Ref: "v9"}, ErrRefNotFound, `ref "v9" not found`, repo.work},
		{"local path not in tree", repo.work, Options{Ref: "main", Path: "envs/nope"}, ErrPathNotFound, `path "envs/nope" not in commit ` + repo.first[:7], repo.work},
		{"local path not in working tree", repo.work, Options{Path: "envs/nope"}, ErrPathNotFound, `path "envs/nope" not in the working tree`, repo.work},
		{"not a repository", root, Options{}, ErrNotFound, "not a git repository", root},
		{"ssh without known_hosts", "ssh://git@127.0.0.1:1/infra.git", Options{Environ: []string{"HOME=/nonexistent", "DRIFTCTL_GIT_SSH_KEY=/nonexistent/key"}}, ErrAuth, "known hosts file /nonexistent/.ssh/known_hosts not found (set DRIFTCTL_GIT_KNOWN_HOSTS)", "ssh://127.0.0.1:1/infra.git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			tt.opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			tt.opts.CacheDir = t.TempDir()
			if tt.opts.Environ == nil {
				tt.opts.Environ = quietEnv()
			}
			co, err := Open(context.Background(), tt.location, tt.opts)
			if err == nil {
				co.Close()
				t.Fatalf("Open succeeded")
			}
			msg := err.Error()
			prefix := "git " + tt.repo + ": "
			if !strings.HasPrefix(msg, prefix) || !strings.HasPrefix(msg[len(prefix):], tt.want) {
				t.Errorf("error = %q\nwant   %q", msg, prefix+tt.want)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("error %q is not %v", msg, tt.kind)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Errorf("error has several lines: %q", msg)
			}
			for _, secret := range []string{token, password} {
				if strings.Contains(msg, secret) || strings.Contains(logs.String(), secret) {
					t.Errorf("secret leaked: error %q, logs %q", msg, logs.String())
				}
			}
		})
	}
}

// TestCanceled checks that a canceled context stops Open with a one-line error.
func TestCanceled(t *testing.T) {
	t.Parallel()
	repo := newFixtureRepo(t)
	root := t.TempDir()
	publish(t, root, repo.work, "infra")
	srv := serveGit(t, root, "", "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Open(ctx, srv.URL+"/infra.git", Options{CacheDir: t.TempDir(), Environ: quietEnv()})
	if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "git "+srv.URL+"/infra.git: ") {
		t.Errorf("error = %v, want a canceled error naming the repository", err)
	}
}
