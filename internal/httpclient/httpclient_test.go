package httpclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gitdrift/driftctl/internal/hangserver"
)

// within fails the test when f has not returned after a generous bound: the
// calls here would otherwise hang for ever.
func within(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the call did not return within 30s")
		return nil
	}
}

func TestSilentServerFailsAtTheHeaderDeadline(t *testing.T) {
	t.Parallel()
	srv, err := hangserver.Silent()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := New(Options{ResponseHeader: 200 * time.Millisecond})
	err = within(t, func() error {
		resp, err := c.Get(srv.URL + "/state")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	if err == nil {
		t.Fatal("no error from a server that never answers")
	}
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("error %v is not a timeout", err)
	}
}

func TestTricklingBodyFailsAtTheIdleDeadline(t *testing.T) {
	t.Parallel()
	srv := hangserver.Trickle()
	defer srv.Close()
	c := New(Options{IdleBody: 100 * time.Millisecond})
	err := within(t, func() error {
		resp, err := c.Get(srv.URL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	})
	if !errors.Is(err, ErrIdleBody) {
		t.Fatalf("error %v, want ErrIdleBody", err)
	}
}

func TestTricklingBodyFailsAtTheTotalDeadline(t *testing.T) {
	t.Parallel()
	srv := hangserver.Trickle()
	defer srv.Close()
	// Bytes come more often than the idle deadline: only Total ends it.
	c := New(Options{IdleBody: time.Minute, Total: 1500 * time.Millisecond})
	err := within(t, func() error {
		resp, err := c.Get(srv.URL)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		_, err = io.ReadAll(resp.Body)
		return err
	})
	if err == nil || errors.Is(err, ErrIdleBody) {
		t.Fatalf("error %v, want the client's timeout", err)
	}
}

func TestAnsweringServer(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	defer srv.Close()
	c := New(Options{IdleBody: 50 * time.Millisecond})
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, srv.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// Time the caller spends between Reads is not the server's idleness.
	buf := make([]byte, 2)
	if _, err := io.ReadFull(resp.Body, buf); err != nil {
		t.Fatal(err)
	}
	// The idle timer runs only while a Read waits: it is stopped now.
	b := resp.Body.(*idleBody)
	b.mu.Lock()
	running := b.timer.Stop()
	b.mu.Unlock()
	if running {
		t.Error("the idle timer runs between Reads")
	}
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(buf)+string(rest) != "hello" {
		t.Fatalf("body %q%q, %v", buf, rest, err)
	}
}
