package gitsource

import (
	"bytes"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// keyPair is an OpenPGP key made for a test.
type keyPair struct {
	entity *openpgp.Entity
	public string // armored public key
}

var (
	keysOnce sync.Once
	keys     [2]keyPair
	keysErr  error
)

// testKeys returns a trusted key; testKeys(t) is the same key for every test.
func testKeys(t *testing.T) keyPair { t.Helper(); return makeKeys(t)[0] }

// otherKey returns a key that is not trusted.
func otherKey(t *testing.T) keyPair { t.Helper(); return makeKeys(t)[1] }

func makeKeys(t *testing.T) [2]keyPair {
	t.Helper()
	keysOnce.Do(func() {
		for i, name := range []string{"Release Signer", "Someone Else"} {
			e, err := openpgp.NewEntity(name, "", "signer@example.com", nil)
			if err != nil {
				keysErr = err
				return
			}
			var buf bytes.Buffer
			w, err := armor.Encode(&buf, openpgp.PublicKeyType, nil)
			if err != nil {
				keysErr = err
				return
			}
			if err := e.Serialize(w); err != nil {
				keysErr = err
				return
			}
			w.Close()
			keys[i] = keyPair{entity: e, public: buf.String()}
		}
	})
	if keysErr != nil {
		t.Fatal(keysErr)
	}
	return keys
}

// TestSignedCommits checks --require-signed against commits signed by the
// trusted key, by another key, and not signed.
func TestSignedCommits(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "signed")
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	commit := func(msg string, key *openpgp.Entity) string {
		t.Helper()
		writeFile(t, dir, "main.tf", "# "+msg+"\n")
		if _, err := wt.Add("main.tf"); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: alice.name, Email: alice.email, When: time.Now()}
		h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, SignKey: key})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.CreateTag(msg, h, nil); err != nil {
			t.Fatal(err)
		}
		return h.String()
	}
	trusted := testKeys(t)
	signed := commit("signed", trusted.entity)
	foreign := commit("foreign", otherKey(t).entity)
	unsigned := commit("unsigned", nil)

	tests := []struct {
		name, ref string
		opts      Options
		signed    bool
		err       string
	}{
		{"signed by trusted key", "signed", Options{RequireSigned: true, TrustedKeys: trusted.public}, true, ""},
		{"signed, not required", "signed", Options{TrustedKeys: trusted.public}, true, ""},
		{"signed by another key", "foreign", Options{RequireSigned: true, TrustedKeys: trusted.public}, false, "commit " + foreign[:7] + " is not signed by a trusted key"},
		{"unsigned", "unsigned", Options{RequireSigned: true, TrustedKeys: trusted.public}, false, "commit " + unsigned[:7] + " is not signed"},
		{"unsigned, not required", "unsigned", Options{TrustedKeys: trusted.public}, false, ""},
		{"no trusted keys", "signed", Options{RequireSigned: true}, false, "commit " + signed[:7] + " cannot be checked: no trusted keys given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, loc := range []string{dir, "file://" + filepath.ToSlash(dir)} {
				opts := tt.opts
				opts.Ref, opts.CacheDir, opts.Environ = tt.ref, t.TempDir(), quietEnv()
				co, err := Open(t.Context(), loc, opts)
				if tt.err != "" {
					if err == nil || !errors.Is(err, ErrUnsigned) || err.Error() != "git "+loc+": "+tt.err {
						t.Errorf("%s: error = %v, want %q", loc, err, tt.err)
					}
					if err == nil {
						co.Close()
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", loc, err)
				}
				if co.Commit.Signed != tt.signed {
					t.Errorf("%s: Signed = %v, want %v", loc, co.Commit.Signed, tt.signed)
				}
				co.Close()
			}
		})
	}

	// A dirty working tree is not a signed commit.
	writeFile(t, dir, "main.tf", "# edited\n")
	_, err = Open(t.Context(), dir, Options{RequireSigned: true, TrustedKeys: trusted.public, Environ: quietEnv()})
	if !errors.Is(err, ErrUnsigned) {
		t.Errorf("dirty tree with RequireSigned: error = %v", err)
	}
}
