package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
)

const productPageSize = 200

// fixed columns before one column per warehouse
var inventoryFixedColumns = []struct {
	title string
	width float32
}{
	{"SKU", 100},
	{"Product", 230},
	{"Total", 70},
}

// InventoryScreen shows products × warehouses with on-hand quantities, a
// search by SKU or name, and the bins of one product in one warehouse.
type InventoryScreen struct {
	svc    InventoryService
	window fyne.Window
	tasks  tasks

	Search   *widget.Entry
	Count    *widget.Label
	Problem  problemLabel
	Table    *widget.Table
	BinTitle *widget.Label
	Bins     *widget.Table

	warehouses []domain.Warehouse
	total      int
	search     string
	rows       *pager[domain.ProductStock]
	bins       []domain.StockLevel

	content fyne.CanvasObject
}

// NewInventoryScreen builds the screen; call Reload to fill it.
func NewInventoryScreen(svc InventoryService, w fyne.Window) *InventoryScreen {
	s := &InventoryScreen{svc: svc, window: w}
	s.rows = newPager[domain.ProductStock](productPageSize, &s.tasks)
	s.rows.loaded = func() { s.Table.Refresh() }
	s.rows.failed = func(err error) { s.Problem.show("inventory", err) }

	s.Search = widget.NewEntry()
	s.Search.SetPlaceHolder("Search SKU or product name  (Ctrl+F)")
	s.Search.OnChanged = func(string) { s.tasks.debounce(searchDebounce, s.applySearch) }
	s.Count = newCountLabel()
	s.Problem = newProblemLabel()

	s.Table = newTable(func() (int, int) { return s.total, len(inventoryFixedColumns) + len(s.warehouses) },
		s.columnTitle, s.updateCell)
	for i, c := range inventoryFixedColumns {
		s.Table.SetColumnWidth(i, c.width)
	}
	s.Table.OnSelected = s.selectCell

	s.BinTitle = widget.NewLabel("Select a warehouse cell to see the bins that hold the product.")
	s.BinTitle.Wrapping = fyne.TextWrapWord
	s.Bins = newTable(func() (int, int) { return len(s.bins), 3 }, titles("Bin", "Zone", "On hand"),
		func(id widget.TableCellID, l *widget.Label) {
			if id.Row >= len(s.bins) {
				l.SetText("")
				return
			}
			b := s.bins[id.Row]
			switch id.Col {
			case 0:
				l.SetText(b.Location)
			case 1:
				l.SetText(b.Zone)
			case 2:
				l.Alignment = fyne.TextAlignTrailing
				l.SetText(groupThousands(int64(b.OnHand)))
			}
		})
	s.Bins.SetColumnWidth(0, 100)
	s.Bins.SetColumnWidth(1, 60)
	s.Bins.SetColumnWidth(2, 75)

	binHeader := widget.NewLabelWithStyle("Bins", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	drill := container.NewBorder(container.NewVBox(container.NewHBox(widget.NewIcon(theme.StorageIcon()), binHeader), s.BinTitle), nil, nil, nil, s.Bins)
	split := container.NewHSplit(container.NewBorder(nil, s.Count, nil, nil, s.Table), drill)
	split.SetOffset(0.8)
	s.content = container.NewBorder(container.NewVBox(s.Search, s.Problem.Label), nil, nil, nil, split)
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

// Reload re-reads the warehouses and the product rows.
func (s *InventoryScreen) Reload() {
	s.tasks.run(func() func() {
		ws, err := s.svc.Warehouses(context.Background())
		return func() {
			if err != nil {
				s.Problem.show("inventory", err)
				return
			}
			s.warehouses = ws
			for i := range ws {
				s.Table.SetColumnWidth(len(inventoryFixedColumns)+i, 74)
			}
			s.applySearch()
		}
	})
}

func (s *InventoryScreen) columnTitle(col int) string {
	if col < 0 {
		return ""
	}
	if col < len(inventoryFixedColumns) {
		return inventoryFixedColumns[col].title
	}
	if i := col - len(inventoryFixedColumns); i < len(s.warehouses) {
		return s.warehouses[i].Code
	}
	return ""
}

func (s *InventoryScreen) applySearch() {
	s.search = strings.TrimSpace(s.Search.Text)
	q := s.search
	s.rows.reset(func(ctx context.Context, offset, limit int) ([]domain.ProductStock, error) {
		return s.svc.ProductPage(ctx, q, offset, limit)
	})
	gen := s.rows.gen
	s.Count.SetText("Counting…")
	s.tasks.run(func() func() {
		n, err := s.svc.CountProducts(context.Background(), q)
		return func() {
			if gen != s.rows.gen {
				return
			}
			if err != nil {
				s.Problem.show("inventory", err)
				return
			}
			s.Problem.Hide()
			s.total = n
			s.Count.SetText(countText(n, "product", "products"))
			s.Table.UnselectAll()
			s.Table.ScrollToTop()
			s.Table.Refresh()
		}
	})
}

func (s *InventoryScreen) updateCell(id widget.TableCellID, l *widget.Label) {
	if id.Col >= 2 {
		l.Alignment = fyne.TextAlignTrailing
	}
	r, ok := s.rows.row(id.Row)
	if !ok {
		l.SetText("…")
		return
	}
	switch id.Col {
	case 0:
		l.SetText(r.SKU)
	case 1:
		l.SetText(r.Name)
	case 2:
		l.SetText(groupThousands(int64(r.Total)))
	default:
		i := id.Col - len(inventoryFixedColumns)
		if i >= len(s.warehouses) {
			l.SetText("")
			return
		}
		q, stocked := r.OnHand[s.warehouses[i].ID]
		switch {
		case !stocked:
			l.Importance = widget.LowImportance
			l.SetText("–")
		default:
			l.SetText(groupThousands(int64(q)))
		}
	}
}

// selectCell drills down into the bins of the product in the selected warehouse.
func (s *InventoryScreen) selectCell(id widget.TableCellID) {
	r, ok := s.rows.row(id.Row)
	if !ok {
		return
	}
	i := id.Col - len(inventoryFixedColumns)
	if i < 0 || i >= len(s.warehouses) {
		s.BinTitle.SetText(fmt.Sprintf("%s — %s\nSelect a warehouse column to see its bins.", r.SKU, r.Name))
		s.bins = nil
		s.Bins.Refresh()
		return
	}
	s.ShowBins(r, s.warehouses[i])
}

// ShowBins loads the bins of product p in warehouse w into the drill-down.
func (s *InventoryScreen) ShowBins(p domain.ProductStock, w domain.Warehouse) {
	s.BinTitle.SetText(fmt.Sprintf("%s — %s\nin %s (%s)", p.SKU, p.Name, w.Code, w.Name))
	s.tasks.run(func() func() {
		bins, err := s.svc.Bins(context.Background(), p.ProductID, w.ID)
		return func() {
			if err != nil {
				s.Problem.show("inventory", err)
				return
			}
			s.bins = bins
			if len(bins) == 0 {
				s.BinTitle.SetText(fmt.Sprintf("%s — %s\nnot stocked in %s (%s)", p.SKU, p.Name, w.Code, w.Name))
			}
			s.Bins.Refresh()
		}
	})
}
