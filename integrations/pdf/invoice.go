package pdf

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// InvoiceParty is who issues an invoice.
type InvoiceParty struct {
	Name      string
	Address   domain.Address
	VATNumber string
	Payment   string // how to pay (the seller's): bank, IBAN, … one per line
}

// InvoicePDF writes an invoice or credit note in its currency: seller and
// client (addresses in any script), number, dates, period, every charge and
// the totals with tax. The layout uses ISO dates and currency codes and no
// sentences beyond its labels, so it reads the same to every client.
func InvoicePDF(w io.Writer, inv domain.Invoice, seller InvoiceParty, client domain.Client, paper Paper) error {
	title := "Invoice"
	if inv.Status == domain.InvoiceCredit {
		title = "Credit note"
	}
	number := inv.Number
	if number == "" {
		number = fmt.Sprintf("DRAFT %d", inv.ID)
	}
	d := newDoc(paper, title+" "+number, inv.Date)
	const margin = 15.0
	width := d.w - 2*margin
	money := func(v int64) string { return domain.NewMoney(v, inv.Currency).Decimal() }
	pg := &pages{d: d, margin: margin, top: margin + 6, footer: func(n int) string { return fmt.Sprintf("%s · %d", number, n) }}
	pg.header = func(page int) {
		if page == 1 {
			d.font(18, true)
			d.text(margin, pg.y, width/2, title, "L")
			d.font(9, true)
			d.text(margin+width/2, pg.y-3, width/2, seller.Name, "R")
			d.font(8, false)
			yy := pg.y + 1
			for _, l := range addressLines(seller.Address) {
				d.text(margin+width/2, yy, width/2, l, "R")
				yy += 3.6
			}
			if seller.VATNumber != "" {
				d.text(margin+width/2, yy, width/2, "VAT "+seller.VATNumber, "R")
			}
			pg.y += 26
			d.font(8, true)
			d.text(margin, pg.y, width/2, "Bill to", "L")
			d.font(10, true)
			d.text(margin, pg.y+5, width/2, client.Name, "L")
			d.font(9, false)
			cy := pg.y + 9.5
			for _, l := range addressLines(client.Address)[min(1, len(addressLines(client.Address))):] {
				d.text(margin, cy, width/2, l, "L")
				cy += 4
			}
			if client.VATNumber != "" {
				d.text(margin, cy, width/2, "VAT "+client.VATNumber, "L")
			}
			facts := [][2]string{{"Number", number}, {"Date", day(inv.Date)}, {"Due", day(inv.Due)},
				{"Period", day(inv.PeriodFrom) + " – " + day(inv.PeriodTo.AddDate(0, 0, -1))}, {"Currency", string(inv.Currency)}}
			for i, f := range facts {
				d.font(8, true)
				d.text(margin+width/2, pg.y+5+float64(i)*4.6, width/4, f[0], "L")
				d.font(9, false)
				d.text(margin+width*3/4, pg.y+5+float64(i)*4.6, width/4, f[1], "R")
			}
			pg.y += 36
		}
		d.font(8, true)
		cols := []float64{22, 22, 0, 16, 24, 28}
		cols[2] = width - 112
		d.row(margin, pg.y, cols, []string{"Date", "Type", "Reference", "Qty", "Rate", "Amount"}, 3)
		d.f.Line(margin, pg.y+1.5, margin+width, pg.y+1.5)
	}
	pg.next()
	cols := []float64{22, 22, width - 112, 16, 24, 28}
	for _, l := range inv.Lines {
		if pg.y+6 > d.h-40 {
			pg.next()
		}
		pg.y += 5.5
		d.font(8.5, false)
		rate := domain.NewMoney(l.Rate, l.Currency).Decimal()
		ref := l.Ref
		if per := l.RatePer(); per != "" { // said where there is room
			ref += ", per " + per
		}
		amount := domain.NewMoney(l.Amount, l.Currency).Decimal()
		if l.Currency != inv.Currency {
			amount += " " + string(l.Currency)
		}
		cells := []string{day(l.Date), strings.ReplaceAll(string(l.Type), "_", " "), ref, fmt.Sprint(l.Qty), rate, amount}
		d.row(margin, pg.y, cols, cells, 3)
	}
	if len(inv.Lines) == 0 && inv.Status == domain.InvoiceCredit {
		pg.y += 5.5
		d.font(8.5, false)
		d.text(margin, pg.y, width, fmt.Sprintf("Correction of invoice %d", inv.Corrects), "L")
	}
	pg.y += 4
	d.f.Line(margin+width/2, pg.y, margin+width, pg.y)
	taxRate := ""
	if inv.Net != 0 {
		pct := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%d.%02d", client.TaxBP/100, client.TaxBP%100), "0"), ".")
		taxRate = fmt.Sprintf(" (%s %%)", pct)
	}
	for i, t := range [][2]string{{"Net", money(inv.Net)}, {"Tax" + taxRate, money(inv.Tax)}, {"Total " + string(inv.Currency), money(inv.Gross())}} {
		pg.y += 5.5
		d.font(9, i == 2)
		d.text(margin+width/2, pg.y, width/4, t[0], "L")
		d.text(margin+width*3/4, pg.y, width/4, t[1], "R")
	}
	if inv.FX != "" {
		pg.y += 7
		d.font(8, false)
		d.text(margin, pg.y, width, "Exchange rates: "+inv.FX, "L")
	}
	if seller.Payment != "" && inv.Status != domain.InvoiceCredit {
		pg.y += 8
		if pg.y+4*float64(strings.Count(seller.Payment, "\n")+2) > d.h-14 {
			pg.next()
			pg.y += 6
		}
		d.font(8.5, true)
		text := "Payment"
		if !inv.Due.IsZero() {
			text += " by " + day(inv.Due)
		}
		d.text(margin, pg.y, width, text, "L")
		d.font(8.5, false)
		for _, l := range strings.Split(seller.Payment, "\n") {
			pg.y += 4.2
			d.text(margin, pg.y, width, strings.TrimSpace(l), "L")
		}
	}
	pg.foot()
	return d.output(w)
}

func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format(time.DateOnly)
}
