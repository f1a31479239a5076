package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// treeUsage is what sampling a process tree found.
type treeUsage struct {
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
	// RootCPU and OthersCPU are the CPU time (user and system) of the
	// started process and of the processes below it, when last seen (at
	// most an interval before each exited).
	RootCPU, OthersCPU time.Duration
	// Processes is how many processes the tree had in all, Commands
	// how many of each name (/proc/PID/comm, when last seen: a process
	// is named after its parent until it execs).
	Processes int
	Commands  map[string]int
}

// procSample is what one look at a process found.
type procSample struct {
	hwm  int64
	cpu  time.Duration
	comm string
}

// sampleTree samples the process pid and its descendants every interval
// (from /proc: each process's children, in /proc/PID/task/TID/children,
// its VmRSS and VmHWM, CPU time and name), until the returned function
// is called; that function takes a last sample and returns what was
// found. Outside Linux it finds nothing.
//
// A provider plugin is a grandchild of the process driftbench starts
// (terraform's, or the scanning child's), so wait4's rusage cannot give
// the tree's memory at once (its ru_maxrss is the largest of the process
// and the children it waited for, not their sum).
func sampleTree(pid int, interval time.Duration) func() treeUsage {
	var (
		mu   sync.Mutex
		peak int64
		last = map[int]procSample{}
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		var rss int64
		for _, p := range descendants(pid) {
			cur, s, ok := readProc(p)
			if !ok {
				continue // gone between the listing and the read
			}
			rss += cur
			s.hwm = max(s.hwm, last[p].hwm)
			last[p] = s
		}
		mu.Lock()
		peak = max(peak, rss)
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
	return func() treeUsage {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		u := treeUsage{Peak: peak, Processes: len(last), Commands: map[string]int{}}
		for p, s := range last {
			u.SumHWM += s.hwm
			u.Commands[s.comm]++
			if p == pid {
				u.Root, u.RootCPU = s.hwm, s.cpu
			} else {
				u.Largest = max(u.Largest, s.hwm)
				u.OthersCPU += s.cpu
			}
		}
		return u
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

// readProc reads a process's VmRSS (in bytes), VmHWM, CPU time and
// name; ok is false when the process is gone (or is a zombie, which has
// no memory lines).
func readProc(pid int) (rss int64, s procSample, ok bool) {
	dir := "/proc/" + strconv.Itoa(pid)
	b, err := os.ReadFile(dir + "/status")
	if err != nil {
		return 0, s, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, rest, found := strings.Cut(line, ":")
		if !found {
			continue
		}
		rest = strings.TrimSpace(rest)
		switch name {
		case "Name":
			s.comm = rest
		case "VmRSS", "VmHWM":
			kb, err := strconv.ParseInt(strings.TrimSuffix(rest, " kB"), 10, 64)
			if err != nil {
				continue
			}
			if name == "VmRSS" {
				rss, ok = kb*1024, true
			} else {
				s.hwm = kb * 1024
			}
		}
	}
	s.cpu = cpuTime(pid)
	return rss, s, ok
}

// clockTicks is the unit of /proc/PID/stat's times: USER_HZ, which Linux
// fixes at 100 for user space whatever the kernel's own HZ.
const clockTicks = 100

// cpuTime is a process's user and system time so far (0 when it cannot
// be read): fields 14 and 15 of /proc/PID/stat, counted after the
// command name, which may hold spaces but ends at the last ')'.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:])) // f[0] is field 3, the state
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// findProcess is the first process below pid whose command line holds
// name, or 0.
func findProcess(pid int, name string) int {
	for _, p := range descendants(pid)[1:] {
		if b, err := os.ReadFile("/proc/" + strconv.Itoa(p) + "/cmdline"); err == nil && strings.Contains(string(b), name) {
			return p
		}
	}
	return 0
}
