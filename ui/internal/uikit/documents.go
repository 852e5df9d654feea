package uikit

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
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

// SaveDocument writes a PDF into the documents folder, whole or not at all.
func SaveDocument(name string, data []byte) (string, error) {
	dir := DocumentsFolder()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", Problemf("create the documents folder %s: %v", dir, err)
	}
	path := filepath.Join(dir, name)
	tmp := path + ".part"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return "", Problemf("save %s: %v", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
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
