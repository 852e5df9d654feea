package files

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/portolan/portolan/domain"
)

// The workbook's contents are domain types (the billing service fills them).
type (
	BillingWorkbook = domain.BillingWorkbook
	WorkbookInvoice = domain.WorkbookInvoice
	WorkbookLine    = domain.WorkbookLine
	WorkbookAgeing  = domain.WorkbookAgeing
	WorkbookRecon   = domain.WorkbookRecon
)

// number is an amount in minor units as the spreadsheet number it is (xlsx
// stores numbers as doubles; this is the nearest double to the exact
// decimal, as Excel itself would store it typed in).
func number(minor int64, c domain.Currency) float64 {
	v, _ := strconv.ParseFloat(domain.NewMoney(minor, c).Decimal(), 64)
	return v
}

type styles struct {
	f        *excelize.File
	money    map[domain.Currency]int
	date     int
	header   int
	title    int
	bold     int
	integers int
}

func (s *styles) moneyStyle(c domain.Currency) (int, error) {
	if id, ok := s.money[c]; ok {
		return id, nil
	}
	format := "#,##0"
	if e := c.Exponent(); e > 0 {
		format += "." + strings.Repeat("0", e)
	}
	format += ` "` + string(c) + `"`
	id, err := s.f.NewStyle(&excelize.Style{CustomNumFmt: &format})
	if err != nil {
		return 0, err
	}
	s.money[c] = id
	return id, nil
}

func newStyles(f *excelize.File) (*styles, error) {
	s := &styles{f: f, money: map[domain.Currency]int{}}
	var err error
	dateFmt := "yyyy-mm-dd"
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		return nil, err
	}
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Color: []string{"DDE4EE"}, Pattern: 1}}); err != nil {
		return nil, err
	}
	if s.title, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}}); err != nil {
		return nil, err
	}
	if s.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		return nil, err
	}
	intFmt := "#,##0"
	if s.integers, err = f.NewStyle(&excelize.Style{CustomNumFmt: &intFmt}); err != nil {
		return nil, err
	}
	return s, nil
}

// Sheet names.
const (
	SheetSummary = "Summary"
	SheetLines   = "Lines"
	SheetAgeing  = "AR ageing"
	SheetCarrier = "Carrier reconciliation"
)

// WriteBillingWorkbook writes the workbook: text from outside data (names,
// references, tracking numbers) always as text, never as a formula; money
// as numbers in each currency's format; dates as dates; frozen header rows,
// filters and column widths on every sheet; totals as live formulas. The
// Lines sheet is streamed, so 200,000 charges need little memory.
func WriteBillingWorkbook(w io.Writer, b BillingWorkbook) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		return err
	}
	for _, name := range []string{SheetLines, SheetAgeing, SheetCarrier} {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
	}
	title := func(sheet, what string) error {
		if err := f.SetCellStr(sheet, "A1", fmt.Sprintf("%s — %s", b.Company, what)); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, "A1", "A1", st.title); err != nil {
			return err
		}
		return f.SetCellStr(sheet, "A2", fmt.Sprintf("Period %s · generated %s", b.Period, b.Generated.UTC().Format("2006-01-02 15:04 UTC")))
	}
	if err := writeSummary(f, st, b, title); err != nil {
		return err
	}
	if err := writeAgeing(f, st, b, title); err != nil {
		return err
	}
	if err := writeCarrier(f, st, b, title); err != nil {
		return err
	}
	if err := writeLines(f, st, b); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// headerRow writes a header row at row 4 with widths, freezes what is above
// row 5 and filters the table below.
func headerRow(f *excelize.File, st *styles, sheet string, heads []string, widths []float64, lastRow int) error {
	for i, h := range heads {
		cell, _ := excelize.CoordinatesToCellName(i+1, 4)
		if err := f.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, widths[i]); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(heads), 4)
	if err := f.SetCellStyle(sheet, "A4", last, st.header); err != nil {
		return err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	end, _ := excelize.CoordinatesToCellName(len(heads), max(lastRow, 5))
	return f.AutoFilter(sheet, "A4:"+end, nil)
}

func writeSummary(f *excelize.File, st *styles, b BillingWorkbook, title func(string, string) error) error {
	sh := SheetSummary
	if err := title(sh, "invoices"); err != nil {
		return err
	}
	heads := []string{"Client", "Invoice", "Status", "Currency", "Net", "Tax", "Gross", "Paid", "Open", "Issued by"}
	row := 5
	currencies := map[domain.Currency]bool{}
	var order []domain.Currency
	for _, inv := range b.Invoices {
		r := strconv.Itoa(row)
		for col, v := range []string{inv.Client, inv.Number, inv.Status, string(inv.Currency)} {
			cell, _ := excelize.CoordinatesToCellName(col+1, row)
			if err := f.SetCellStr(sh, cell, v); err != nil {
				return err
			}
		}
		if err := f.SetCellStr(sh, "J"+r, inv.IssuedBy); err != nil {
			return err
		}
		ms, err := st.moneyStyle(inv.Currency)
		if err != nil {
			return err
		}
		for col, v := range map[string]int64{"E": inv.Net, "F": inv.Tax, "H": inv.Paid} {
			if err := f.SetCellFloat(sh, col+r, number(v, inv.Currency), -1, 64); err != nil {
				return err
			}
		}
		if err := f.SetCellFormula(sh, "G"+r, "E"+r+"+F"+r); err != nil {
			return err
		}
		if err := f.SetCellFormula(sh, "I"+r, "G"+r+"-H"+r); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "E"+r, "I"+r, ms); err != nil {
			return err
		}
		if !currencies[inv.Currency] {
			currencies[inv.Currency] = true
			order = append(order, inv.Currency)
		}
		row++
	}
	last := row - 1
	if err := headerRow(f, st, sh, heads, []float64{34, 18, 12, 10, 16, 14, 16, 16, 16, 18}, last); err != nil {
		return err
	}
	// Totals per currency, live: SUMIF over the currency column.
	row++
	for _, c := range order {
		r := strconv.Itoa(row)
		if err := f.SetCellStr(sh, "A"+r, "Total "+string(c)); err != nil {
			return err
		}
		if err := f.SetCellStr(sh, "D"+r, string(c)); err != nil {
			return err
		}
		for _, col := range []string{"E", "F", "G", "H", "I"} {
			formula := fmt.Sprintf(`SUMIF($D$5:$D$%d,"%s",%s5:%s%d)`, max(last, 5), c, col, col, max(last, 5))
			if err := f.SetCellFormula(sh, col+r, formula); err != nil {
				return err
			}
		}
		ms, err := st.moneyStyle(c)
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "E"+r, "I"+r, ms); err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "A"+r, "D"+r, st.bold); err != nil {
			return err
		}
		row++
	}
	return nil
}

func writeAgeing(f *excelize.File, st *styles, b BillingWorkbook, title func(string, string) error) error {
	sh := SheetAgeing
	if err := title(sh, "receivables by age (days past due)"); err != nil {
		return err
	}
	heads := append([]string{"Client", "Currency"}, domain.AgeBuckets...)
	heads = append(heads, "Total")
	row := 5
	for _, a := range b.Ageing {
		r := strconv.Itoa(row)
		if err := f.SetCellStr(sh, "A"+r, a.Client); err != nil {
			return err
		}
		if err := f.SetCellStr(sh, "B"+r, string(a.Currency)); err != nil {
			return err
		}
		for i, v := range a.Buckets {
			col, _ := excelize.ColumnNumberToName(3 + i)
			if err := f.SetCellFloat(sh, col+r, number(v, a.Currency), -1, 64); err != nil {
				return err
			}
		}
		if err := f.SetCellFormula(sh, "G"+r, "SUM(C"+r+":F"+r+")"); err != nil {
			return err
		}
		ms, err := st.moneyStyle(a.Currency)
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "C"+r, "G"+r, ms); err != nil {
			return err
		}
		row++
	}
	return headerRow(f, st, sh, heads, []float64{34, 10, 16, 16, 16, 16, 18}, row-1)
}

func writeCarrier(f *excelize.File, st *styles, b BillingWorkbook, title func(string, string) error) error {
	sh := SheetCarrier
	if err := title(sh, "carrier invoices against expected costs"); err != nil {
		return err
	}
	heads := []string{"Carrier", "Result", "Tracking number", "Order", "Currency", "Charged", "Expected", "Difference"}
	row := 5
	for _, c := range b.Carrier {
		r := strconv.Itoa(row)
		for col, v := range []string{c.Carrier, strings.ReplaceAll(c.Class, "_", " "), c.Tracking, c.Order, string(c.Currency)} {
			cell, _ := excelize.CoordinatesToCellName(col+1, row)
			if err := f.SetCellStr(sh, cell, v); err != nil {
				return err
			}
		}
		for col, v := range map[string]int64{"F": c.Charged, "G": c.Expected} {
			if err := f.SetCellFloat(sh, col+r, number(v, c.Currency), -1, 64); err != nil {
				return err
			}
		}
		if err := f.SetCellFormula(sh, "H"+r, "F"+r+"-G"+r); err != nil {
			return err
		}
		ms, err := st.moneyStyle(c.Currency)
		if err != nil {
			return err
		}
		if err := f.SetCellStyle(sh, "F"+r, "H"+r, ms); err != nil {
			return err
		}
		row++
	}
	return headerRow(f, st, sh, heads, []float64{14, 12, 26, 16, 10, 14, 14, 14}, row-1)
}

// ratePer is the Rate per column's text: what the rate is for.
func ratePer(per string) string {
	if per == "" {
		return "each"
	}
	return per
}

// writeLines streams every charge: a table (with its filter buttons) from
// row 4, the header frozen.
func writeLines(f *excelize.File, st *styles, b BillingWorkbook) error {
	sw, err := f.NewStreamWriter(SheetLines)
	if err != nil {
		return err
	}
	for i, wd := range []float64{12, 30, 16, 12, 44, 10, 14, 16, 10, 18} {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 4, TopLeftCell: "A5", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: b.Company + " — charges"}}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", []any{fmt.Sprintf("Period %s · generated %s", b.Period, b.Generated.UTC().Format("2006-01-02 15:04 UTC"))}); err != nil {
		return err
	}
	heads := []string{"Date", "Client", "Invoice", "Type", "Reference", "Quantity", "Rate", "Amount", "Currency", "Rate per"}
	hr := make([]any, len(heads))
	for i, h := range heads {
		hr[i] = excelize.Cell{StyleID: st.header, Value: h}
	}
	if err := sw.SetRow("A4", hr); err != nil {
		return err
	}
	row := 5
	if b.Lines != nil {
		err := b.Lines(func(l WorkbookLine) error {
			ms, err := st.moneyStyle(l.Currency)
			if err != nil {
				return err
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			// Strings from outside data are written as strings: never formulas.
			if err := sw.SetRow(cell, []any{
				excelize.Cell{StyleID: st.date, Value: l.Date},
				l.Client, l.Invoice, l.Type, l.Reference,
				excelize.Cell{StyleID: st.integers, Value: l.Qty},
				excelize.Cell{StyleID: ms, Value: number(l.Rate, l.Currency)},
				excelize.Cell{StyleID: ms, Value: number(l.Amount, l.Currency)},
				string(l.Currency), ratePer(l.RatePer),
			}); err != nil {
				return err
			}
			row++
			if b.Progress != nil && row%5000 == 0 {
				b.Progress(row - 5)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	last := max(row-1, 5)
	if err := sw.AddTable(&excelize.Table{Range: fmt.Sprintf("A4:J%d", last), Name: "Charges", StyleName: "TableStyleLight9"}); err != nil {
		return err
	}
	if b.Progress != nil {
		b.Progress(row - 5)
	}
	return sw.Flush()
}
