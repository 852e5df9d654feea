package sqlite_test

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// The rules the schema keeps itself (SQLite's triggers, as PostgreSQL
// functions) hold on PostgreSQL too, with the same words.
func TestSchemaRules(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	openPG(t, dsn)
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	run := func(q string, args ...any) error {
		_, err := c.Exec(ctx, q, args...)
		return err
	}
	must := func(q string, args ...any) {
		t.Helper()
		if err := run(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	refused := func(q, words string) {
		t.Helper()
		if err := run(q); err == nil || !strings.Contains(err.Error(), words) {
			t.Errorf("%s: %v, want %q", q, err, words)
		}
	}
	count := func(q string) (n int) {
		t.Helper()
		if err := c.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}

	// A new warehouse has its dock and transit bins.
	must(`INSERT INTO portolan.warehouses (id, code, name, addr_country, time_zone) VALUES (1, 'NL-VEN', 'Venlo', 'NL', 'Europe/Amsterdam')`)
	if n := count(`SELECT count(*) FROM portolan.locations WHERE warehouse_id = 1 AND code IN ('RECEIVING', 'STAGING', 'IN-TRANSIT')`); n != 3 {
		t.Errorf("%d special bins", n)
	}

	// The stock ledger is append-only.
	must(`INSERT INTO portolan.products (id, sku, name) VALUES (1, 'PRT-1', 'Part')`)
	must(`INSERT INTO portolan.stock_movements (at, kind, product_id, warehouse_id, location_id, qty)
		SELECT 0, 'receipt', 1, 1, id, 5 FROM portolan.locations WHERE code = 'RECEIVING'`)
	refused(`UPDATE portolan.stock_movements SET qty = 6`, "the stock ledger is append-only")
	refused(`DELETE FROM portolan.stock_movements`, "the stock ledger is append-only")

	// Cancelling an order gives back its reservations and its allocation.
	must(`INSERT INTO portolan.channels (id, code, name, kind, created_at) VALUES (1, 'WEB', 'Web', 'manual', 0)`)
	must(`INSERT INTO portolan.orders (id, channel_id, external_id, number, placed_at, updated_at, currency, total_minor, units, ship_country, status)
		VALUES (1, 1, 'A', '#1', 0, 0, 'EUR', 100, 2, 'NL', 'allocated'), (2, 1, 'B', '#2', 0, 0, 'EUR', 100, 1, 'NL', 'allocated')`)
	must(`INSERT INTO portolan.stock_totals (product_id, warehouse_id, on_hand, reserved) VALUES (1, 1, 5, 3)`)
	must(`INSERT INTO portolan.reservations (id, product_id, warehouse_id, order_id, qty, created_at) VALUES (1, 1, 1, 1, 1, 0), (2, 1, 1, 1, 1, 0), (3, 1, 1, 2, 1, 0)`)
	must(`INSERT INTO portolan.order_lines (order_id, line_no, sku, quantity, unit_price_minor) VALUES (1, 1, 'PRT-1', 2, 50)`)
	must(`INSERT INTO portolan.allocations (order_id, line_no, warehouse_id, qty, reservation_id, created_at) VALUES (1, 1, 1, 2, 1, 0)`)
	must(`UPDATE portolan.orders SET status = 'cancelled' WHERE id = 1`)
	if r := count(`SELECT reserved FROM portolan.stock_totals`); r != 1 {
		t.Errorf("reserved %d after the cancel, want 1 (the other order's)", r)
	}
	if n := count(`SELECT count(*) FROM portolan.reservations WHERE order_id = 1`) + count(`SELECT count(*) FROM portolan.allocations`); n != 0 {
		t.Errorf("%d reservations or allocations left of the cancelled order", n)
	}

	// An issued invoice and its charges are fixed; a draft is not.
	must(`INSERT INTO portolan.clients (id, code, name, currency) VALUES (1, 'SHOP', 'Shop', 'EUR')`)
	must(`INSERT INTO portolan.invoices (id, client_id, period_from, period_to, currency, net, tax, created_at) VALUES (1, 1, '2026-10-01', '2026-11-01', 'EUR', 100, 21, 0)`)
	must(`INSERT INTO portolan.charges (client_id, type, day, source_kind, source_id, ref, qty, rate, amount, currency, invoice_id)
		VALUES (1, 'pick', '2026-10-02', 'order', 1, '#1', 1, 100, 100, 'EUR', 1)`)
	must(`UPDATE portolan.charges SET amount = 90`)
	must(`UPDATE portolan.invoices SET net = 90, number = 'INV-1'`)
	refused(`UPDATE portolan.invoices SET net = 80`, "an issued invoice cannot be changed; issue a credit note")
	refused(`DELETE FROM portolan.invoices`, "an issued invoice cannot be deleted; issue a credit note")
	refused(`UPDATE portolan.charges SET amount = 80`, "a charge on an issued invoice cannot be changed")
	refused(`DELETE FROM portolan.charges`, "a charge on an issued invoice cannot be deleted")
	must(`UPDATE portolan.invoices SET paid = 111, status = 'paid'`) // payment is recorded on an issued invoice

	// Names that differ only in case are the same client or carrier account.
	refused(`INSERT INTO portolan.clients (id, code, name, currency) VALUES (2, 'shop', 'Other', 'EUR')`, "clients_code")
}
