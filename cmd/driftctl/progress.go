package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gitdrift/driftctl/scan"
)

// progress shows, on one line of stderr, the resources read per type, the
// API calls made and the throttled ones, while a scan runs.
type progress struct {
	w io.Writer
	// live redraws the line as the scan goes (on a terminal); otherwise
	// only the last line is printed, with no control characters.
	live      bool
	mu        sync.Mutex
	types     map[string]int
	failed    int
	calls     atomic.Int64
	throttles atomic.Int64
	stop      chan struct{}
	done      chan struct{}
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, live: isTerminal(w) && redrawAllowed(os.Getenv), types: map[string]int{}, stop: make(chan struct{}), done: make(chan struct{})}
}

// Read records a finished read of a type.
func (p *progress) Read(ev scan.ReadProgress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.types[ev.Type] += ev.Resources
	if ev.Err != nil {
		p.failed++
	}
}

// call records one API request attempt.
func (p *progress) call(_, _, code string) {
	p.calls.Add(1)
	switch code {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "SlowDown", "TooManyRequestsException", "RequestThrottled":
		p.throttles.Add(1)
	}
}

func (p *progress) line() string {
	p.mu.Lock()
	names := make([]string, 0, len(p.types))
	total := 0
	for t, n := range p.types {
		names = append(names, fmt.Sprintf("%s %d", strings.TrimPrefix(t, "aws_"), n))
		total += n
	}
	failed := p.failed
	p.mu.Unlock()
	sort.Strings(names)
	text := fmt.Sprintf("read %d resources", total)
	if len(names) > 0 {
		text += " (" + strings.Join(names, ", ") + ")"
	}
	text += fmt.Sprintf(" | %d API calls, %d throttled", p.calls.Load(), p.throttles.Load())
	if failed > 0 {
		text += fmt.Sprintf(", %d reads failed", failed)
	}
	return text
}

// Start redraws the line until Finish.
func (p *progress) Start() {
	go func() {
		defer close(p.done)
		if !p.live {
			<-p.stop
			fmt.Fprintln(p.w, p.line())
			return
		}
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				fmt.Fprintf(p.w, "\r\x1b[K%s\n", p.line())
				return
			case <-t.C:
				fmt.Fprintf(p.w, "\r\x1b[K%s", p.line())
			}
		}
	}()
}

// Finish prints the last line and ends it.
func (p *progress) Finish() {
	close(p.stop)
	<-p.done
}
