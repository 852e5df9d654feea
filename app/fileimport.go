package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// ImportPreview is what a file would bring into a channel; see domain.ImportPreview.
type ImportPreview = domain.ImportPreview

// ImportOptions tune reading a file.
type ImportOptions struct {
	Sheet    string               // XLSX sheet; the first when empty
	Mapping  domain.ColumnMapping // nil: the channel's last mapping, else guessed from the headers
	Location *time.Location       // time zone of dates without an offset; UTC when nil
}

// PreviewFile reads a file and checks every row; it writes nothing.
func (s *IntakeService) PreviewFile(ctx context.Context, ch domain.Channel, path string, opts ImportOptions) (ImportPreview, error) {
	t, err := s.readTable(path, opts.Sheet)
	if err != nil {
		return ImportPreview{}, err
	}
	headers, rows := t.Headers, t.Rows
	m := opts.Mapping
	if m == nil {
		saved, err := s.store.ImportMapping(ctx, ch.ID)
		if err != nil {
			return ImportPreview{}, err
		}
		m = domain.GuessMapping(headers)
		for f, h := range saved { // what the user chose last time wins, where the file has that column
			for _, hh := range headers {
				if hh == h {
					m[f] = h
				}
			}
		}
	}
	orders, problems := domain.BuildOrders(headers, rows, m, domain.ImportOptions{Location: opts.Location, Now: s.now()})
	return ImportPreview{Path: path, Headers: headers, Rows: len(rows), Mapping: m, Orders: orders, Problems: problems}, nil
}

// importPage is how many orders one transaction of an import holds.
const importPage = 500

// ImportFile stores the valid orders of a preview into the channel, upserting
// by order id in transactions of 500, quarantines the orders with problems,
// remembers the mapping for the channel's next file, and records the import
// as a run: what the file held against what was stored.
func (s *IntakeService) ImportFile(ctx context.Context, ch domain.Channel, p ImportPreview, progress func(domain.SyncRun)) (domain.SyncRun, error) {
	if missing := p.Mapping.Missing(); len(missing) > 0 {
		return domain.SyncRun{}, domain.Errorf(domain.EINVALID, "map a column to %v before importing", missing)
	}
	rejected := map[string]string{}
	details := map[string][]string{}
	for _, pr := range p.Problems {
		if pr.OrderID == "" {
			continue
		}
		if rejected[pr.OrderID] == "" {
			rejected[pr.OrderID] = pr.String()
		}
		details[pr.OrderID] = append(details[pr.OrderID], pr.String())
	}
	run := domain.SyncRun{ChannelID: ch.ID, Reported: len(p.Orders) + len(rejected)}
	if err := s.store.StartRun(ctx, &run); err != nil {
		return run, err
	}
	var page domain.OrderPage
	for id, reason := range rejected {
		raw := fmt.Sprintf("%s\n%s", p.Path, strings.Join(details[id], "\n"))
		page.Rejected = append(page.Rejected, domain.RejectedOrder{ExternalID: id, Reason: reason, Raw: domain.RawPayload([]byte(raw))})
	}
	for i := 0; i < len(p.Orders) || len(page.Rejected) > 0; i += importPage {
		page.Orders = p.Orders[min(i, len(p.Orders)):min(i+importPage, len(p.Orders))]
		if err := s.store.CommitPage(ctx, &run, ch.Name, page, time.Time{}); err != nil {
			run.Status, run.Error = domain.SyncFailed, err.Error()
			_ = s.store.FinishRun(ctx, &run)
			return run, fmt.Errorf("import %s: %w", p.Path, err)
		}
		page.Rejected = nil
		if progress != nil {
			progress(run)
		}
	}
	run.Status = domain.SyncComplete
	if run.Fetched < run.Reported {
		run.Status, run.Error = domain.SyncGap, fmt.Sprintf("the file held %d orders, %d were read", run.Reported, run.Fetched)
	}
	if err := s.store.FinishRun(ctx, &run); err != nil {
		return run, err
	}
	s.maintainAfter(run)
	return run, s.store.SaveImportMapping(ctx, ch.ID, p.Mapping)
}

// PreviewImport is PreviewFile for the window: the first sheet, dates
// without an offset in the computer's time zone, and the given mapping (nil:
// remembered or guessed).
func (s *IntakeService) PreviewImport(ctx context.Context, ch domain.Channel, path string, mapping domain.ColumnMapping) (domain.ImportPreview, error) {
	return s.PreviewFile(ctx, ch, path, ImportOptions{Mapping: mapping, Location: time.Local})
}
