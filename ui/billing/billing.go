// Package billing is the window's Billing screen: a month's invoices,
// charges, clients and rate cards, receivables by age, carrier invoices
// reconciled, margins and exchange rates, working through Service, the
// app's BillingService.
package billing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// pageSize is how many charges a page of the Charges table holds.
const pageSize = 200

// Screen is finance's screen: a month's invoices (generate, issue,
// record payments, credit notes, PDF), its charges, the clients with their
// rate cards, receivables by age, carrier invoices reconciled, and the
// month's workbook exported to Excel.
type Screen struct {
	svc    Service
	window fyne.Window
	tasks  uikit.Tasks

	Period   *widget.Select
	Company  *widget.Button // the invoicing company's details
	Generate *widget.Button
	Export   *widget.Button
	Import   *widget.Button
	Result   *widget.Label
	Problem  uikit.ProblemLabel
	Tabs     *container.AppTabs

	Invoices    *widget.Table
	Issue       *widget.Button
	Pay         *widget.Button
	Credit      *widget.Button
	PDF         *widget.Button
	Charges     *widget.Table
	ChargeCount *widget.Label
	ChargeOf    *widget.Select // client filter
	ChargeType  *widget.Select // type filter
	Recompute   *widget.Button // the month's charges priced again
	Clients     *widget.Table
	Cards       *widget.Table
	AddClient   *widget.Button
	AddCard     *widget.Button
	CardInfo    *widget.Label // every price of the selected card
	Ageing      *widget.Table
	Recon       *widget.Table
	AcceptAll   *widget.Button // accept every matched line
	Accept      *widget.Button
	Dispute     *widget.Button
	Payables    *widget.Label
	// FX is the exchange rates tab.
	FX *fxTab
	// Margins is the margins tab.
	Margins *marginsTab
	// LastPath is the last file saved (tests read it).
	LastPath string
	// Mapping is the column choice of the carrier invoice being imported.
	Mapping map[string]*widget.Select
	// mappingHeader is the header behind each column choice.
	mappingHeader map[string]string

	invoices []domain.Invoice
	// NoInvoices explains an empty month.
	NoInvoices *widget.Label
	invoice    int
	charges    *uikit.Pager[domain.Charge]
	nCharges   int
	clients    []domain.Client
	client     int
	cards      []domain.RateCard
	ageing     []domain.AgeingRow
	recon      []domain.CarrierInvoiceLine
	reconRow   int
	payables   []domain.Payable
	names      map[int64]string
	content    fyne.CanvasObject
	// stopAccrual ends the hourly accrual (nil when not running).
	stopAccrual chan struct{}
}

// months offers the last twelve months, newest first.
func months(now time.Time) []string {
	var out []string
	for n := range 12 {
		out = append(out, domain.MonthStart(now, -n).Format("2006-01"))
	}
	return out
}

func amount(v int64, c domain.Currency) string {
	return domain.NewMoney(v, c).Decimal() + " " + string(c)
}

// NewScreen builds the screen; call Reload to fill it.
func NewScreen(svc Service, w fyne.Window) *Screen {
	s := &Screen{svc: svc, window: w, invoice: -1, client: -1, reconRow: -1, names: map[int64]string{}}
	s.Period = widget.NewSelect(months(svc.Now()), nil)
	s.Period.SetSelectedIndex(0)
	s.Company = widget.NewButtonWithIcon("Company…", theme.AccountIcon(), s.CompanyForm)
	s.Generate = widget.NewButtonWithIcon("Generate invoices", theme.DocumentCreateIcon(), s.GenerateInvoices)
	s.Generate.Importance = widget.HighImportance
	s.Export = widget.NewButtonWithIcon("Export to Excel", theme.DownloadIcon(), s.ExportExcel)
	s.Import = widget.NewButtonWithIcon("Import carrier invoice…", theme.UploadIcon(), s.ImportCarrier)
	s.Result = uikit.Wrapped("")
	s.Result.Hide()
	s.Problem = uikit.NewProblemLabel()

	// Invoices.
	type invoice = domain.Invoice
	money := func(title string, of func(domain.Invoice) int64) uikit.Column[invoice] {
		return uikit.Num(title, func(i invoice) string { return amount(of(i), i.Currency) }).Wide(120)
	}
	s.Invoices = uikit.NewListTable(&s.invoices,
		uikit.Col("Number", func(i invoice) string {
			if i.Number == "" {
				return fmt.Sprintf("draft %d", i.ID)
			}
			return i.Number
		}).Wide(130),
		uikit.Col("Client", func(i invoice) string { return i.ClientName }).Wide(250),
		uikit.Marked("Status", func(i invoice, l *widget.Label) {
			switch i.Status {
			case domain.InvoicePaid:
				l.Importance = widget.SuccessImportance
			case domain.InvoiceDraft:
				l.Importance = widget.LowImportance
			case domain.InvoiceIssued, domain.InvoicePartly:
				if !i.Due.IsZero() && s.svc.Now().After(i.Due) {
					l.Importance = widget.DangerImportance
				}
			}
			l.SetText(strings.ReplaceAll(string(i.Status), "_", " "))
		}).Wide(90),
		money("Net", func(i invoice) int64 { return i.Net }),
		money("Tax", func(i invoice) int64 { return i.Tax }).Wide(100),
		money("Gross", invoice.Gross),
		money("Paid", func(i invoice) int64 { return i.Paid }),
		money("Open", invoice.Open),
		uikit.Col("Due", func(i invoice) string {
			if i.Due.IsZero() {
				return "—"
			}
			return i.Due.Format(time.DateOnly)
		}).Wide(95),
		uikit.Col("By", func(i invoice) string { return invoiceBy(i) }).Wide(170))
	s.Invoices.OnSelected = func(id widget.TableCellID) { s.invoice = id.Row; s.enable() }
	s.Issue = widget.NewButtonWithIcon("Issue", theme.ConfirmIcon(), s.IssueSelected)
	s.Pay = widget.NewButtonWithIcon("Record payment…", theme.ContentAddIcon(), s.RecordPayment)
	s.Credit = widget.NewButtonWithIcon("Credit note…", theme.ContentUndoIcon(), s.CreditNote)
	s.PDF = widget.NewButtonWithIcon("Invoice PDF", theme.DocumentPrintIcon(), s.SavePDF)
	s.enable()
	// A month without invoices yet (the current one) says why and where its charges are.
	s.NoInvoices = uikit.Wrapped("")
	s.NoInvoices.Hide()
	invoices := container.NewBorder(s.NoInvoices, container.NewHBox(s.Issue, s.Pay, s.Credit, s.PDF), nil, nil, s.Invoices)

	// Charges, page by page.
	s.charges = uikit.NewPager[domain.Charge](pageSize, &s.tasks)
	s.charges.Loaded = func() { s.Charges.Refresh() }
	s.charges.Failed = func(err error) { s.Problem.Show("charges", err) }
	type charge = domain.Charge
	s.Charges = uikit.NewColumnTable(func() int { return s.nCharges }, s.charges.Row,
		uikit.Col("Date", func(c charge) string { return c.Date.Format(time.DateOnly) }).Wide(95),
		uikit.Col("Client", func(c charge) string { return s.names[c.ClientID] }).Wide(230),
		uikit.Col("Type", func(c charge) string { return string(c.Type) }).Wide(85),
		uikit.Col("Reference", func(c charge) string { return c.Ref }).Wide(300),
		uikit.Num("Qty", func(c charge) string { return strconv.FormatInt(c.Qty, 10) }).Wide(80),
		uikit.Num("Rate", func(c charge) string {
			if per := c.RatePer(); per != "" {
				return domain.NewMoney(c.Rate, c.Currency).Decimal() + " / " + per
			}
			return domain.NewMoney(c.Rate, c.Currency).Decimal()
		}).Wide(190),
		uikit.Num("Amount", func(c charge) string { return amount(c.Amount, c.Currency) }).Wide(120))
	s.ChargeCount = uikit.NewCountLabel()
	s.ChargeOf = widget.NewSelect([]string{"All clients"}, nil)
	s.ChargeOf.SetSelectedIndex(0)
	types := []string{"All types"}
	for _, t := range []domain.ChargeType{domain.ChargeOrder, domain.ChargeLine, domain.ChargeUnit, domain.ChargeParcel, domain.ChargePackaging,
		domain.ChargeShipping, domain.ChargeReceiving, domain.ChargeInbound, domain.ChargeStorage, domain.ChargeMinimum} {
		types = append(types, string(t))
	}
	s.ChargeType = widget.NewSelect(types, nil)
	s.ChargeType.SetSelectedIndex(0)
	s.Recompute = widget.NewButtonWithIcon("Price the month again…", theme.ViewRefreshIcon(), s.ConfirmRecompute)
	charges := container.NewBorder(container.NewGridWithColumns(3, s.ChargeOf, s.ChargeType), container.NewBorder(nil, nil, nil, s.Recompute, s.ChargeCount),
		nil, nil, s.Charges)

	// Clients and rate cards.
	type client = domain.Client
	s.Clients = uikit.NewListTable(&s.clients,
		uikit.Col("Code", func(c client) string { return c.Code }).Wide(100),
		uikit.Col("Name", func(c client) string { return c.Name }).Wide(260),
		uikit.Col("Currency", func(c client) string { return string(c.Currency) }).Wide(70),
		uikit.Col("Tax", func(c client) string { return fmt.Sprintf("%d.%02d %%", c.TaxBP/100, c.TaxBP%100) }).Wide(70),
		uikit.Col("Terms", func(c client) string { return fmt.Sprintf("%d days", c.PaymentDays) }).Wide(70),
		uikit.Col("Billed per", func(c client) string { return c.BillPer }).Wide(80))
	s.Clients.OnSelected = func(id widget.TableCellID) { s.client = id.Row; s.loadCards() }
	s.Cards = newCardsTable(&s.cards)
	s.CardInfo = uikit.Wrapped("")
	s.Cards.OnSelected = func(id widget.TableCellID) { s.showCard(id.Row) }
	s.AddClient = widget.NewButtonWithIcon("Add client…", theme.ContentAddIcon(), func() { s.ClientForm(domain.Client{Currency: "EUR", PaymentDays: 30, BillPer: "period"}) })
	s.AddCard = widget.NewButtonWithIcon("New rate card…", theme.ContentAddIcon(), s.CardForm)
	clientsTab := container.NewVSplit(
		container.NewBorder(nil, container.NewHBox(s.AddClient), nil, nil, s.Clients),
		container.NewBorder(uikit.Heading("Rate cards of the selected client (a card applies from its date; older charges keep older rates)"), container.NewVBox(s.CardInfo, container.NewHBox(s.AddCard)), nil, nil, s.Cards))

	// Ageing and reconciliation.
	type age = domain.AgeingRow
	ageing := []uikit.Column[age]{
		uikit.Col("Client", func(a age) string { return a.Client }).Wide(300),
		uikit.Col("Currency", func(a age) string { return string(a.Currency) }).Wide(80),
	}
	for b, title := range domain.AgeBuckets {
		ageing = append(ageing, uikit.Num(title, func(a age) string { return domain.NewMoney(a.Buckets[b], a.Currency).Decimal() }).Wide(130))
	}
	s.Ageing = uikit.NewListTable(&s.ageing, ageing...)
	type line = domain.CarrierInvoiceLine
	lineMoney := func(title string, of func(line) int64) uikit.Column[line] {
		return uikit.Num(title, func(r line) string {
			cur := r.Charged.Currency
			if cur == "" {
				cur = r.Expected.Currency
			}
			return amount(of(r), cur)
		}).Wide(120)
	}
	s.Recon = uikit.NewListTable(&s.recon,
		uikit.Col("Carrier", func(r line) string { return r.Carrier }).Wide(70),
		uikit.Marked("Result", func(r line, l *widget.Label) {
			if r.Class != domain.ReconMatched {
				l.Importance = widget.DangerImportance
			}
			l.SetText(strings.ReplaceAll(string(r.Class), "_", " "))
		}).Wide(80),
		uikit.Col("Tracking", func(r line) string { return r.Tracking }).Wide(200),
		uikit.Col("Order", func(r line) string { return r.Order }).Wide(110),
		lineMoney("Charged", func(r line) int64 { return r.Charged.Amount }),
		lineMoney("Expected", func(r line) int64 { return r.Expected.Amount }),
		lineMoney("Difference", func(r line) int64 { return r.Diff }),
		uikit.Col("State", func(r line) string { return r.State }).Wide(90))
	s.Recon.OnSelected = func(id widget.TableCellID) { s.reconRow = id.Row }
	s.AcceptAll = widget.NewButtonWithIcon("Accept every matched line", theme.ConfirmIcon(), func() { s.SetLines(domain.ReconMatched, nil, "accepted") })
	s.Accept = widget.NewButtonWithIcon("Accept selected", theme.ConfirmIcon(), func() { s.setSelected("accepted") })
	s.Dispute = widget.NewButtonWithIcon("Dispute selected", theme.WarningIcon(), func() { s.setSelected("disputed") })
	s.Payables = uikit.Wrapped("")
	s.FX = newFXTab(s)
	s.Margins = newMarginsTab(s)
	recon := container.NewBorder(nil, container.NewVBox(s.Payables, container.NewHBox(s.AcceptAll, s.Accept, s.Dispute)), nil, nil, s.Recon)

	s.Tabs = container.NewAppTabs(
		container.NewTabItem("Invoices", invoices),
		container.NewTabItem("Charges", charges),
		container.NewTabItem("Clients and rate cards", clientsTab),
		container.NewTabItem("AR ageing", s.Ageing),
		container.NewTabItem("Carrier reconciliation", recon),
		container.NewTabItem("Margins", s.Margins.content),
		container.NewTabItem("Exchange rates", s.FX.content),
	)
	top := container.NewBorder(nil, nil, container.NewHBox(uikit.Heading("Month"), s.Period),
		container.NewHBox(s.Company, s.Generate, s.Export, s.Import), nil)
	s.content = container.NewBorder(container.NewVBox(top, s.Problem.Label, s.Result), nil, nil, nil, s.Tabs)
	s.Period.OnChanged = func(string) { s.Reload() }
	s.ChargeOf.OnChanged = func(string) { s.loadCharges() }
	s.ChargeType.OnChanged = func(string) { s.loadCharges() }
	return s
}

// Content is the screen's root object.
func (s *Screen) Content() fyne.CanvasObject { return s.content }

// StartAccrual takes the daily storage snapshot (and charges anything that
// left or arrived without being charged) now and every hour while the
// window is open; StopAccrual ends it.
func (s *Screen) StartAccrual() {
	if s.stopAccrual != nil {
		return
	}
	stop := make(chan struct{})
	s.stopAccrual = stop
	s.tasks.Run(func() func() {
		s.svc.AccrueToday(context.Background())
		return s.Reload
	})
	uikit.Every(time.Hour, stop, func() { s.svc.AccrueToday(context.Background()) })
}

// StopAccrual ends the hourly accrual.
func (s *Screen) StopAccrual() {
	if s.stopAccrual != nil {
		close(s.stopAccrual)
		s.stopAccrual = nil
	}
}

// Wait blocks until background work has been applied (tests).
func (s *Screen) Wait() { s.tasks.Wait() }

// FocusSearch puts the keyboard on the month.
func (s *Screen) FocusSearch() {}

func (s *Screen) enable() {
	ok := s.invoice >= 0 && s.invoice < len(s.invoices)
	var inv domain.Invoice
	if ok {
		inv = s.invoices[s.invoice]
	}
	issued := ok && inv.Number != "" && inv.Status != domain.InvoiceCredit
	uikit.SetEnabled(ok, s.PDF)
	uikit.SetEnabled(ok && inv.Number == "", s.Issue)
	uikit.SetEnabled(issued, s.Credit)
	uikit.SetEnabled(issued && inv.Open() > 0, s.Pay)
}

func (s *Screen) done(msg string) {
	s.Problem.Hide()
	s.Result.Importance = widget.SuccessImportance
	s.Result.SetText(msg)
	s.Result.Show()
}

// Reload reads the month's invoices, charges, clients, ageing and reconciliation.
func (s *Screen) Reload() {
	period := s.Period.Selected
	s.tasks.Load(s.Problem, "billing", func(ctx context.Context) (func(), error) {
		invs, err := s.svc.Invoices(ctx, period)
		var clients []domain.Client
		var ageing []domain.AgeingRow
		var recon []domain.CarrierInvoiceLine
		if err == nil {
			clients, err = s.svc.Clients(ctx)
		}
		if err == nil {
			ageing, err = s.svc.AgeingAt(ctx, s.svc.Now())
		}
		if err == nil {
			recon, err = s.svc.CarrierLines(ctx, period)
		}
		var payables []domain.Payable
		if err == nil {
			payables, err = s.svc.Payables(ctx, period)
		}
		return func() {
			s.invoices, s.clients, s.ageing, s.recon, s.payables = invs, clients, ageing, recon, payables
			if len(invs) == 0 {
				s.NoInvoices.SetText(fmt.Sprintf("No invoices for %s yet. Its charges accrue as parcels leave and stock is stored: "+
					"see the Charges tab. Generate invoices drafts them (usually the morning after the month ends).", period))
				s.NoInvoices.Show()
			} else {
				s.NoInvoices.Hide()
			}
			s.showPayables()
			s.names = map[int64]string{}
			for _, c := range clients {
				s.names[c.ID] = c.Name
			}
			s.invoice = -1
			s.Invoices.UnselectAll()
			s.enable()
			opts := []string{"All clients"}
			for _, c := range clients {
				opts = append(opts, c.Code+" — "+c.Name)
			}
			s.ChargeOf.Options = opts
			s.ChargeOf.Refresh()
			s.loadCharges()
			for _, t := range []*widget.Table{s.Invoices, s.Charges, s.Clients, s.Ageing, s.Recon} {
				t.Refresh()
			}
			if s.client >= 0 {
				s.loadCards()
			}
			s.FX.Reload(period)
			s.Margins.Reload(period)
		}, err
	})
}

func (s *Screen) loadCards() {
	if s.client < 0 || s.client >= len(s.clients) {
		return
	}
	id := s.clients[s.client].ID
	s.tasks.Load(s.Problem, "rate cards", func(ctx context.Context) (func(), error) {
		cards, err := s.svc.RateCards(ctx, id)
		return func() {
			s.cards = cards
			s.Cards.UnselectAll()
			s.CardInfo.SetText("")
			if len(cards) > 0 {
				s.showCard(len(cards) - 1)
			}
			s.Cards.Refresh()
		}, err
	})
}

// busy shows a moving bar while a long piece of work runs (with Cancel
// when cancel is not nil); the function it returns takes it away.
func (s *Screen) busy(title, text string, cancel func()) func() {
	items := []fyne.CanvasObject{widget.NewLabel(text), widget.NewProgressBarInfinite()}
	if cancel != nil {
		items = append(items, container.NewCenter(widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), cancel)))
	}
	d := dialog.NewCustomWithoutButtons(title, container.NewVBox(items...), s.window)
	d.Resize(fyne.NewSize(460, 0))
	d.Show()
	return d.Hide
}

// GenerateInvoices charges the month's shipped orders and drafts its
// invoices, with a moving bar and Cancel (what was charged stays charged;
// drafts not made yet are made the next time).
func (s *Screen) GenerateInvoices() {
	period := s.Period.Selected
	ctx, cancel := context.WithCancel(context.Background())
	hide := s.busy("Generate invoices", "Charging "+period+"'s orders and drafting its invoices…", cancel)
	s.tasks.Run(func() func() {
		invs, problems, err := s.svc.Generate(ctx, period, 0)
		cancel()
		return func() {
			hide()
			if errors.Is(err, context.Canceled) {
				s.Problem.Show("generate", uikit.Problem("cancelled: the drafts not made yet are made the next time"))
				s.Reload()
				return
			}
			if err != nil {
				s.Problem.Show("generate", err)
				return
			}
			msg := fmt.Sprintf("%d draft invoice(s) for %s. Issue each one to number it.", len(invs), period)
			s.done(msg)
			if len(problems) > 0 {
				s.Problem.Show("generate", uikit.Problem(strings.Join(problems, "\n")))
			}
			s.Reload()
		}
	})
}

// ConfirmRecompute asks before the month is priced again.
func (s *Screen) ConfirmRecompute() {
	period := s.Period.Selected
	dialog.ShowConfirm("Price "+period+" again?", "Charges of "+period+" not on an issued invoice are worked out again from the rate cards "+
		"in force on their dates (after a rate change, or a card added late). Drafts are made again with Generate invoices; issued invoices never change.",
		func(ok bool) {
			if ok {
				s.RecomputeMonth()
			}
		}, s.window)
}

// RecomputeMonth prices the month's unbilled charges again.
func (s *Screen) RecomputeMonth() {
	period := s.Period.Selected
	// No Cancel: the month's unbilled charges are dropped before they are
	// worked out again, and stopping between the two would leave them out.
	hide := s.busy("Price the month again", "Working out "+period+"'s charges again from the rate cards (a few seconds per 10,000 orders)…", nil)
	s.tasks.Run(func() func() {
		n, problems, err := s.svc.Recompute(context.Background(), period)
		return func() {
			hide()
			if err != nil {
				s.Problem.Show("recompute", err)
				return
			}
			s.done(fmt.Sprintf("%s priced again: %d charge(s). Generate invoices to draft them.", period, n))
			if len(problems) > 0 {
				s.Problem.Show("recompute", uikit.Problem(strings.Join(problems, "\n")))
			}
			s.Reload()
		}
	})
}

func (s *Screen) selected() (domain.Invoice, bool) {
	if s.invoice < 0 || s.invoice >= len(s.invoices) {
		return domain.Invoice{}, false
	}
	return s.invoices[s.invoice], true
}

// IssueSelected numbers and dates the selected draft.
func (s *Screen) IssueSelected() {
	inv, ok := s.selected()
	if !ok {
		return
	}
	s.tasks.Load(s.Problem, "issue", func(ctx context.Context) (func(), error) {
		issued, err := s.svc.Issue(ctx, inv.ID)
		return func() {
			s.done(fmt.Sprintf("Issued %s to %s: %s, due %s.", issued.Number, issued.ClientName, amount(issued.Gross(), issued.Currency),
				issued.Due.Format(time.DateOnly)))
			s.Reload()
		}, err
	})
}

// RecordPayment asks for a payment against the selected invoice.
func (s *Screen) RecordPayment() {
	inv, ok := s.selected()
	if !ok {
		return
	}
	amt := widget.NewEntry()
	amt.SetText(domain.NewMoney(inv.Open(), inv.Currency).Decimal())
	cur := widget.NewEntry()
	cur.SetText(string(inv.Currency))
	day := widget.NewEntry()
	day.SetText(s.svc.Now().Local().Format(time.DateOnly))
	form := []*widget.FormItem{widget.NewFormItem("Amount", amt), widget.NewFormItem("Currency", cur), widget.NewFormItem("Received on", day)}
	dialog.ShowForm("Payment for "+inv.Number, "Record", "Cancel", form, func(ok bool) {
		if ok {
			s.SavePayment(inv.ID, amt.Text, cur.Text, day.Text)
		}
	}, s.window)
}

// SavePayment records a payment typed in.
func (s *Screen) SavePayment(invoiceID int64, amountText, currency, dayText string) {
	c := domain.Currency(strings.ToUpper(strings.TrimSpace(currency)))
	m, err := domain.ParseMoney(amountText, c)
	if err != nil {
		s.Problem.Show("payment", err)
		return
	}
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(dayText))
	if err != nil {
		s.Problem.Show("payment", uikit.Problemf("the day %q is not a date like 2026-12-05", dayText))
		return
	}
	s.tasks.Load(s.Problem, "payment", func(ctx context.Context) (func(), error) {
		p, err := s.svc.RecordPayment(ctx, invoiceID, m, d, "")
		return func() {
			msg := fmt.Sprintf("Payment of %s recorded.", m)
			if p.ExchangeDiff != 0 {
				msg += fmt.Sprintf(" Exchange difference: %d minor units.", p.ExchangeDiff)
			}
			s.done(msg)
			s.Reload()
		}, err
	})
}

// CreditNote asks for the net amount to credit on the selected invoice.
func (s *Screen) CreditNote() {
	inv, ok := s.selected()
	if !ok {
		return
	}
	amt := widget.NewEntry()
	amt.SetText(domain.NewMoney(inv.Net, inv.Currency).Decimal())
	reason := widget.NewEntry()
	dialog.ShowForm("Credit note for "+inv.Number, "Issue credit note", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Net to credit", amt), widget.NewFormItem("Reason", reason)}, func(ok bool) {
			if !ok {
				return
			}
			m, err := domain.ParseMoney(amt.Text, inv.Currency)
			if err != nil {
				s.Problem.Show("credit note", err)
				return
			}
			s.tasks.Load(s.Problem, "credit note", func(ctx context.Context) (func(), error) {
				cn, err := s.svc.CreditNote(ctx, inv.ID, m.Amount, reason.Text)
				return func() {
					s.done(fmt.Sprintf("Credit note %s: %s.", cn.Number, amount(cn.Gross(), cn.Currency)))
					s.Reload()
				}, err
			})
		}, s.window)
}

// SavePDF saves the selected invoice's PDF in the documents folder.
func (s *Screen) SavePDF() {
	inv, ok := s.selected()
	if !ok {
		return
	}
	s.tasks.Load(s.Problem, "invoice PDF", func(ctx context.Context) (func(), error) {
		var b bytes.Buffer
		err := s.svc.InvoicePDFFor(ctx, inv.ID, &b)
		var path string
		if err == nil {
			name := inv.Number
			if name == "" {
				name = fmt.Sprintf("draft-%d", inv.ID)
			}
			path, err = uikit.SaveDocument("invoice-"+name+".pdf", b.Bytes())
		}
		return func() {
			s.LastPath = path
			s.done("Saved " + path)
			offerFile(s.window, path, func(err error) { s.Problem.Show("open", err) })
		}, err
	})
}

// ExportExcel writes the month's workbook into the documents folder with a
// progress bar and Cancel.
func (s *Screen) ExportExcel() {
	period := s.Period.Selected
	ctx, cancel := context.WithCancel(context.Background())
	bar := widget.NewProgressBar()
	bar.Max = float64(max(s.nCharges, 1))
	label := widget.NewLabel("Writing " + period + "…")
	stop := widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), cancel)
	d := dialog.NewCustomWithoutButtons("Export to Excel", container.NewVBox(label, bar, container.NewCenter(stop)), s.window)
	d.Resize(fyne.NewSize(460, 160))
	d.Show()
	s.tasks.Run(func() func() {
		var b bytes.Buffer
		company, err := s.svc.Company(ctx)
		if err == nil {
			err = s.svc.ExportWorkbook(ctx, company.Name, period, &b, func(n int) {
				uikit.OnUI(func() {
					bar.SetValue(float64(n))
					label.SetText(fmt.Sprintf("%s charge lines written", uikit.GroupThousands(int64(n))))
				})
			})
		}
		cancel()
		var path string
		if err == nil {
			path, err = uikit.SaveDocument("billing-"+period+".xlsx", b.Bytes())
		}
		return func() {
			d.Hide()
			switch {
			case errors.Is(err, context.Canceled):
				s.Problem.Show("export", uikit.Problem("the export was cancelled; no file was written"))
			case err != nil:
				s.Problem.Show("export", err)
			default:
				s.LastPath = path
				s.done("Saved " + path)
				offerFile(s.window, path, func(err error) { s.Problem.Show("open", err) })
			}
		}
	})
}

// ClientForm adds or edits a client.
func (s *Screen) ClientForm(c domain.Client) {
	code, name, cur, tax, terms := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	code.SetText(c.Code)
	name.SetText(c.Name)
	cur.SetText(string(c.Currency))
	tax.SetText(fmt.Sprintf("%d.%02d", c.TaxBP/100, c.TaxBP%100))
	terms.SetText(strconv.Itoa(c.PaymentDays))
	per := widget.NewSelect([]string{"period", "order", "shipment"}, nil)
	per.SetSelected(c.BillPer)
	chans := widget.NewCheckGroup(nil, nil)
	var all []domain.Channel
	s.tasks.Load(s.Problem, "channels", func(ctx context.Context) (func(), error) {
		list, err := s.svc.Channels(ctx)
		return func() {
			all = list
			for _, ch := range list {
				chans.Append(ch.Code + " — " + ch.Name)
			}
		}, err
	})
	items := []*widget.FormItem{widget.NewFormItem("Code", code), widget.NewFormItem("Name", name), widget.NewFormItem("Currency", cur),
		widget.NewFormItem("Tax %", tax), widget.NewFormItem("Payment days", terms), widget.NewFormItem("Billed per", per),
		widget.NewFormItem("Its channels", chans)}
	dialog.ShowForm("Client", "Save", "Cancel", items, func(ok bool) {
		if !ok {
			return
		}
		c.Code, c.Name, c.Currency, c.BillPer = code.Text, name.Text, domain.Currency(strings.ToUpper(strings.TrimSpace(cur.Text))), per.Selected
		var err error
		if c.TaxBP, err = parseBP(tax.Text); err != nil {
			s.Problem.Show("client", err)
			return
		}
		if c.PaymentDays, err = strconv.Atoi(strings.TrimSpace(terms.Text)); err != nil {
			s.Problem.Show("client", uikit.Problemf("payment days %q is not a whole number", terms.Text))
			return
		}
		c.Channels = nil
		for _, ch := range all {
			for _, sel := range chans.Selected {
				if strings.HasPrefix(sel, ch.Code+" — ") {
					c.Channels = append(c.Channels, ch.ID)
				}
			}
		}
		s.SaveClient(c)
	}, s.window)
}

// SaveClient stores a client.
func (s *Screen) SaveClient(c domain.Client) {
	s.tasks.Load(s.Problem, "client", func(ctx context.Context) (func(), error) {
		err := s.svc.SaveClient(ctx, &c)
		return func() {
			s.done("Saved client " + c.Code + ".")
			s.Reload()
		}, err
	})
}

// parseBP reads a percentage like "21" or "12.5" as basis points.
func parseBP(s string) (int64, error) {
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || len(frac) > 2 {
		return 0, uikit.Problemf("%q is not a percentage like 21 or 12.5", s)
	}
	f := int64(0)
	if frac != "" {
		if f, err = strconv.ParseInt((frac + "0")[:2], 10, 64); err != nil {
			return 0, uikit.Problemf("%q is not a percentage like 21 or 12.5", s)
		}
	}
	return w*100 + f, nil
}

// offerFile shows a saved file's path with Open and Print.
func offerFile(w fyne.Window, path string, fail func(error)) {
	open := widget.NewButtonWithIcon("Open", theme.FileIcon(), func() {
		if err := uikit.OpenDocument(path); err != nil {
			fail(err)
		}
	})
	items := []fyne.CanvasObject{open}
	if strings.HasSuffix(path, ".pdf") {
		items = append(items, widget.NewButtonWithIcon("Print", theme.DocumentPrintIcon(), func() {
			if err := uikit.PrintDocument(path); err != nil {
				fail(err)
			}
		}))
	}
	dialog.NewCustom("Saved", "Close", container.NewVBox(widget.NewLabel(path), container.NewHBox(items...)), w).Show()
}

// loadCharges shows the month's charges for the client and type chosen.
func (s *Screen) loadCharges() {
	period := s.Period.Selected
	var client int64
	if i := s.ChargeOf.SelectedIndex(); i > 0 && i-1 < len(s.clients) {
		client = s.clients[i-1].ID
	}
	var typ domain.ChargeType
	if s.ChargeType.SelectedIndex() > 0 {
		typ = domain.ChargeType(s.ChargeType.Selected)
	}
	s.charges.Reset(func(ctx context.Context, offset, limit int) ([]domain.Charge, error) {
		return s.svc.FilteredCharges(ctx, period, client, typ, offset, limit)
	}, func(ctx context.Context) (int, error) { return s.svc.CountCharges(ctx, period, client, typ) }, func(n int) {
		s.nCharges = n
		s.ChargeCount.SetText(uikit.CountText(n, "charge", "charges") + " in " + period)
		s.Charges.Refresh()
	})
}

// invoiceBy is who issued an invoice, or drafted a draft.
func invoiceBy(i domain.Invoice) string {
	if i.Number == "" {
		if i.DraftedBy == "" {
			return ""
		}
		return "drafted: " + i.DraftedBy
	}
	return i.IssuedBy
}

// ShowAgeing opens the receivables' ageing (the Overview's tile).
func (s *Screen) ShowAgeing() { s.show("AR ageing", "") }

// ShowCharges opens the month's charges ("2026-12"), of every client and
// type (the Overview's tile).
func (s *Screen) ShowCharges(period string) {
	s.ChargeOf.SetSelectedIndex(0)
	s.ChargeType.SetSelectedIndex(0)
	s.show("Charges", period)
}

// ShowReconciliation opens the carrier invoice lines of the month (the
// Overview's tile).
func (s *Screen) ShowReconciliation(period string) { s.show("Carrier reconciliation", period) }

// show selects the tab named tab, and the month period ("" as it is), and
// reads them again.
func (s *Screen) show(tab, period string) {
	for _, t := range s.Tabs.Items {
		if t.Text == tab {
			s.Tabs.Select(t)
		}
	}
	if period != "" && period != s.Period.Selected && slices.Contains(s.Period.Options, period) {
		s.Period.SetSelected(period) // reloads
		return
	}
	s.Reload()
}

// OpenCarrierLines counts the month's carrier invoice lines neither
// accepted nor disputed (tests).
func (s *Screen) OpenCarrierLines() int {
	n := 0
	for _, l := range s.recon {
		if l.State == "open" {
			n++
		}
	}
	return n
}

// ChargesShown is how many charges the Charges tab counts (tests).
func (s *Screen) ChargesShown() int { return s.nCharges }

// AgeingRows is how many rows the ageing shows.
func (s *Screen) AgeingRows() int { return len(s.ageing) }
