package sqlite_test

import (
	"os/user"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// Order status changes, stock movements and prints record the person behind them:
// on SQLite the computer's user, on a team server the session's login.
func TestHistoryAndMovementsSayWho(t *testing.T) {
	t.Parallel()
	db := openTemp(t)
	f := newFixture(t, db)
	want := "postgres" // the test server's login
	if !pgtest.OnPostgres() {
		u, err := user.Current()
		if err != nil {
			t.Skip("no current user to compare with")
		}
		want = u.Username
	}
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 3)
	o := order(f.channel.ID, "W1", "#W1", placedAt, "Ana", "a@example.com", "NL", "EUR", "PRT-1")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	must(t, db.OrderStore().UpdateOrder(ctx, o.ID, func(o *domain.Order) error {
		return o.TransitionTo(domain.StatusOnHold, placedAt, "customer asked to wait")
	}))
	got, err := db.OrderStore().Order(ctx, o.ID)
	must(t, err)
	if n := len(got.History); n == 0 || got.History[n-1].Who != want {
		t.Errorf("history %+v, want the last change by %q", got.History, want)
	}
	moves, err := db.StockStore().Movements(ctx, f.products[0].ID, 0, 10)
	must(t, err)
	if len(moves) == 0 || moves[0].Who != want {
		t.Errorf("movements %+v, want by %q", moves, want)
	}
	must(t, db.LedgerStore().LogPrint(ctx, domain.PrintRecord{At: placedAt, Document: "pick list", Ref: "wave 1", Bytes: 100}))
	if log, err := db.StockStore().PrintLog(ctx, 1); err != nil || len(log) != 1 || log[0].Who != want {
		t.Errorf("print log %+v %v, want by %q", log, err, want)
	}
	// Invoices (drafted, issued) and settings.
	b := db.BillingStore()
	c := domain.Client{Code: "ACME", Name: "Acme", Currency: "EUR", PaymentDays: 14, TaxBP: 2100}
	must(t, b.SaveClient(ctx, &c))
	inv := domain.Invoice{ClientID: c.ID, PeriodFrom: placedAt, PeriodTo: placedAt.AddDate(0, 1, 0), Currency: "EUR", Net: 150, Tax: 32}
	must(t, b.CreateInvoice(ctx, &inv, nil))
	if got, err := b.Invoice(ctx, inv.ID); err != nil || got.DraftedBy != want || got.IssuedBy != "" {
		t.Errorf("draft %+v %v, want drafted by %q", got, err, want)
	}
	issued, err := b.IssueInvoice(ctx, inv.ID, placedAt.AddDate(0, 1, 0), 14)
	if err != nil || issued.IssuedBy != want {
		t.Errorf("issued %+v %v, want by %q", issued, err, want)
	}
	if c, err := db.SettingChanged(ctx, domain.SettingAllocation); err != nil || !c.At.IsZero() {
		t.Errorf("a setting never saved: %+v %v", c, err)
	}
	must(t, db.AllocationStore().SetAllocConfig(ctx, domain.DefaultAllocConfig()))
	if c, err := db.SettingChanged(ctx, domain.SettingAllocation); err != nil || c.By != want || !c.At.Equal(clock()) {
		t.Errorf("the planner's settings changed %+v %v, want by %q at %v", c, err, want, clock())
	}
}
