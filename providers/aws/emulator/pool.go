package emulator

import (
	"context"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// A moto_server costs about 3 seconds of CPU to start (Python imports moto
// and, on the first request, each service's models): a test binary that
// starts one per test spends minutes of a 2-core machine on it. The
// servers a test has finished with are kept and reset for the next test
// of the same binary instead.
//
// The pool is the test binary's, not a value the tests pass around: every
// test package would otherwise need a TestMain to own and close one.
// Servers left in it when the binary exits are killed by the kernel with
// it (Pdeathsig, set by launch).
var pool = struct {
	mu sync.Mutex
	// idle are the servers no test holds, by the moto settings of the
	// environment they were started in (see motoEnv).
	idle map[string][]*Server
}{idle: map[string][]*Server{}}

// maxIdle bounds the servers kept per environment: go test runs
// GOMAXPROCS tests of a package at once, and scripts a few more.
const maxIdle = 4

// launches counts the servers this process started, for tests of the pool.
var launches atomic.Int64

// motoEnv is the part of this process's environment that changes what a
// moto_server started now does (MOTO_IAM_LOAD_MANAGED_POLICIES,
// MOTO_RECORDER_FILEPATH...): a server is only reused under the same.
func motoEnv() string {
	var vars []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MOTO_") {
			vars = append(vars, kv)
		}
	}
	slices.Sort(vars)
	return strings.Join(vars, "\x00")
}

// Acquire returns a moto_server that holds no resources: one a test
// released, reset, or a newly launched one. release gives it back for
// reuse; the caller must not use the server after calling it. A server
// the caller closed is not reused.
func Acquire(ctx context.Context) (s *Server, release func(), err error) {
	key := motoEnv()
	for {
		s = takeIdle(key)
		if s == nil {
			break
		}
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := s.Reset(rctx)
		cancel()
		if err == nil {
			return s, func() { putIdle(key, s) }, nil
		}
		s.Close()
	}
	s, err = Launch(ctx)
	if err != nil {
		return nil, nil, err
	}
	return s, func() { putIdle(key, s) }, nil
}

func takeIdle(key string) *Server {
	pool.mu.Lock()
	defer pool.mu.Unlock()
	for n := len(pool.idle[key]); n > 0; n = len(pool.idle[key]) {
		s := pool.idle[key][n-1]
		pool.idle[key] = pool.idle[key][:n-1]
		if !s.exited() {
			return s
		}
	}
	return nil
}

func putIdle(key string, s *Server) {
	if s.exited() {
		return
	}
	pool.mu.Lock()
	if len(pool.idle[key]) < maxIdle {
		pool.idle[key] = append(pool.idle[key], s)
		s = nil
	}
	pool.mu.Unlock()
	if s != nil {
		s.Close()
	}
}

// exited reports whether the server stopped, by Close or by itself.
func (s *Server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}
