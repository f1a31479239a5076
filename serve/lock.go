package serve

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gofrs/flock"
)

// ErrDataDirLocked is matched by errors.Is when another driftctl serve
// holds the data directory.
var ErrDataDirLocked = errors.New("the data directory is in use")

// dataDirLock is an exclusive lock on DATA_DIR/lock, held for as long as
// the server runs: two servers writing one directory would overwrite each
// other's records and, with remediate = "auto", both change the cloud.
// The file holds the holder's process ID, for the message the next one
// prints; the lock itself is the flock, which the kernel releases when the
// process ends, however it ends.
type dataDirLock struct {
	fl *flock.Flock
}

// lockDataDir takes the lock of dir, making dir if needed. It fails at once,
// without waiting, when another process (or another Server in this one)
// holds it.
func lockDataDir(dir string) (*dataDirLock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("making the data directory: %w", err)
	}
	path := filepath.Join(dir, "lock")
	fl := flock.New(path, flock.SetFlag(os.O_CREATE|os.O_RDWR))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking the data directory %s: %w", dir, err)
	}
	if !ok {
		holder := ""
		if b, err := os.ReadFile(path); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
				holder = fmt.Sprintf(" by process %d", pid)
			}
		}
		return nil, fmt.Errorf("%w: %s is locked%s (another driftctl serve uses it); give each server its own data_dir", ErrDataDirLocked, dir, holder)
	}
	// The PID is written through another descriptor: the flock is on the
	// file, not on the descriptor that writes.
	if err := os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
		_ = fl.Unlock()
		return nil, fmt.Errorf("locking the data directory %s: %w", dir, err)
	}
	return &dataDirLock{fl: fl}, nil
}

// release lets another server take the directory. A nil lock releases
// nothing.
func (l *dataDirLock) release() {
	if l == nil || l.fl == nil {
		return
	}
	_ = l.fl.Unlock()
	l.fl = nil
}
