package cli

import (
	"errors"
	"fmt"

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
	return outfile.Options{Ext: o.ext, Protect: outfile.DatabaseFiles(a.DBPath()), Overwrite: *o.force}
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
