package warehouse

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// ShipPanel is the packing station and the dispatch desk for one wave: pack
// each order (scan its items, choose the box, weigh it), give parcels their
// tracking numbers, check and print all documents in one job, and hand the
// parcels to the carrier.
type ShipPanel struct {
	s *Screen

	Wave     *widget.Select
	Orders   *widget.Table
	Scan     *widget.Entry
	Scanned  *widget.Label
	Box      *widget.Select
	Weight   *widget.Entry
	Pack     *widget.Button
	Parcels  *widget.Table
	Tracking *widget.Entry
	Carrier  *widget.Entry
	SaveTrk  *widget.Button
	Print    *widget.Button
	// LabelPrinter is where labels print on this workstation: the PDF, or
	// a thermal printer's queue (kept in the user's preferences).
	LabelPrinter *widget.Select
	PrintLabels  *widget.Button
	printersNote string // why there are no printers to choose, if so
	Slip         *widget.Button
	Clear        *widget.Button
	Dispatch     *widget.Button
	// HandOver scans tracking numbers of parcels handed to the carrier.
	HandOver *widget.Entry
	// Chosen are the parcels ticked (in the table, or scanned for hand-over):
	// printing and hand-over take them, or every parcel when none is ticked.
	Chosen   map[int64]bool
	LastPath string
	// Problems are what the last pre-flight found (nil when it passed).
	Problems       []domain.PreflightProblem
	problemParcels []domain.PackedParcel

	waves   []domain.WaveSummary
	wave    *domain.Wave
	orders  []packOrder
	order   int
	counts  map[string]domain.Quantity
	boxes   []domain.Box
	parcels []domain.PackedParcel
	parcel  int
	content fyne.CanvasObject
	labelsPanel
}

// packOrder is an order of the wave with what was picked for it.
type packOrder struct {
	id     int64
	number string
	tote   int
	picked map[string]domain.Quantity
	open   bool // picks still to confirm
	packed bool
}

// items is how many items were picked for the order.
func (o packOrder) items() domain.Quantity {
	var n domain.Quantity
	for _, q := range o.picked {
		n += q
	}
	return n
}

func newShipPanel(s *Screen) *ShipPanel {
	p := &ShipPanel{s: s, order: -1, parcel: -1, counts: map[string]domain.Quantity{}, Chosen: map[int64]bool{}}
	p.Wave = widget.NewSelect(nil, func(string) { p.loadWave() })
	p.Wave.PlaceHolder = "Choose a wave"
	p.Orders = uikit.NewListTable(&p.orders,
		uikit.Col("Tote", func(o packOrder) string { return strconv.Itoa(o.tote) }).Wide(45),
		uikit.Col("Order", func(o packOrder) string { return o.number }).Wide(110),
		uikit.Num("Items", func(o packOrder) string { return uikit.QtyText(o.items()) }).Wide(60),
		uikit.Marked("State", func(o packOrder, l *widget.Label) {
			switch {
			case o.packed:
				l.Importance = widget.SuccessImportance
				l.SetText("packed")
			case o.open:
				l.Importance = widget.LowImportance
				l.SetText("picking")
			default:
				l.SetText("to pack")
			}
		}).Wide(90))
	p.Orders.OnSelected = func(id widget.TableCellID) { p.chooseOrder(id.Row) }
	p.Scan = scanEntry("Scan each item's SKU", func() { p.ScanItem() })
	p.Scanned = uikit.Wrapped("Select an order, then scan its items.")
	p.Box = widget.NewSelect(nil, nil)
	p.Weight = scanEntry("Weight in grams", func() { p.PackOrder() })
	p.Pack = widget.NewButtonWithIcon("Pack", theme.ConfirmIcon(), p.PackOrder)
	p.Pack.Importance = widget.HighImportance
	type parcel = domain.PackedParcel
	p.Parcels = uikit.NewListTable(&p.parcels,
		uikit.Marked("✓", func(x parcel, l *widget.Label) {
			l.Alignment = fyne.TextAlignCenter
			l.SetText(map[bool]string{true: "✓"}[p.Chosen[x.ID]])
		}).Wide(28),
		uikit.Col("Parcel", func(x parcel) string { return strconv.FormatInt(x.ID, 10) }).Wide(55),
		uikit.Col("Order", func(x parcel) string { return x.Number }).Wide(105),
		uikit.Col("Box", func(x parcel) string { return x.Box.Code }).Wide(40),
		uikit.Num("Weight", func(x parcel) string { return fmt.Sprintf("%.2f kg", float64(x.Weight)/1000) }).Wide(65),
		uikit.Col("Carrier", func(x parcel) string { return x.Carrier }).Wide(105),
		uikit.Col("Tracking", func(x parcel) string { return x.Tracking }).Wide(175),
		uikit.Marked("State", func(x parcel, l *widget.Label) {
			switch {
			case x.Tracking == "":
				l.Importance = widget.WarningImportance
				l.SetText("needs tracking")
			case x.Shipped:
				l.Importance = widget.SuccessImportance
				l.SetText("handed over")
			case !x.CarrierScan.IsZero():
				l.Importance = widget.WarningImportance
				l.SetText("carrier has it " + x.CarrierScan.Local().Format("15:04"))
			case p.Chosen[x.ID]:
				l.Importance = widget.HighImportance
				l.SetText("ticked")
			default:
				l.SetText("ready")
			}
		}).Wide(140))
	p.Parcels.OnSelected = func(id widget.TableCellID) {
		if id.Col == 0 { // the tick column chooses parcels for printing and hand-over
			p.Parcels.UnselectAll()
			p.Toggle(id.Row)
			return
		}
		p.parcel = id.Row
		if id.Row < len(p.parcels) {
			p.Tracking.SetText(p.parcels[id.Row].Tracking)
			p.Carrier.SetText(p.parcels[id.Row].Carrier)
			s.focus(p.Tracking)
		}
	}
	p.Tracking = scanEntry("Tracking number (scan or type)", func() { p.SaveTracking() })
	p.Carrier = widget.NewEntry()
	p.Carrier.SetPlaceHolder("Carrier")
	p.SaveTrk = widget.NewButtonWithIcon("Save tracking", theme.DocumentSaveIcon(), p.SaveTracking)
	p.Print = widget.NewButtonWithIcon("Check and print documents", theme.DocumentPrintIcon(), p.PrintDocuments)
	p.Slip = widget.NewButtonWithIcon("Packing slip", theme.FileTextIcon(), p.PrintSlip)
	p.buildPrinters()
	p.Clear = widget.NewButtonWithIcon("Clear ticks", theme.ContentClearIcon(), func() {
		p.Chosen = map[int64]bool{}
		p.Parcels.Refresh()
		p.s.setResult("No parcels ticked: printing and hand-over take every parcel of the wave.")
	})
	p.Dispatch = widget.NewButtonWithIcon("Hand to carrier", theme.MailSendIcon(), p.DispatchAll)
	p.HandOver = scanEntry("Scan parcels handed over (tracking number); none ticked: all", func() { p.ScanHandOver() })

	packForm := widget.NewForm(widget.NewFormItem("Scan", p.Scan), widget.NewFormItem("Box", p.Box), widget.NewFormItem("Weight (g)", p.Weight))
	left := container.NewBorder(container.NewVBox(p.Wave, uikit.Heading("Orders to pack")),
		container.NewVBox(p.Scanned, packForm, container.NewHBox(p.Pack)), nil, nil, p.Orders)
	trk := widget.NewForm(widget.NewFormItem("Tracking", p.Tracking), widget.NewFormItem("Carrier", p.Carrier))
	right := container.NewBorder(uikit.Heading("Parcels"),
		container.NewVBox(p.buildLabels(), trk, container.NewHBox(p.SaveTrk, p.Slip), container.NewHBox(p.Print, p.Clear),
			container.NewBorder(nil, nil, widget.NewLabel("Labels on"), p.PrintLabels, p.LabelPrinter), p.HandOver,
			container.NewHBox(p.Dispatch)), nil, nil, p.Parcels)
	p.content = uikit.Halves(left, right, 0.45)
	return p
}

func (p *ShipPanel) reload() {
	p.s.load("packing", func(ctx context.Context, code string) (func(), error) {
		waves, err := p.s.svc.Waves(ctx, code)
		var boxes []domain.Box
		if err == nil {
			boxes, err = p.s.svc.Boxes(ctx)
		}
		return func() {
			p.waves, p.boxes = waves, boxes
			var opts []string
			for _, w := range waves {
				opts = append(opts, fmt.Sprintf("Wave %d — %d orders (%s)", w.ID, w.Orders, w.Status))
			}
			keep := p.Wave.SelectedIndex()
			p.Wave.Options = opts
			p.Wave.Refresh()
			var bopts []string
			for _, b := range boxes {
				bopts = append(bopts, b.Code+" — "+b.Name)
			}
			p.Box.Options = bopts
			if p.Box.SelectedIndex() < 0 && len(bopts) > 2 {
				p.Box.SetSelectedIndex(2)
			}
			p.Box.Refresh()
			if keep >= 0 && keep < len(opts) {
				p.loadWave()
			}
		}, err
	})
}

// SelectWave chooses a wave by its number.
func (p *ShipPanel) SelectWave(id int64) {
	for i, w := range p.waves {
		if w.ID == id {
			p.Wave.SetSelectedIndex(i) // loads it
		}
	}
}

func (p *ShipPanel) loadWave() {
	i := p.Wave.SelectedIndex()
	if i < 0 || i >= len(p.waves) {
		return
	}
	id := p.waves[i].ID
	p.s.tasks.Load(p.s.Problem, "packing", func(ctx context.Context) (func(), error) {
		w, err := p.s.svc.Wave(ctx, id)
		var parcels []domain.PackedParcel
		if err == nil {
			parcels, err = p.s.svc.ParcelsOfWave(ctx, id)
		}
		return func() {
			p.wave, p.parcels = &w, parcels
			packed := map[int64]bool{}
			for _, pa := range parcels {
				packed[pa.OrderID] = true
			}
			byID := map[int64]*packOrder{}
			var list []*packOrder
			for _, l := range w.Lines {
				o := byID[l.OrderID]
				if o == nil {
					o = &packOrder{id: l.OrderID, number: l.Number, tote: l.Tote, picked: map[string]domain.Quantity{}, packed: packed[l.OrderID]}
					byID[l.OrderID] = o
					list = append(list, o)
				}
				if l.Picked == nil {
					o.open = true
				} else {
					o.picked[l.SKU] += *l.Picked
				}
			}
			sort.Slice(list, func(a, b int) bool { return list[a].tote < list[b].tote })
			p.orders = p.orders[:0]
			for _, o := range list {
				p.orders = append(p.orders, *o)
			}
			p.order, p.parcel = -1, -1
			p.Orders.UnselectAll()
			p.Orders.Refresh()
			p.Parcels.Refresh()
		}, err
	})
}

// ParcelsChanged re-reads the open wave's parcels — a colleague handed
// some over, or a carrier scanned a label — and leaves the orders, the one
// being packed and the ticks as they are.
func (p *ShipPanel) ParcelsChanged() {
	i := p.Wave.SelectedIndex()
	if i < 0 || i >= len(p.waves) || p.wave == nil || p.wave.ID != p.waves[i].ID {
		return
	}
	id := p.wave.ID
	p.s.tasks.Load(p.s.Problem, "parcels", func(ctx context.Context) (func(), error) {
		parcels, err := p.s.svc.ParcelsOfWave(ctx, id)
		return func() {
			if p.wave != nil && p.wave.ID == id {
				p.parcels = parcels
				p.Parcels.Refresh()
			}
		}, err
	})
}

func (p *ShipPanel) chooseOrder(row int) {
	if row < 0 || row >= len(p.orders) {
		return
	}
	p.order = row
	p.counts = map[string]domain.Quantity{}
	p.showCounts()
	p.s.focus(p.Scan)
}

func (p *ShipPanel) showCounts() {
	if p.order < 0 {
		return
	}
	o := p.orders[p.order]
	skus := slices.Sorted(maps.Keys(o.picked))
	var parts []string
	for _, s := range skus {
		parts = append(parts, fmt.Sprintf("%s %d/%d", s, p.counts[s], o.picked[s]))
	}
	for s, n := range p.counts {
		if _, ok := o.picked[s]; !ok {
			parts = append(parts, fmt.Sprintf("%s %d (not in this order!)", s, n))
		}
	}
	p.Scanned.SetText(fmt.Sprintf("Order %s, tote %d — scanned: %s", o.number, o.tote, strings.Join(parts, ", ")))
}

// ScanItem counts one scanned item.
func (p *ShipPanel) ScanItem() {
	sku := strings.TrimSpace(p.Scan.Text)
	p.Scan.SetText("")
	if p.order < 0 || sku == "" {
		return
	}
	p.counts[sku]++
	p.showCounts()
	p.s.focus(p.Scan)
}

// PackOrder packs the selected order with what was scanned.
func (p *ShipPanel) PackOrder() {
	if p.order < 0 || p.wave == nil {
		p.s.fail("Select an order to pack.")
		return
	}
	o := p.orders[p.order]
	g, err := strconv.ParseInt(strings.TrimSpace(p.Weight.Text), 10, 64)
	if err != nil || g <= 0 {
		p.s.fail("Enter the parcel's weight in grams.")
		p.s.focus(p.Weight)
		return
	}
	i := p.Box.SelectedIndex()
	if i < 0 || i >= len(p.boxes) {
		p.s.fail("Choose a box.")
		return
	}
	box, wh, scanned := p.boxes[i].Code, p.wave.Warehouse, map[string]domain.Quantity{}
	for s, n := range p.counts {
		scanned[s] = n
	}
	p.s.do("pack", func(ctx context.Context) (string, error) {
		id, err := p.s.svc.Pack(ctx, o.id, wh, box, domain.Grams(g), scanned)
		return fmt.Sprintf("Order %s packed in parcel %d (box %s, %d g). Give it a tracking number.", o.number, id, box, g), err
	}, func() {
		p.Weight.SetText("")
		p.counts = map[string]domain.Quantity{}
		p.Scanned.SetText("Select the next order, then scan its items.")
		p.loadWave()
	})
}

// SaveTracking records the selected parcel's tracking number.
func (p *ShipPanel) SaveTracking() {
	if p.parcel < 0 || p.parcel >= len(p.parcels) {
		p.s.fail("Select a parcel.")
		return
	}
	id, tr, carrier := p.parcels[p.parcel].ID, p.Tracking.Text, p.Carrier.Text
	p.s.do("tracking", func(ctx context.Context) (string, error) {
		return fmt.Sprintf("Parcel %d: tracking %s.", id, strings.TrimSpace(tr)), p.s.svc.SetTracking(ctx, id, carrier, tr)
	}, func() {
		p.Tracking.SetText("")
		p.loadWave()
	})
}

// Toggle ticks or unticks a parcel for printing and hand-over.
func (p *ShipPanel) Toggle(row int) {
	if row < 0 || row >= len(p.parcels) {
		return
	}
	id := p.parcels[row].ID
	if p.Chosen[id] {
		delete(p.Chosen, id)
	} else {
		p.Chosen[id] = true
	}
	p.Parcels.Refresh()
	p.s.setResult(fmt.Sprintf("%d parcel(s) ticked for printing and hand-over.", len(p.Chosen)))
}

// chosen are the ticked parcels of the wave in parcel order, or nil when
// none is ticked (then actions take the whole wave).
func (p *ShipPanel) chosen() []int64 {
	var ids []int64
	for _, pa := range p.parcels {
		if p.Chosen[pa.ID] {
			ids = append(ids, pa.ID)
		}
	}
	return ids
}

// PrintDocuments checks the ticked parcels (or every parcel of the wave)
// and prints them where this workstation prints: one PDF with their
// labels, customs papers and packing slips, or — with a thermal label
// printer chosen under "Labels on" — the labels on it and a PDF of the
// papers and slips. A problem prints nothing and opens the fix-up form.
func (p *ShipPanel) PrintDocuments() {
	if p.wave == nil {
		return
	}
	p.printJob(p.chosen())
}

// printJob prints the parcels (nil: the wave's) as PrintDocuments says.
func (p *ShipPanel) printJob(ids []int64) {
	id := p.wave.ID
	name, ref := fmt.Sprintf("wave-%d-labels.pdf", id), fmt.Sprintf("wave %d", id)
	if ids != nil {
		parts := make([]string, len(ids))
		for i, x := range ids {
			parts[i] = strconv.FormatInt(x, 10)
		}
		name = fmt.Sprintf("wave-%d-parcels-%s.pdf", id, strings.Join(parts, "-"))
		if len(name) > 80 {
			name = fmt.Sprintf("wave-%d-%d-parcels-from-%d.pdf", id, len(ids), ids[0])
		}
		ref = "parcels " + strings.Join(parts, ", ")
	}
	printer := p.LabelPrinter.Selected
	if printer == pdfLabels {
		printer = ""
	}
	p.s.tasks.Run(func() func() {
		ctx := context.Background()
		parcels, problems, err := p.s.svc.PreflightParcels(ctx, id, ids)
		var path, sent string
		var size, thermal int
		if err == nil && len(problems) == 0 {
			paper := "4x6"
			if printer != "" {
				// The labels first, on the thermal printer; then the papers.
				paper = domain.NoLabels
				var job string
				var n int
				if job, n, err = p.s.svc.PrintLabels(ctx, printer, id, ids); err == nil {
					sent = fmt.Sprintf("Sent %d label(s) to %s (job %s). ", n, printer, job)
				}
			}
			var buf bytes.Buffer
			if err == nil {
				thermal, err = p.s.svc.Documents(ctx, id, ids, paper, &buf)
			}
			if err == nil {
				if path, err = uikit.SaveDocument(name, buf.Bytes()); err == nil {
					size = buf.Len()
					err = p.s.svc.Printed(ctx, "labels", ref, size)
				}
			}
		}
		return func() {
			switch {
			case err != nil:
				p.s.setResult(sent)
				p.s.Problem.Show("documents", err)
			case len(problems) > 0:
				p.Problems, p.problemParcels = problems, parcels
				var b strings.Builder
				fmt.Fprintf(&b, "%d problem(s); nothing was printed — fix them and print again:", len(problems))
				for _, pr := range problems {
					b.WriteString("\n" + pr.String())
				}
				p.s.setResult("")
				p.s.Problem.Show("documents", uikit.Problem(b.String()))
				p.ShowFixes()
			default:
				p.Problems, p.LastPath = nil, path
				p.s.Problem.Hide()
				p.s.Result.Importance = widget.SuccessImportance
				msg := fmt.Sprintf("Labels, customs papers and packing slips of %d parcel(s) saved: %s", len(parcels), path)
				if printer != "" {
					msg = sent + fmt.Sprintf("Customs papers and packing slips of %d parcel(s) saved: %s", len(parcels), path)
				}
				if thermal > 0 {
					msg += fmt.Sprintf(` — without %d carrier label(s) in ZPL: print them on a thermal printer ("Labels on", then "Print labels").`, thermal)
				}
				p.s.setResult(msg)
				p.s.offerDocument(path)
			}
		}
	})
}

// PrintSlip saves the selected parcel's packing slip.
func (p *ShipPanel) PrintSlip() {
	if p.parcel < 0 || p.parcel >= len(p.parcels) {
		p.s.fail("Select a parcel.")
		return
	}
	pa := p.parcels[p.parcel]
	p.s.do("packing slip", func(ctx context.Context) (string, error) {
		return p.s.saveDocument(ctx, &p.LastPath, fmt.Sprintf("packing-slip-%d.pdf", pa.ID), "packing slip", fmt.Sprintf("parcel %d", pa.ID),
			func(w io.Writer) error { return p.s.svc.PackingSlip(ctx, pa.ID, w) },
			func(path string) string {
				return fmt.Sprintf("Packing slip of parcel %d (order %s) saved: %s", pa.ID, pa.Number, path)
			})
	}, func() { p.s.offerDocument(p.LastPath) })
}

// ShowFixes opens the fix-up form for the problems pre-flight found: HS
// code, origin and weight per SKU, the recipient's phone per order, the
// tracking number per parcel; then print again.
func (p *ShipPanel) ShowFixes() {
	box := container.NewVBox()
	seenSKU, seenOrder, seenParcel := map[string]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, pr := range p.Problems {
		pr := pr
		switch {
		case pr.SKU != "" && !seenSKU[pr.SKU]:
			seenSKU[pr.SKU] = true
			hs, origin, weight := widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
			hs.SetPlaceHolder("HS code")
			origin.SetPlaceHolder("origin (ISO)")
			weight.SetPlaceHolder("unit weight g")
			for _, pa := range p.problemParcels {
				for _, l := range pa.Lines {
					if l.SKU == pr.SKU {
						hs.SetText(l.HSCode)
						origin.SetText(string(l.Origin))
						weight.SetText(strconv.FormatInt(int64(l.UnitWeight), 10))
					}
				}
			}
			save := widget.NewButton("Save", func() {
				g, _ := strconv.ParseInt(strings.TrimSpace(weight.Text), 10, 64)
				p.s.do("customs data", func(ctx context.Context) (string, error) {
					return "Saved the customs data of " + pr.SKU + ".", p.s.svc.SetProductCustoms(ctx, pr.SKU, strings.TrimSpace(hs.Text),
						domain.Country(strings.ToUpper(strings.TrimSpace(origin.Text))), domain.Grams(g))
				}, nil)
			})
			box.Add(widget.NewLabel(pr.SKU + ": " + pr.Message))
			box.Add(container.NewBorder(nil, nil, nil, save, container.NewGridWithColumns(3, hs, origin, weight)))
		case pr.Field == "phone" && !seenOrder[pr.OrderID]:
			seenOrder[pr.OrderID] = true
			phone := widget.NewEntry()
			phone.SetPlaceHolder("+1 617 555 0100")
			save := widget.NewButton("Save", func() {
				p.s.do("phone", func(ctx context.Context) (string, error) {
					return "Saved the phone number of order " + pr.Number + ".", p.s.svc.SetShipPhone(ctx, pr.OrderID, phone.Text)
				}, nil)
			})
			box.Add(widget.NewLabel("Order " + pr.Number + ": " + pr.Message))
			box.Add(container.NewBorder(nil, nil, nil, save, phone))
		case pr.Field == "tracking" && !seenParcel[pr.ParcelID]:
			seenParcel[pr.ParcelID] = true
			tr := widget.NewEntry()
			tr.SetPlaceHolder("tracking number")
			save := widget.NewButton("Save", func() {
				p.s.do("tracking", func(ctx context.Context) (string, error) {
					return fmt.Sprintf("Parcel %d: tracking saved.", pr.ParcelID), p.s.svc.SetTracking(ctx, pr.ParcelID, p.Carrier.Text, tr.Text)
				}, p.loadWave)
			})
			box.Add(widget.NewLabel(fmt.Sprintf("Parcel %d (order %s): %s", pr.ParcelID, pr.Number, pr.Message)))
			box.Add(container.NewBorder(nil, nil, nil, save, tr))
		case pr.SKU == "" && pr.Field != "phone" && pr.Field != "tracking":
			box.Add(widget.NewLabel(pr.String()))
		}
	}
	again := widget.NewButtonWithIcon("Check and print again", theme.DocumentPrintIcon(), p.PrintDocuments)
	d := dialog.NewCustom("Fix before printing", "Close", container.NewBorder(nil, again, nil, nil, container.NewVScroll(box)), p.s.window)
	d.Resize(fyne.NewSize(720, 520))
	d.Show()
}

// DispatchAll hands the wave's packed parcels to the carrier entered and
// saves the manifest.
func (p *ShipPanel) DispatchAll() {
	carrier := strings.TrimSpace(p.Carrier.Text)
	if carrier == "" || p.wave == nil {
		p.s.fail("Enter the carrier taking the parcels.")
		return
	}
	var ids []int64
	for _, pa := range p.parcels {
		if !pa.Shipped && (len(p.Chosen) == 0 || p.Chosen[pa.ID]) {
			ids = append(ids, pa.ID)
		}
	}
	if len(ids) == 0 {
		p.s.fail("Every parcel of this wave has been handed over already.")
		return
	}
	p.s.do("dispatch", func(ctx context.Context) (string, error) {
		m, err := p.s.svc.Dispatch(ctx, ids, carrier)
		if err != nil {
			return "", err
		}
		return p.s.saveDocument(ctx, &p.LastPath, fmt.Sprintf("manifest-%d.pdf", m), "manifest", fmt.Sprintf("manifest %d", m),
			func(w io.Writer) error { return p.s.svc.ManifestPDF(ctx, m, w) },
			func(path string) string {
				return fmt.Sprintf("%d parcel(s) handed to %s (manifest %d): %s", len(ids), carrier, m, path)
			})
	}, func() {
		p.Chosen = map[int64]bool{}
		p.loadWave()
		p.s.offerDocument(p.LastPath)
	})
}

// ScanHandOver marks the parcel with the scanned tracking number as handed over.
func (p *ShipPanel) ScanHandOver() {
	code := strings.TrimSpace(p.HandOver.Text)
	p.HandOver.SetText("")
	for _, pa := range p.parcels {
		if pa.Tracking != "" && pa.Tracking == code {
			p.Chosen[pa.ID] = true
			p.s.setResult(fmt.Sprintf("%d parcel(s) scanned for the carrier (last: order %s).", len(p.Chosen), pa.Number))
			p.s.focus(p.HandOver)
			return
		}
	}
	p.s.fail(fmt.Sprintf("No parcel of this wave has tracking number %q.", code))
}
