//go:build windows

package sqlite

import "os"

// processAlive says whether a process with that id runs on this computer.
func processAlive(pid int) bool {
	p, err := os.FindProcess(pid) // opens the process on Windows: fails when there is none
	if err != nil {
		return false
	}
	p.Release()
	return true
}
