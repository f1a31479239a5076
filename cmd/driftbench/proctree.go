package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// treeMemory is what sampling a process tree found.
type treeMemory struct {
	// Peak is the largest sum of the tree's resident memory (VmRSS) seen
	// in one sample: what the run needed of the machine at once. A spike
	// shorter than the sampling interval can be missed.
	Peak int64
	// SumHWM adds up each process's own peak (VmHWM) as last seen: an
	// upper bound of Peak, which misses no spike but counts the peaks of
	// processes that never peaked together.
	SumHWM int64
	// Root is the started process's own peak (its VmHWM when last seen),
	// Largest the largest peak of the processes below it (a provider).
	Root, Largest int64
	// Processes is how many processes the tree had in all, Commands
	// how many of each name (/proc/PID/comm).
	Processes int
	Commands  map[string]int
}

// sampleTree samples the resident memory of the process pid and of its
// descendants every interval (from /proc: each process's children, in
// /proc/PID/task/TID/children, and its VmRSS and VmHWM), until the
// returned function is called; that function takes a last sample and
// returns what was found. Outside Linux it finds nothing.
//
// A provider plugin is a grandchild of the process driftbench starts
// (terraform's, or the scanning child's), so wait4's rusage, which counts
// only the waited-for process, cannot give the tree's memory.
func sampleTree(pid int, interval time.Duration) func() treeMemory {
	var (
		mu   sync.Mutex
		m    treeMemory
		hwms = map[int]int64{}
		comm = map[int]string{}
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var rss int64
		for _, p := range descendants(pid) {
			cur, hwm, ok := memoryOf(p)
			if !ok {
				continue // gone between the listing and the read
			}
			rss += cur
			hwms[p] = max(hwms[p], hwm)
			if _, ok := comm[p]; !ok {
				b, _ := os.ReadFile("/proc/" + strconv.Itoa(p) + "/comm")
				comm[p] = strings.TrimSpace(string(b))
			}
		}
		mu.Lock()
		m.Peak = max(m.Peak, rss)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			sample()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() treeMemory {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		for p, h := range hwms {
			m.SumHWM += h
			if p == pid {
				m.Root = h
			} else {
				m.Largest = max(m.Largest, h)
			}
		}
		m.Processes = len(hwms)
		m.Commands = map[string]int{}
		for _, c := range comm {
			m.Commands[c]++
		}
		return m
	}
}

// descendants lists pid and every process below it.
func descendants(pid int) []int {
	tree := []int{pid}
	for i := 0; i < len(tree); i++ {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(tree[i]) + "/task/*/children")
		for _, f := range tasks {
			b, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, s := range strings.Fields(string(b)) {
				if c, err := strconv.Atoi(s); err == nil {
					tree = append(tree, c)
				}
			}
		}
	}
	return tree
}

// memoryOf reads a process's VmRSS and VmHWM, in bytes; ok is false when
// the process is gone (or is a zombie, which has no memory lines).
func memoryOf(pid int) (rss, hwm int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, found := strings.Cut(line, ":")
		if !found || (name != "VmRSS" && name != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			continue
		}
		if name == "VmRSS" {
			rss, ok = kb*1024, true
		} else {
			hwm = kb * 1024
		}
	}
	return rss, hwm, ok
}
