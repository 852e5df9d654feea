package sqlite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

func TestIssuedInvoicesNeverChange(t *testing.T) {
	db := openTemp(t)
	newFixture(t, db)
	b := db.BillingStore()
	c := domain.Client{Code: "ACME", Name: "Acme", Currency: "EUR", PaymentDays: 14, TaxBP: 2100}
	must(t, b.SaveClient(ctx, &c))
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	n, err := b.AddCharges(ctx, []domain.Charge{{ClientID: c.ID, Type: domain.ChargeOrder, Date: day, SourceKind: "order", SourceID: 1, Ref: "=HYPERLINK(\"x\")", Qty: 1, Rate: 150, Amount: 150, Currency: "EUR"}}, nil)
	must(t, err)
	if n != 1 {
		t.Fatalf("%d charges", n)
	}
	// The same source again is not charged twice.
	if n, _ := b.AddCharges(ctx, []domain.Charge{{ClientID: c.ID, Type: domain.ChargeOrder, Date: day, SourceKind: "order", SourceID: 1, Ref: "x", Qty: 1, Rate: 999, Amount: 999, Currency: "EUR"}}, nil); n != 0 {
		t.Errorf("charged twice")
	}
	charges, _ := b.Charges(ctx, domain.ChargeFilter{ClientID: c.ID, From: day, To: day.AddDate(0, 1, 0)}, 0, 10)
	inv := domain.Invoice{ClientID: c.ID, PeriodFrom: day, PeriodTo: day.AddDate(0, 1, 0), Currency: "EUR", Net: 150, Tax: 32}
	must(t, b.CreateInvoice(ctx, &inv, []int64{charges[0].ID}))
	issued, err := b.IssueInvoice(ctx, inv.ID, day.AddDate(0, 1, 0), 14)
	must(t, err)
	if issued.Number != "INV-2026-00001" || !issued.Due.Equal(time.Date(2026, 12, 17, 0, 0, 0, 0, time.UTC)) || len(issued.Lines) != 1 {
		t.Fatalf("issued %+v", issued)
	}
	// The database itself refuses changes to an issued invoice and its charges.
	for _, q := range []string{`UPDATE invoices SET net = 1 WHERE id = 1`, `DELETE FROM invoices WHERE id = 1`,
		`UPDATE charges SET amount = 1 WHERE id = 1`, `DELETE FROM charges WHERE id = 1`} {
		if err := db.ExecForTest(context.Background(), q); err == nil || !strings.Contains(err.Error(), "cannot be") {
			t.Errorf("%s: %v", q, err)
		}
	}
	if _, err := b.DropUnbilled(ctx, c.ID, "", day, day.AddDate(0, 1, 0)); err != nil {
		t.Errorf("drop unbilled: %v", err)
	}
	if got, _ := b.Invoice(ctx, inv.ID); got.Net != 150 || len(got.Lines) != 1 {
		t.Errorf("after dropping unbilled charges: %+v", got)
	}
	// Payments move it to partly paid, then paid.
	must(t, b.AddPayment(ctx, &domain.Payment{InvoiceID: inv.ID, At: day.AddDate(0, 1, 5), Amount: domain.NewMoney(100, "EUR"), Applied: 100}))
	if got, _ := b.Invoice(ctx, inv.ID); got.Status != domain.InvoicePartly || got.Open() != 82 {
		t.Errorf("partly paid %+v", got)
	}
	must(t, b.AddPayment(ctx, &domain.Payment{InvoiceID: inv.ID, At: day.AddDate(0, 1, 6), Amount: domain.NewMoney(82, "EUR"), Applied: 82}))
	if got, _ := b.Invoice(ctx, inv.ID); got.Status != domain.InvoicePaid || got.Open() != 0 {
		t.Errorf("paid %+v", got)
	}
}

// A use case in InTx is one transaction: its reads see its writes, and an
// error keeps none of them.
func TestInTxIsOneTransaction(t *testing.T) {
	db := openTemp(t)
	b := db.BillingStore()
	failed := errors.New("the third step failed")
	err := db.InTx(ctx, func(ctx context.Context) error {
		c := domain.Client{Code: "TX", Name: "Transaction GmbH", Currency: "EUR"}
		if err := b.SaveClient(ctx, &c); err != nil {
			return err
		}
		seen, err := b.Clients(ctx)
		if err != nil || len(seen) != 1 {
			t.Errorf("inside the transaction: %d client(s), %v", len(seen), err)
		}
		return failed
	})
	if !errors.Is(err, failed) {
		t.Fatalf("InTx returned %v", err)
	}
	if after, _ := b.Clients(ctx); len(after) != 0 {
		t.Errorf("a failed transaction kept %d client(s)", len(after))
	}
}
