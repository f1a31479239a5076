// Package hangserver starts, for tests, servers on 127.0.0.1 that hang the
// ways real ones do: one that accepts connections and never answers, and
// one that answers its headers at once and then sends its body one byte a
// second, forever.
package hangserver

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// Server is a hanging server; Close ends it and every connection.
type Server struct {
	// Addr is host:port; URL is http://Addr.
	Addr, URL string
	close     func()
}

// Close stops the server and closes its connections.
func (s *Server) Close() { s.close() }

// Silent starts a TCP listener that accepts connections, reads nothing and
// writes nothing: an HTTP request, a Git or SSH handshake on it waits for
// ever unless the client has a deadline.
func Silent() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	addr := ln.Addr().String()
	return &Server{Addr: addr, URL: "http://" + addr, close: func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	}}, nil
}

// Trickle starts an HTTP server that answers every request 200 at once and
// then sends one byte of body a second until the client goes away.
func Trickle() *Server {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-tick.C:
			case <-r.Context().Done():
				return
			case <-stop:
				return
			}
		}
	}))
	return &Server{Addr: srv.Listener.Addr().String(), URL: srv.URL, close: func() {
		close(stop)
		srv.CloseClientConnections()
		srv.Close()
	}}
}
