package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/app/outfile"
)

// outputFile is a command's --out FILE and --force: where a document or
// workbook goes, and leave to replace a file that exists.
type outputFile struct {
	path  *string
	force *bool
	ext   string
}

// outFlag adds --out (a file ending in ext) and --force to fs.
func outFlag(fs *cmdFlags, ext string) outputFile {
	return outputFile{
		path:  fs.String("out", "", "the "+ext+" file to write"),
		force: fs.Bool("force", false, "replace the --out file if it exists"),
		ext:   ext,
	}
}

func (o outputFile) options(a *app.App) outfile.Options {
	return outfile.Options{Ext: o.ext, Protect: outfile.DatabaseFiles(a.DBFile()), Overwrite: *o.force}
}

// check refuses a file that may not be written, before any work is done.
func (o outputFile) check(a *app.App) error { return o.refused(outfile.Check(*o.path, o.options(a))) }

// write writes data to the file, whole or not at all.
func (o outputFile) write(a *app.App, data []byte) error {
	return o.refused(outfile.Write(*o.path, data, o.options(a)))
}

func (o outputFile) refused(err error) error {
	if errors.Is(err, outfile.ErrExists) {
		return usageError{fmt.Sprintf("%s exists; add --force to replace it", *o.path)}
	}
	return err
}

// heldOutput keeps a command's output until it has finished: in memory up
// to heldInMemory bytes, then in a temporary file, so that a listing of a
// million orders holds little memory.
type heldOutput struct {
	mem  bytes.Buffer
	file *os.File
	err  error
}

const heldInMemory = 8 << 20

func newHeldOutput() *heldOutput { return &heldOutput{} }

func (h *heldOutput) Write(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	if h.file == nil && h.mem.Len()+len(p) <= heldInMemory {
		return h.mem.Write(p)
	}
	if h.file == nil {
		if h.file, h.err = os.CreateTemp("", "portolan-listing-*"); h.err != nil {
			return 0, h.err
		}
		os.Remove(h.file.Name()) // gone with the file handle, whatever happens
		if _, h.err = h.mem.WriteTo(h.file); h.err != nil {
			return 0, h.err
		}
	}
	n, err := h.file.Write(p)
	h.err = err
	return n, err
}

// writeTo copies the held output to w.
func (h *heldOutput) writeTo(w io.Writer) error {
	if h.err != nil {
		return h.err
	}
	if h.file == nil {
		_, err := h.mem.WriteTo(w)
		return err
	}
	if _, err := h.file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, h.file)
	return err
}

// discard drops what is held.
func (h *heldOutput) discard() {
	if h.file != nil {
		h.file.Close()
	}
}
