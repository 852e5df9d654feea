// Package printing sends documents to this computer's printers through
// CUPS, with its own commands: lpstat lists the queues (-e), the default
// (-d) and their states (-p); lp -d QUEUE -o raw sends a label printer's
// ZPL unchanged (issue 17). The commands find the print server as they
// always do (CUPS_SERVER, ~/.cups/client.conf, the local scheduler).
package printing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// CUPS is this computer's print system.
type CUPS struct{}

var _ domain.Printing = CUPS{}

// run runs a CUPS command and returns what it printed, or its complaint in
// words a person can act on.
func run(ctx context.Context, stdin []byte, name string, args ...string) (string, error) {
	if _, err := exec.LookPath(name); err != nil {
		return "", domain.Errorf(domain.EINVALID, "CUPS is not installed on this computer (%s is missing): install its client "+
			"(on Debian or Ubuntu: apt install cups-client) and add the label printer, or print the labels as a PDF", name)
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(cmd.Environ(), "LANG=C", "LC_ALL=C") // its messages in the words parsed below
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	said := strings.TrimSpace(errOut.String() + " " + out.String())
	switch {
	case ctx.Err() != nil:
		return "", domain.Errorf(domain.EINVALID, "the print system did not answer %s within 30 s", name)
	case strings.Contains(said, "scheduler is not running") || strings.Contains(said, "Unable to connect to server"):
		return "", domain.Errorf(domain.EINVALID, "the print system (CUPS) is not running on this computer: start it "+
			"(systemctl start cups), or print the labels as a PDF")
	case err != nil:
		var exit *exec.ExitError
		if errors.As(err, &exit) && said != "" {
			return out.String(), domain.Errorf(domain.EINVALID, "the print system refused: %s", said)
		}
		return out.String(), fmt.Errorf("%s: %w", name, err)
	}
	return out.String(), nil
}

// Printers lists the print queues, the default marked, with their states.
func (CUPS) Printers(ctx context.Context) ([]domain.Printer, error) {
	names, err := run(ctx, nil, "lpstat", "-e")
	if err != nil {
		return nil, err
	}
	var out []domain.Printer
	for _, n := range strings.Fields(names) {
		out = append(out, domain.Printer{Name: n})
	}
	if len(out) == 0 {
		return nil, nil
	}
	def, _ := run(ctx, nil, "lpstat", "-d") // "system default destination: Thermal"
	def = strings.TrimSpace(def)
	if i := strings.LastIndex(def, ": "); strings.HasPrefix(def, "system default destination") && i >= 0 {
		for i2 := range out {
			out[i2].Default = out[i2].Name == strings.TrimSpace(def[i+2:])
		}
	}
	states, _ := run(ctx, nil, "lpstat", "-p") // "printer Thermal is idle.  enabled since …" / "printer Office disabled since …"
	for _, line := range strings.Split(states, "\n") {
		if m := stateLine.FindStringSubmatch(line); m != nil {
			for i := range out {
				if out[i].Name == m[1] {
					out[i].State = strings.TrimSuffix(m[2], ".")
				}
			}
		}
	}
	return out, nil
}

var stateLine = regexp.MustCompile(`^printer (\S+) (?:is )?(\S+)`)

var jobID = regexp.MustCompile(`request id is (\S+)`)

// PrintRaw sends data to the printer's queue unchanged (-o raw): a thermal
// printer takes the ZPL as Portolan wrote it.
func (CUPS) PrintRaw(ctx context.Context, printer, title string, data []byte) (string, error) {
	if strings.TrimSpace(printer) == "" {
		return "", domain.Errorf(domain.EINVALID, "choose the label printer (portolan printers list shows them)")
	}
	out, err := run(ctx, data, "lp", "-d", printer, "-o", "raw", "-t", title)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return "", domain.Errorf(domain.ENOTFOUND, "there is no printer %q on this computer (portolan printers list shows them)", printer)
		}
		return "", err
	}
	if m := jobID.FindStringSubmatch(out); m != nil {
		return m[1], nil
	}
	return "", domain.Errorf(domain.EINVALID, "the print system took the labels but gave no job id: %s", strings.TrimSpace(out))
}
