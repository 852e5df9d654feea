package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

const (
	productPageSize = 200
	historyLimit    = 200
	allWarehouses   = "All warehouses"
	allZones        = "All zones"
)

type column struct {
	title string
	width float32
}

// Columns with every warehouse shown: totals, then one column per warehouse
// showing available of on hand.
var inventoryAllColumns = []column{{"SKU", 100}, {"Product", 210}, {"On hand", 72}, {"Reserved", 72}, {"Available", 78}}

// Columns with one warehouse chosen.
var inventoryOneColumns = []column{{"SKU", 100}, {"Product", 250}, {"On hand", 72}, {"In transit", 78}, {"Reserved", 72},
	{"Available", 78}, {"Reorder at", 78}, {"Target", 64}}

var inventorySorts = []struct {
	label string
	sort  domain.StockSort
}{
	{"Sort: SKU", domain.SortBySKU},
	{"Sort: product name", domain.SortByName},
	{"Sort: most on hand", domain.SortByOnHand},
	{"Sort: least available", domain.SortByAvailable},
}

// InventoryScreen shows products × warehouses with on hand, reserved and
// available stock, filtered by warehouse, zone, low stock and a search, and
// for one product in one warehouse its bins and lots and its movements.
type InventoryScreen struct {
	svc    InventoryService
	window fyne.Window
	tasks  uikit.Tasks

	Search    *widget.Entry
	Warehouse *widget.Select
	Zone      *widget.Select
	LowOnly   *widget.Check
	Sort      *widget.Select
	Count     *widget.Label
	Legend    *widget.Label
	Problem   uikit.ProblemLabel
	Table     *widget.Table
	BinTitle  *widget.Label
	Bins      *widget.Table
	History   *widget.Table

	warehouses []domain.Warehouse
	filter     domain.StockFilter
	total      int
	rows       *uikit.Pager[domain.ProductStock]
	bins       []domain.StockLevel
	moves      []domain.Movement

	content fyne.CanvasObject
}

// NewInventoryScreen builds the screen; call Reload to fill it.
func NewInventoryScreen(svc InventoryService, w fyne.Window) *InventoryScreen {
	s := &InventoryScreen{svc: svc, window: w}
	s.rows = uikit.NewPager[domain.ProductStock](productPageSize, &s.tasks)
	s.rows.Loaded = func() { s.Table.Refresh() }
	s.rows.Failed = func(err error) { s.Problem.Show("inventory", err) }

	s.Search = widget.NewEntry()
	s.Search.SetPlaceHolder("Search SKU or product name  (Ctrl+F)")
	s.Search.OnChanged = func(string) { s.tasks.Debounce(searchDebounce, s.apply) }
	// Selections are set before the callbacks, which need the table.
	s.Warehouse = widget.NewSelect([]string{allWarehouses}, nil)
	s.Warehouse.SetSelected(allWarehouses)
	s.Zone = widget.NewSelect([]string{allZones}, nil)
	s.Zone.SetSelected(allZones)
	s.LowOnly = widget.NewCheck("Low stock only", nil)
	sorts := make([]string, len(inventorySorts))
	for i, o := range inventorySorts {
		sorts[i] = o.label
	}
	s.Sort = widget.NewSelect(sorts, nil)
	s.Sort.SetSelectedIndex(0)
	s.Count = uikit.NewCountLabel()
	s.Legend = widget.NewLabel("")
	s.Legend.Importance = widget.LowImportance
	s.Problem = uikit.NewProblemLabel()

	s.Table = uikit.NewTable(func() (int, int) {
		if s.chosen() != nil {
			return s.total, len(inventoryOneColumns)
		}
		return s.total, len(inventoryAllColumns) + len(s.warehouses)
	}, s.columnTitle, s.updateCell)
	s.Table.OnSelected = s.selectCell

	s.BinTitle = uikit.Wrapped("Select a product to see its bins, lots and movements.")
	type bin = domain.StockLevel
	s.Bins = uikit.NewListTable(&s.bins,
		uikit.Col("Bin", func(b bin) string { return b.Location }).Wide(92),
		uikit.Col("Zone", func(b bin) string { return b.Zone }).Wide(52),
		uikit.Col("Lot", func(b bin) string { return b.Lot }).Wide(64),
		uikit.Col("Expiry", func(b bin) string { return b.Expiry }).Wide(86),
		uikit.Num("On hand", func(b bin) string { return uikit.QtyText(b.OnHand) }).Wide(64))
	type move = domain.Movement
	s.History = uikit.NewListTable(&s.moves,
		uikit.Col("When", func(m move) string {
			if at := m.At.In(time.Local); at.Year() == s.svc.Now().Year() {
				return at.Format("Jan 2 15:04")
			}
			return uikit.LocalAt(m.At, "2006-01-02")
		}).Wide(84),
		uikit.Col("What", func(m move) string { return movementLabels[m.Kind] }).Wide(70),
		uikit.Col("Bin", func(m move) string {
			if s.chosen() != nil {
				return m.Location
			}
			return m.Warehouse + " " + m.Location
		}).Wide(84),
		uikit.Col("Lot", func(m move) string { return m.Lot }).Wide(50),
		uikit.Num("Qty", func(m move) string {
			if m.Qty > 0 {
				return "+" + uikit.QtyText(m.Qty)
			}
			return uikit.QtyText(m.Qty)
		}).Wide(46),
		uikit.Col("Why", func(m move) string {
			why := strings.ReplaceAll(string(m.Reason), "_", " ")
			if m.Doc != "" && m.Doc != "adjustment" {
				why = strings.TrimSpace(why + " " + m.Doc)
			}
			if m.Note != "" {
				why += " — " + m.Note
			}
			return why
		}).Wide(200),
		uikit.Col("Who", func(m move) string { return m.Who }).Wide(70))
	s.layoutColumns()
	s.Warehouse.OnChanged = func(string) { s.warehouseChanged() }
	s.Zone.OnChanged = func(string) { s.apply() }
	s.LowOnly.OnChanged = func(bool) { s.apply() }
	s.Sort.OnChanged = func(string) { s.apply() }

	drill := container.NewBorder(s.BinTitle, nil, nil, nil, container.NewAppTabs(
		container.NewTabItem("Bins and lots", s.Bins),
		container.NewTabItem("Movements", s.History)))
	split := uikit.Halves(container.NewBorder(nil, container.NewHBox(s.Count, s.Legend), nil, nil, s.Table), drill, 0.7)
	h := s.Search.MinSize().Height
	filters := container.NewBorder(nil, nil, nil, container.NewHBox(
		container.NewGridWrap(fyne.NewSize(280, h), s.Warehouse), container.NewGridWrap(fyne.NewSize(140, h), s.Zone),
		s.LowOnly, container.NewGridWrap(fyne.NewSize(220, h), s.Sort)), s.Search)
	s.content = container.NewBorder(container.NewVBox(filters, s.Problem.Label), nil, nil, nil, split)
	return s
}

// Content is the screen's root object.
func (s *InventoryScreen) Content() fyne.CanvasObject { return s.content }

// FocusSearch puts the keyboard focus in the search box.
func (s *InventoryScreen) FocusSearch() {
	if c := s.window.Canvas(); c != nil {
		c.Focus(s.Search)
	}
}

// Wait blocks until background loads have been applied (for tests).
func (s *InventoryScreen) Wait() { s.tasks.Wait() }

// Reload re-reads the warehouses, zones and the product rows.
func (s *InventoryScreen) Reload() {
	s.tasks.Load(s.Problem, "inventory", func(ctx context.Context) (func(), error) {
		ws, err := s.svc.Warehouses(ctx)
		return func() {
			s.warehouses = ws
			opts := []string{allWarehouses}
			for _, w := range ws {
				opts = append(opts, w.Code+" — "+w.Name)
			}
			s.Warehouse.Options = opts
			s.Warehouse.Refresh()
			s.warehouseChanged()
		}, err
	})
}

// chosen is the selected warehouse, or nil for all.
func (s *InventoryScreen) chosen() *domain.Warehouse {
	i := s.Warehouse.SelectedIndex() - 1
	if i < 0 || i >= len(s.warehouses) {
		return nil
	}
	return &s.warehouses[i]
}

func (s *InventoryScreen) columns() []column {
	if s.chosen() != nil {
		return inventoryOneColumns
	}
	return inventoryAllColumns
}

func (s *InventoryScreen) layoutColumns() {
	cols := s.columns()
	for i, c := range cols {
		s.Table.SetColumnWidth(i, c.width)
	}
	if s.chosen() == nil {
		for i := range s.warehouses {
			s.Table.SetColumnWidth(len(cols)+i, 96)
		}
	}
}

// warehouseChanged reloads the zones of the chosen warehouse and the rows.
func (s *InventoryScreen) warehouseChanged() {
	var id int64
	if w := s.chosen(); w != nil {
		id = w.ID
	}
	s.layoutColumns()
	s.tasks.Load(s.Problem, "inventory", func(ctx context.Context) (func(), error) {
		zones, err := s.svc.Zones(ctx, id)
		return func() {
			keep := s.Zone.Selected
			s.Zone.Options = append([]string{allZones}, zones...)
			s.Zone.Refresh()
			if keep != allZones && !uikit.Contains(zones, keep) {
				s.Zone.SetSelected(allZones) // calls apply
				return
			}
			s.apply()
		}, err
	})
}

func (s *InventoryScreen) columnTitle(col int) string {
	cols := s.columns()
	if col < 0 {
		return ""
	}
	if col < len(cols) {
		return cols[col].title
	}
	if i := col - len(cols); s.chosen() == nil && i < len(s.warehouses) {
		return s.warehouses[i].Code
	}
	return ""
}

// apply reads the filters and reloads the rows and the count.
func (s *InventoryScreen) apply() {
	f := domain.StockFilter{Search: strings.TrimSpace(s.Search.Text), LowOnly: s.LowOnly.Checked}
	if w := s.chosen(); w != nil {
		f.WarehouseID = w.ID
	}
	if s.Zone.Selected != allZones {
		f.Zone = s.Zone.Selected
	}
	if i := s.Sort.SelectedIndex(); i >= 0 {
		f.Sort = inventorySorts[i].sort
	}
	s.filter = f
	s.Count.SetText("Counting…")
	s.rows.Reset(func(ctx context.Context, offset, limit int) ([]domain.ProductStock, error) {
		return s.svc.ProductStockPage(ctx, f, offset, limit)
	}, func(ctx context.Context) (int, error) { return s.svc.CountProductStock(ctx, f) }, func(n int) {
		s.Problem.Hide()
		s.total = n
		s.Count.SetText(uikit.CountText(n, "product", "products"))
		s.Legend.SetText(s.legend())
		s.Table.UnselectAll()
		s.Table.ScrollToTop()
		s.Table.Refresh()
	})
}

func (s *InventoryScreen) legend() string {
	if s.chosen() == nil {
		return "Each warehouse: available / on hand; orange at or under its reorder point."
	}
	return "Orange: available at or under the reorder point."
}

func (s *InventoryScreen) updateCell(id widget.TableCellID, l *widget.Label) {
	if id.Col >= 2 {
		l.Alignment = fyne.TextAlignTrailing
	}
	r, ok := s.rows.Row(id.Row)
	if !ok {
		l.SetText("…")
		return
	}
	switch id.Col {
	case 0:
		l.SetText(r.SKU)
		return
	case 1:
		l.SetText(r.Name)
		return
	}
	if w := s.chosen(); w != nil {
		t := r.Stock[w.ID]
		if t.Low() && id.Col == 5 {
			l.Importance = widget.WarningImportance
		}
		l.SetText(uikit.QtyText([]domain.Quantity{t.OnHand, t.InTransit, t.Reserved, t.Available(), t.ReorderPoint, t.TargetLevel}[id.Col-2]))
		return
	}
	cols := len(inventoryAllColumns)
	if id.Col < cols {
		l.SetText(uikit.QtyText([]domain.Quantity{r.Total.OnHand, r.Total.Reserved, r.Total.Available()}[id.Col-2]))
		return
	}
	i := id.Col - cols
	if i >= len(s.warehouses) {
		l.SetText("")
		return
	}
	t, stocked := r.Stock[s.warehouses[i].ID]
	switch {
	case !stocked || (t.OnHand == 0 && t.InTransit == 0):
		l.Importance = widget.LowImportance
		if t.Low() {
			l.Importance = widget.WarningImportance
		}
		l.SetText("–")
	default:
		if t.Low() {
			l.Importance = widget.WarningImportance
		}
		l.SetText(uikit.QtyText(t.Available()) + " / " + uikit.QtyText(t.OnHand))
	}
}

// selectCell shows the bins and movements of the product in the chosen
// warehouse, or in the warehouse whose column was selected.
func (s *InventoryScreen) selectCell(id widget.TableCellID) {
	r, ok := s.rows.Row(id.Row)
	if !ok {
		return
	}
	if w := s.chosen(); w != nil {
		s.ShowProduct(r, w)
		return
	}
	i := id.Col - len(inventoryAllColumns)
	if i < 0 || i >= len(s.warehouses) {
		s.ShowProduct(r, nil)
		return
	}
	s.ShowProduct(r, &s.warehouses[i])
}

// ShowProduct loads the bins and lots of p in w (none when w is nil) and its
// latest movements (in w, or everywhere).
func (s *InventoryScreen) ShowProduct(p domain.ProductStock, w *domain.Warehouse) {
	var wid int64
	title := fmt.Sprintf("%s — %s\nin every warehouse: %s on hand, %s reserved, %s available. Select a warehouse column for its bins.",
		p.SKU, p.Name, uikit.QtyText(p.Total.OnHand), uikit.QtyText(p.Total.Reserved), uikit.QtyText(p.Total.Available()))
	if w != nil {
		wid = w.ID
		t := p.Stock[w.ID]
		title = fmt.Sprintf("%s — %s\nin %s (%s): %s on hand, %s reserved, %s available, %s in transit to it", p.SKU, p.Name, w.Code, w.Name,
			uikit.QtyText(t.OnHand), uikit.QtyText(t.Reserved), uikit.QtyText(t.Available()), uikit.QtyText(t.InTransit))
		if t.ReorderPoint > 0 {
			title += fmt.Sprintf("; reorder at %s, target %s", uikit.QtyText(t.ReorderPoint), uikit.QtyText(t.TargetLevel))
		}
	}
	s.BinTitle.SetText(title)
	s.tasks.Load(s.Problem, "inventory", func(ctx context.Context) (func(), error) {
		var bins []domain.StockLevel
		var err error
		if w != nil {
			bins, err = s.svc.BinStock(ctx, p.ProductID, wid)
		}
		var moves []domain.Movement
		if err == nil {
			moves, err = s.svc.Movements(ctx, p.ProductID, wid, historyLimit)
		}
		return func() {
			s.bins, s.moves = bins, moves
			s.Bins.Refresh()
			s.History.Refresh()
		}, err
	})
}

// movementLabels name the ledger's movement kinds for people.
var movementLabels = map[domain.MovementKind]string{
	domain.MoveReceipt: "received", domain.MovePutaway: "put away", domain.MoveBin: "moved", domain.MoveAdjust: "adjusted",
	domain.MoveTransferOut: "sent", domain.MoveTransferIn: "transfer in", domain.MovePick: "picked", domain.MoveShip: "shipped",
	domain.MoveReturn: "returned",
}

// ShowLow lists the products at or under their reorder point in every
// warehouse (the Overview's tile), the other filters cleared.
func (s *InventoryScreen) ShowLow() {
	quiet := func(sel *widget.Select, choice string) {
		f := sel.OnChanged
		sel.OnChanged = nil
		sel.SetSelected(choice)
		sel.OnChanged = f
	}
	s.Search.OnChanged = nil
	s.Search.SetText("")
	s.Search.OnChanged = func(string) { s.tasks.Debounce(searchDebounce, s.apply) }
	quiet(s.Warehouse, allWarehouses)
	quiet(s.Zone, allZones)
	f := s.LowOnly.OnChanged
	s.LowOnly.OnChanged = nil
	s.LowOnly.SetChecked(true)
	s.LowOnly.OnChanged = f
	s.apply()
}
