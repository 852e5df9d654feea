package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

const (
	benchSKUs       = 5000
	benchWarehouses = 10
	benchBins       = 300 // storage bins per warehouse
)

var (
	invOnce sync.Once
	invDir  string
	invErr  error
)

// inventoryDB is a database with 5,000 SKUs stocked in 10 warehouses of 300
// bins each (two bins per SKU and warehouse, 100,000 balances, every one an
// opening-balance movement), reorder points on a tenth of them and
// reservations on a fifth; made once per run, copied for benchmarks that write.
func inventoryDB(b *testing.B) string {
	invOnce.Do(func() {
		invDir, invErr = os.MkdirTemp("", "portolan-inv-bench-")
		if invErr != nil {
			return
		}
		db, err := sqlite.Open(filepath.Join(invDir, "inv.db"), domaintest.NewClock().Now)
		if err != nil {
			invErr = err
			return
		}
		defer db.Close()
		ctx := context.Background()
		invErr = db.Bulk(ctx, func(w domain.BulkWriter) error {
			var products []domain.Product
			for i := range benchSKUs {
				p := domain.Product{SKU: fmt.Sprintf("SKU-%05d", i), Name: fmt.Sprintf("Product %05d", i), Weight: 250, HSCode: "620520", Origin: "PT"}
				if err := w.AddProduct(&p); err != nil {
					return err
				}
				products = append(products, p)
			}
			for h := range benchWarehouses {
				wh := domain.Warehouse{Code: fmt.Sprintf("WH-%02d", h), Name: fmt.Sprintf("Warehouse %d", h), TimeZone: "Europe/Lisbon",
					Address: domain.Address{Company: "Portolan Lda", Line1: "Rua 1", City: "Porto", Country: "PT"}}
				if err := w.AddWarehouse(&wh); err != nil {
					return err
				}
				var bins []domain.Location
				for i := range benchBins {
					l := domain.Location{WarehouseID: wh.ID, Code: fmt.Sprintf("%c-%02d-%02d", 'A'+i%4, i/40, i%40), Zone: string(rune('A' + i%4)), PickSequence: i}
					if err := w.AddLocation(&l); err != nil {
						return err
					}
					bins = append(bins, l)
				}
				for i, p := range products {
					if err := w.AddStock(p.ID, bins[i%benchBins].ID, "", "", domain.Quantity(20+i%50)); err != nil {
						return err
					}
					if err := w.AddStock(p.ID, bins[(i*7+3)%benchBins].ID, "", "", domain.Quantity(10+i%30)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if invErr != nil {
			return
		}
		l := db.LedgerStore()
		for i := 0; i < benchSKUs; i += 10 {
			if invErr = l.SetPolicy(ctx, fmt.Sprintf("SKU-%05d", i), "WH-00", 60, 120); invErr != nil {
				return
			}
		}
		for i := 0; i < benchSKUs; i += 5 {
			if invErr = l.Reserve(ctx, &domain.Reservation{SKU: fmt.Sprintf("SKU-%05d", i), Warehouse: "WH-00", Qty: 5}); invErr != nil {
				return
			}
		}
	})
	if invErr != nil {
		b.Fatal(invErr)
	}
	return filepath.Join(invDir, "inv.db")
}

func copyInventoryDB(b *testing.B) *sqlite.DB {
	src := inventoryDB(b)
	dst := filepath.Join(b.TempDir(), "copy.db")
	for _, suffix := range []string{"", "-wal"} {
		data, err := os.ReadFile(src + suffix)
		if os.IsNotExist(err) && suffix != "" {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	db, err := sqlite.Open(dst, domaintest.NewClock().Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkInventoryFirstPage5000x10 is what the Inventory screen runs when
// it opens or a filter changes: the count of matching products and their
// first page of 200 rows with every warehouse's totals.
func BenchmarkInventoryFirstPage5000x10(b *testing.B) {
	db := copyInventoryDB(b)
	s := db.StockStore()
	var wh int64
	whs, _ := db.CatalogStore().Warehouses(context.Background())
	wh = whs[0].ID
	for _, c := range []struct {
		name string
		f    domain.StockFilter
	}{
		{"all warehouses", domain.StockFilter{}},
		{"one warehouse", domain.StockFilter{WarehouseID: wh}},
		{"zone", domain.StockFilter{WarehouseID: wh, Zone: "C"}},
		{"low stock", domain.StockFilter{LowOnly: true}},
		{"search", domain.StockFilter{Search: "SKU-04"}},
		{"sort by available", domain.StockFilter{Sort: domain.SortByAvailable}},
		{"sort by on hand, one warehouse", domain.StockFilter{WarehouseID: wh, Sort: domain.SortByOnHand}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				n, err := s.CountProductStock(context.Background(), c.f)
				if err != nil || n == 0 {
					b.Fatal(n, err)
				}
				page, err := s.ProductStockPage(context.Background(), c.f, 0, 200)
				if err != nil || len(page) == 0 {
					b.Fatal(len(page), err)
				}
			}
		})
	}
}

// everySKUOnce is a transfer's lines: one unit of every SKU.
func everySKUOnce() []domain.TransferLine {
	lines := make([]domain.TransferLine, benchSKUs)
	for i := range lines {
		lines[i] = domain.TransferLine{SKU: fmt.Sprintf("SKU-%05d", i), Qty: 1}
	}
	return lines
}

// BenchmarkTransfer5000Lines sends one transfer of 5,000 lines (every SKU)
// from one warehouse to another in one transaction: 20,000 movements.
func BenchmarkTransfer5000Lines(b *testing.B) {
	l := copyInventoryDB(b).LedgerStore()
	lines := everySKUOnce()
	for b.Loop() {
		t := &domain.Transfer{From: "WH-01", To: "WH-02", Lines: lines}
		if err := l.SendTransfer(context.Background(), t); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(benchSKUs*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkReceiveTransfer5000Lines confirms a 5,000-line transfer.
func BenchmarkReceiveTransfer5000Lines(b *testing.B) {
	l := copyInventoryDB(b).LedgerStore()
	lines := everySKUOnce()
	for b.Loop() {
		b.StopTimer()
		t := &domain.Transfer{From: "WH-03", To: "WH-04", Lines: lines}
		if err := l.SendTransfer(context.Background(), t); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := l.ReceiveTransfer(context.Background(), t.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPost100kMovements posts a 100,000-row stock snapshot (every bin
// of every SKU in every warehouse set to a new quantity) in one transaction:
// 100,000 adjustments, each checked against the bin and the warehouse's
// reservations.
func BenchmarkPost100kMovements(b *testing.B) {
	db := copyInventoryDB(b)
	levels, err := db.StockStore().StockLevels(context.Background(), "")
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]domain.SnapshotRow, 0, len(levels))
	for i, lv := range levels {
		rows = append(rows, domain.SnapshotRow{Row: i + 2, SKU: lv.SKU, Warehouse: lv.Warehouse, Location: lv.Location})
	}
	if len(rows) < 100_000 {
		b.Fatalf("only %d balances", len(rows))
	}
	rows = rows[:100_000]
	round, moved := 0, 0
	for b.Loop() {
		round++
		for i := range rows {
			// 100+ in odd rounds, under 100 in even ones: every bin changes every round.
			rows[i].Qty = domain.Quantity(10 + (i+round)%7 + round%2*100)
		}
		res, err := db.LedgerStore().PostSnapshot(context.Background(), rows, domain.ReasonCountCorrection, "bench")
		if err != nil || res.Changed != len(rows) || len(res.Problems) != 0 {
			b.Fatalf("%d changed, %d problems (%v), %v", res.Changed, len(res.Problems), res.Problems[:min(3, len(res.Problems))], err)
		}
		moved += res.Changed
	}
	b.ReportMetric(float64(moved)/b.Elapsed().Seconds(), "movements/s")
}

// BenchmarkAdjustOne is one adjustment in its own transaction, as the window
// and the command line post them.
func BenchmarkAdjustOne(b *testing.B) {
	db := copyInventoryDB(b)
	l := db.LedgerStore()
	i := 0
	for b.Loop() {
		i++
		q := domain.Quantity(1)
		if i%2 == 0 {
			q = -1
		}
		if _, err := l.Adjust(context.Background(), domain.Adjustment{SKU: "SKU-00001", Warehouse: "WH-05", Location: "B-00-01", Qty: q,
			Reason: domain.ReasonFound}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMain(m *testing.M) {
	code := pgtest.Run(m)
	if invDir != "" {
		os.RemoveAll(invDir)
	}
	os.Exit(code)
}

// addOpenOrders adds n new orders of 1–3 lines over the benchmark SKUs.
func addOpenOrders(b *testing.B, db *sqlite.DB, n int) {
	ctx := context.Background()
	ch := domain.Channel{Code: "BENCH", Name: "Bench", Kind: domain.ChannelManual}
	if err := db.CatalogStore().CreateChannel(ctx, &ch); err != nil {
		b.Fatal(err)
	}
	countries := []domain.Country{"PT", "ES", "FR", "DE", "GB", "US", "JP", "AU", "NL", "IT"}
	err := db.Bulk(ctx, func(w domain.BulkWriter) error {
		for i := range n {
			o := &domain.Order{ChannelID: ch.ID, ExternalID: fmt.Sprint(i), Number: fmt.Sprintf("B-%06d", i), PlacedAt: placedAt,
				Currency: "EUR", Status: domain.StatusNew, CustomerEmail: "b@example.com",
				ShipTo: domain.Address{Name: "Ana Lima", Line1: "Rua 2", City: "Lisboa", Country: countries[i%len(countries)]}}
			for l := range 1 + i%3 {
				o.Lines = append(o.Lines, domain.OrderLine{SKU: fmt.Sprintf("SKU-%05d", (i*7+l*13)%benchSKUs), Name: "x", Quantity: 1,
					UnitPrice: domain.NewMoney(1000, "EUR")})
			}
			o.Total, _ = o.ComputedTotal()
			o.History = []domain.StatusChange{{At: placedAt, To: domain.StatusNew, Reason: "bench"}}
			if err := w.AddOrder(o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPlanFromDatabase100k reads 100,000 open orders (≈200,000 lines)
// and the stock of 5,000 SKUs × 10 warehouses from the database and plans
// them: what "allocate --dry-run" does before printing.
func BenchmarkPlanFromDatabase100k(b *testing.B) {
	db := copyInventoryDB(b)
	addOpenOrders(b, db, 100_000)
	ctx := context.Background()
	s := db.AllocationStore()
	whs, _ := db.CatalogStore().Warehouses(ctx)
	rates := domain.DefaultRates(whs, []domain.Country{"PT", "ES", "FR", "DE", "GB", "US", "JP", "AU", "NL", "IT"})
	b.ReportAllocs()
	for b.Loop() {
		orders, err := s.OpenOrders(ctx, domain.OrderFilter{})
		if err != nil || len(orders) != 100_000 {
			b.Fatal(len(orders), err)
		}
		avail, err := s.Availability(ctx)
		if err != nil {
			b.Fatal(err)
		}
		p := domain.PlanAllocation(domain.AllocInput{Orders: orders, Available: avail, Warehouses: whs, Rates: rates, Config: domain.DefaultAllocConfig()})
		if p.Totals.Orders != 100_000 {
			b.Fatal(p.Totals)
		}
	}
}

// BenchmarkCommit10kOrders commits a plan of 10,000 orders (1–3 lines each)
// against the 5,000 SKU × 10 warehouse stock: every line reserved, every
// order's status, note and history written, in one transaction.
func BenchmarkCommit10kOrders(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := copyInventoryDB(b)
		addOpenOrders(b, db, 10_000)
		s := db.AllocationStore()
		orders, err := s.OpenOrders(ctx, domain.OrderFilter{})
		if err != nil {
			b.Fatal(err)
		}
		avail, _ := s.Availability(ctx)
		whs, _ := db.CatalogStore().Warehouses(ctx)
		var countries []domain.Country
		for _, c := range []string{"PT", "ES", "FR", "DE", "GB", "US"} {
			countries = append(countries, domain.Country(c))
		}
		plan := domain.PlanAllocation(domain.AllocInput{Orders: orders, Available: avail, Warehouses: whs,
			Rates: domain.DefaultRates(whs, countries), Config: domain.DefaultAllocConfig()})
		if plan.Totals.Allocated < 9_000 {
			b.Fatalf("only %d of 10,000 allocated", plan.Totals.Allocated)
		}
		b.StartTimer()
		res, err := s.CommitPlan(ctx, plan, placedAt)
		if err != nil || len(res.Conflicts) != 0 || res.Allocated != plan.Totals.Allocated+plan.Totals.Partial {
			b.Fatalf("%+v %v", res, err)
		}
	}
}
