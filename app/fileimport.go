package app

import (
	"context"
	"errors"
	"fmt"
	"io"
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

// Order files are read row by row, twice: a first pass notes each order's
// last row, the second builds each order and lets it go at its last row.
// Only the orders whose rows are still to come are held, so a file of
// any size is imported in bounded memory.

// PreviewFile reads a file and checks every row; it writes nothing.
func (s *IntakeService) PreviewFile(ctx context.Context, ch domain.Channel, path string, opts ImportOptions) (ImportPreview, error) {
	p := ImportPreview{Path: path, Location: opts.Location, Mapping: opts.Mapping}
	if p.Location == nil {
		p.Location = time.UTC
	}
	rejected := map[string]bool{}
	err := s.readOrders(ctx, ch, &p, opts.Sheet, func(domain.SourceOrder) error {
		p.Ready++
		return nil
	}, func(pr domain.RowProblem) error {
		if len(p.Problems) < domain.MaxPreviewProblems {
			p.Problems = append(p.Problems, pr)
		}
		p.ProblemCount++
		if pr.OrderID != "" && !rejected[pr.OrderID] {
			rejected[pr.OrderID] = true
			p.Rejected++
		}
		return nil
	})
	return p, err
}

// readOrders reads p.Path: the headers and the mapping (p.Mapping, else the
// channel's remembered one, else guessed) into p, then each valid order to
// emit and each problem to report, as the rows are read.
func (s *IntakeService) readOrders(ctx context.Context, ch domain.Channel, p *ImportPreview, sheet string,
	emit func(domain.SourceOrder) error, report func(domain.RowProblem) error) error {
	t, err := s.openTable(p.Path, sheet)
	if err != nil {
		return err
	}
	defer t.Close()
	p.Headers, p.Sheet = t.Headers(), t.Sheet()
	if p.Mapping == nil {
		saved, err := s.store.ImportMapping(ctx, ch.ID)
		if err != nil {
			return err
		}
		p.Mapping = domain.GuessMapping(p.Headers)
		for f, h := range saved { // what the user chose last time wins, where the file has that column
			for _, hh := range p.Headers {
				if hh == h {
					p.Mapping[f] = h
				}
			}
		}
	}
	var failed error
	a, bad := domain.NewOrderAssembler(p.Headers, p.Mapping, domain.ImportOptions{Location: p.Location, Now: s.now()},
		func(o domain.SourceOrder, _ int) {
			if failed == nil {
				failed = emit(o)
			}
		}, func(pr domain.RowProblem, _ int) {
			if failed == nil {
				failed = report(pr)
			}
		})
	if bad != nil {
		return report(*bad)
	}
	// First pass: each order's last row.
	last := map[string]int{}
	rows := 0
	if err := eachRow(ctx, t, func(n int, row []string) error {
		rows = n - 1
		if id := a.ID(row); id != "" {
			if _, ok := last[id]; !ok {
				id = strings.Clone(id) // not the whole row's line the id is a part of
			}
			last[id] = n
		}
		return nil
	}); err != nil {
		return err
	}
	p.Rows = rows
	// Second pass: the orders, each let go at its last row.
	t2, err := s.openTable(p.Path, p.Sheet)
	if err != nil {
		return err
	}
	defer t2.Close()
	a.Last = last
	if err := eachRow(ctx, t2, func(n int, row []string) error {
		a.Add(n, row)
		return failed
	}); err != nil {
		return err
	}
	a.Finish()
	return failed
}

// eachRow calls fn with every row after the header and its number (the
// header is row 1), stopping at fn's first error or when ctx ends.
func eachRow(ctx context.Context, t domain.TableStream, fn func(n int, row []string) error) error {
	for n := 2; ; n++ {
		row, err := t.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := fn(n, row); err != nil {
			return err
		}
	}
}

// importPage is how many orders one transaction of an import holds.
const importPage = 500

// ImportFile reads the file of a preview again and stores its valid orders
// into the channel, upserting by order id in transactions of 500 as they
// are read; quarantines the orders with problems; remembers the mapping for
// the channel's next file; and records the import as a run: what the file
// held against what was stored.
func (s *IntakeService) ImportFile(ctx context.Context, ch domain.Channel, p ImportPreview, progress func(domain.SyncRun)) (domain.SyncRun, error) {
	if missing := p.Mapping.Missing(); len(missing) > 0 {
		return domain.SyncRun{}, domain.Errorf(domain.EINVALID, "map a column to %v before importing", missing)
	}
	run := domain.SyncRun{ChannelID: ch.ID, Reported: p.Ready + p.Rejected}
	if err := s.store.StartRun(ctx, &run); err != nil {
		return run, err
	}
	var page domain.OrderPage
	details := map[string][]string{} // the problems of the page's rejected orders, by order
	commit := func() error {
		for id, d := range details {
			raw := fmt.Sprintf("%s\n%s", p.Path, strings.Join(d, "\n"))
			page.Rejected = append(page.Rejected, domain.RejectedOrder{ExternalID: id, Reason: d[0], Raw: domain.RawPayload([]byte(raw))})
		}
		if len(page.Orders) == 0 && len(page.Rejected) == 0 {
			return nil
		}
		if err := s.store.CommitPage(ctx, &run, ch.Name, page, time.Time{}); err != nil {
			return err
		}
		page, details = domain.OrderPage{}, map[string][]string{}
		if progress != nil {
			progress(run)
		}
		return nil
	}
	read := p
	err := s.readOrders(ctx, ch, &read, p.Sheet, func(o domain.SourceOrder) error {
		page.Orders = append(page.Orders, o)
		if len(page.Orders) >= importPage {
			return commit()
		}
		return nil
	}, func(pr domain.RowProblem) error {
		if pr.OrderID == "" {
			return nil
		}
		details[pr.OrderID] = append(details[pr.OrderID], pr.String())
		if len(details) >= importPage {
			return commit()
		}
		return nil
	})
	if err == nil {
		err = commit()
	}
	if err != nil {
		run.Status, run.Error = domain.SyncFailed, err.Error()
		_ = s.store.FinishRun(ctx, &run)
		return run, fmt.Errorf("import %s: %w", p.Path, err)
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
