package uikit

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"github.com/portolan/portolan/app/outfile"
)

// prefDocuments is the folder printed documents are saved in.
const prefDocuments = "documents.folder"

// DocumentsFolder is where PDFs are saved: the folder chosen in the
// preferences, else "Portolan documents" in the user's home folder.
func DocumentsFolder() string {
	if a := fyne.CurrentApp(); a != nil {
		if dir := a.Preferences().String(prefDocuments); dir != "" {
			return dir
		}
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "Portolan documents"
	}
	return filepath.Join(home, "Portolan documents")
}

// SetDocumentsFolder remembers the folder documents are saved in.
func SetDocumentsFolder(dir string) {
	if a := fyne.CurrentApp(); a != nil {
		a.Preferences().SetString(prefDocuments, dir)
	}
}

// ConfirmReplace asks the user whether to replace a document of the same
// name in the documents folder. It is called from a background task and
// waits for the answer; the window sets it (unset, nothing is replaced).
var ConfirmReplace func(path string) bool

// SaveDocument writes a document (name ends in .pdf or .xlsx) into the
// documents folder, whole or not at all; a file of that name there is
// replaced only when the user agrees. Call it from a background task.
func SaveDocument(name string, data []byte) (string, error) {
	dir := DocumentsFolder()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", Problemf("create the documents folder %s: %v", dir, err)
	}
	path := filepath.Join(dir, name)
	o := outfile.Options{Ext: filepath.Ext(name)}
	err := outfile.Write(path, data, o)
	if errors.Is(err, outfile.ErrExists) {
		if ConfirmReplace == nil || !ConfirmReplace(path) {
			return "", Problemf("%s is already in the documents folder and was kept; nothing was saved", name)
		}
		o.Overwrite = true
		err = outfile.Write(path, data, o)
	}
	if err != nil {
		return "", Problemf("save %s: %v", path, err)
	}
	return path, nil
}

// openCommand is the system's way to open a file in its viewer.
func openCommand(path string) *exec.Cmd {
	switch runtime.GOOS {
	case "darwin":
		return exec.Command("open", path)
	case "windows":
		return exec.Command("rundll32", "url.dll,FileProtocolHandler", path)
	}
	return exec.Command("xdg-open", path)
}

// OpenDocument opens a saved PDF in the system viewer.
var OpenDocument = func(path string) error {
	cmd := openCommand(path)
	if err := cmd.Start(); err != nil {
		return Problemf("no viewer could open %s (%v); open it from the documents folder", path, err)
	}
	go cmd.Wait()
	return nil
}

// PrintDocument sends a saved PDF to the default printer with the system's
// print command (lp), where there is one.
var PrintDocument = func(path string) error {
	lp, err := exec.LookPath("lp")
	if err != nil {
		return Problemf("this computer has no print command (lp): open the PDF and print it from the viewer")
	}
	if out, err := exec.Command(lp, path).CombinedOutput(); err != nil {
		return Problemf("lp: %v: %s", err, out)
	}
	return nil
}
