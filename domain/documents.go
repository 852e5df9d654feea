package domain

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"
)

// Documents renders Portolan's printed documents as PDF: the pdf adapter
// implements it; the composition root hands it to the services. Paper is
// "A4" or "Letter" for pages, "4x6" or "A6" for labels; a paper it does not
// print on is an EINVALID error.
type Documents interface {
	// PickList is a wave's pick list in walking order, times in loc.
	PickList(w io.Writer, wave Wave, paper string, loc *time.Location) error
	// Job is one PDF for parcels: label, customs papers and packing slip
	// each, dated at; a parcel that fails pre-flight stops it all with a
	// *PreflightError. A parcel with a label bought from its carrier
	// (carrierLabels, by parcel ID, with its file) prints the carrier's.
	Job(w io.Writer, parcels []PackedParcel, labelPaper string, set ShippingSettings, at time.Time, carrierLabels map[int64]Label) error
	// PackingSlip is one parcel's packing slip on set's documents paper.
	PackingSlip(w io.Writer, p PackedParcel, set ShippingSettings) error
	// Manifest is a carrier's manifest of the day.
	Manifest(w io.Writer, m Manifest) error
	// Invoice is an invoice or credit note from seller to client.
	Invoice(w io.Writer, inv Invoice, seller Company, client Client) error
	// WeeklyReport is the weekly operations report, its charts drawn.
	WeeklyReport(w io.Writer, r WeeklyReport) error
}

// NoLabels is the label paper of a print job without labels (Documents):
// the customs papers and packing slips alone, the labels printing on a
// thermal printer.
const NoLabels = "none"

// ThermalLabels writes labels for thermal printers (ZPL): each parcel's
// carrier label where one was bought (carrierLabels, by parcel ID, with its
// file), else Portolan's own.
type ThermalLabels interface {
	Labels(w io.Writer, parcels []PackedParcel, carrierLabels map[int64]Label) error
}

// Printer is a print queue of this computer's print system (CUPS).
type Printer struct {
	Name    string
	Default bool   // the system's default destination
	State   string // "idle", "printing", "disabled"…, as the print system says
}

// Printing sends documents to this computer's printers: a thermal label
// printer's raw queue takes ZPL as it is.
type Printing interface {
	Printers(ctx context.Context) ([]Printer, error)
	// PrintRaw sends data to the printer's queue unchanged, under title;
	// it returns the print system's job id.
	PrintRaw(ctx context.Context, printer, title string, data []byte) (string, error)
}

// PreflightError lists every problem that stopped a print job; nothing was printed.
type PreflightError struct{ Problems []PreflightProblem }

func (e *PreflightError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) before printing; nothing was printed:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// BillingWorkbook is what a month's invoice export holds: a summary per
// invoice, every charge, the receivables' ageing and the carrier
// reconciliation. The spreadsheet adapter writes it (WorkbookWriter).
type BillingWorkbook struct {
	Company   string
	Period    string // "2026-11"
	Generated time.Time
	Invoices  []WorkbookInvoice
	// Lines streams every charge of the period; yield returns an error to stop.
	Lines   func(yield func(WorkbookLine) error) error
	Ageing  []WorkbookAgeing
	Carrier []WorkbookRecon
	// Progress, when set, is told how many lines were written so far.
	Progress func(lines int)
}

// WorkbookWriter writes a billing workbook (.xlsx) to w.
type WorkbookWriter func(w io.Writer, wb BillingWorkbook) error

// WorkbookInvoice is one row of the Summary sheet.
type WorkbookInvoice struct {
	Client, Number, Status string
	Currency               Currency
	Net, Tax, Paid         int64
	IssuedBy               string // who issued it (a draft: who drafted it)
}

// WorkbookLine is one charge on the Lines sheet.
type WorkbookLine struct {
	Date      time.Time
	Client    string
	Invoice   string
	Type      string
	Reference string
	Qty       int64
	Rate      int64
	Amount    int64
	Currency  Currency
	RatePer   string // what the rate is per when not each ("1,000 unit-days", "bin-day")
}

// WorkbookAgeing is one client's open amounts by age.
type WorkbookAgeing struct {
	Client   string
	Currency Currency
	Buckets  [4]int64
}

// WorkbookRecon is one line of a carrier invoice, classified.
type WorkbookRecon struct {
	Carrier, Class, Tracking, Order string
	Currency                        Currency
	Charged, Expected, Diff         int64
}

// Table is a file's table of outside data: its header row and the rows
// under it, as text.
type Table struct {
	Headers []string
	Rows    [][]string
	Sheet   string // the XLSX sheet read; "" for CSV
}

// TableReader reads a CSV or XLSX file (sheet: an XLSX sheet's name, or ""
// for the first) as a Table; the files adapter implements it.
type TableReader func(path, sheet string) (Table, error)

// FXFileReader reads a file of exchange rates (the ECB's XML, CSV, zip or
// a sheet of them).
type FXFileReader func(path string) (FXFile, error)

// TableStream is a table file read row by row: Headers, then Next until
// io.EOF (the slice Next returns is reused by the next call). Close
// releases the file.
type TableStream interface {
	Headers() []string
	Sheet() string
	Next() ([]string, error)
	Close() error
}

// TableOpener opens a CSV or XLSX file (sheet as for TableReader) to be read
// row by row, in bounded memory whatever its size; the files adapter implements it.
type TableOpener func(path, sheet string) (TableStream, error)
