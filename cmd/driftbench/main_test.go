package main

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestCheckNumbers(t *testing.T) {
	t.Parallel()
	good := options{concurrency: 32, repeat: 3, workers: 16, perFile: 1000, latency: 10 * time.Millisecond}
	if err := good.checkNumbers(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		set  func(*options)
		want string
	}{
		{"concurrency 0", func(o *options) { o.concurrency = 0 }, "-concurrency 0: expected 1 or more"},
		{"repeat -1", func(o *options) { o.repeat = -1 }, "-repeat -1: expected 1 or more"},
		{"seed-workers 0", func(o *options) { o.workers = 0 }, "-seed-workers 0: expected 1 or more"},
		{"per-file 0", func(o *options) { o.perFile = 0 }, "-per-file 0: expected 1 or more"},
		{"parallelism -5", func(o *options) { o.parallelism = -5 }, "-parallelism -5: expected 0 or more"},
		{"api-rate -1", func(o *options) { o.apiRate = -1 }, "-api-rate -1: expected"},
		{"api-rate NaN", func(o *options) { o.apiRate = math.NaN() }, "-api-rate NaN: expected"},
		{"latency -1s", func(o *options) { o.latency = -time.Second }, "-latency -1s: expected 0 or more"},
	}
	for _, tt := range tests {
		o := good
		tt.set(&o)
		if err := o.checkNumbers(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.want)
		}
	}
}
