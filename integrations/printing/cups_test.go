package printing_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/printing"
	"github.com/portolan/portolan/integrations/printing/cupstest"
)

// Against a real CUPS scheduler: the queues listed with the default and
// their states, ZPL sent to a raw queue arriving byte for byte, and the
// print system's refusals said in words.
func TestCUPSListsQueuesAndPrintsRaw(t *testing.T) {
	srv := cupstest.Start(t)
	srv.AddPrinter(t, "Thermal", true, true)
	srv.AddPrinter(t, "Office", false, false)
	ctx := context.Background()
	printers, err := printing.CUPS{}.Printers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]domain.Printer{}
	for _, p := range printers {
		got[p.Name] = p
	}
	if len(printers) != 2 || !got["Thermal"].Default || got["Office"].Default || got["Thermal"].State != "idle" {
		t.Fatalf("printers %+v", printers)
	}
	zpl := []byte("^XA^FO50,50^A0N,40,40^FDParcel 1 of SH-1042 — Köln^FS^XZ\n^XA^FDtwo^FS^XZ\n")
	job, err := printing.CUPS{}.PrintRaw(ctx, "Thermal", "SH-1042", zpl)
	if err != nil || !strings.HasPrefix(job, "Thermal-") {
		t.Fatalf("print: %q %v", job, err)
	}
	if out := srv.Printed(t, "Thermal", len(zpl)); !bytes.Equal(out, zpl) {
		t.Errorf("the printer received %q, want %q", out, zpl)
	}
	if _, err := (printing.CUPS{}).PrintRaw(ctx, "Nowhere", "x", zpl); domain.ErrorCode(err) != domain.ENOTFOUND || !strings.Contains(err.Error(), `"Nowhere"`) {
		t.Errorf("an unknown printer: %v", err)
	}
	if _, err := (printing.CUPS{}).PrintRaw(ctx, "", "x", zpl); err == nil || !strings.Contains(err.Error(), "choose the label printer") {
		t.Errorf("no printer: %v", err)
	}
}

// Without the CUPS commands, the user is told what to install.
func TestWithoutCUPS(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := printing.CUPS{}.Printers(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cups-client") || !strings.Contains(err.Error(), "PDF") {
		t.Errorf("without CUPS: %v", err)
	}
}
