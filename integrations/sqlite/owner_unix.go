//go:build !windows

package sqlite

import (
	"errors"
	"syscall"
)

// processAlive says whether a process with that id runs on this computer.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
