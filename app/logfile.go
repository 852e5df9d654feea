package app

import (
	"fmt"
	"os"
	"path/filepath"
)

// maxLogSize is how large the log grows before it is moved aside to
// portolan.log.1 (one old file is kept).
const maxLogSize = 5 << 20

// OpenLog opens portolan.log in the user's configuration folder for
// appending (readable by the user only): where the details of errors go
// that the window shows in words a user can act on. It returns the file
// and its path; the caller closes it.
func OpenLog() (*os.File, string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return nil, "", fmt.Errorf("find the configuration folder: %w", err)
	}
	dir = filepath.Join(dir, "portolan")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "portolan.log")
	if st, err := os.Stat(path); err == nil && st.Size() > maxLogSize {
		_ = os.Rename(path, path+".1")
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, "", fmt.Errorf("open the log %s: %w", path, err)
	}
	return f, path, nil
}
