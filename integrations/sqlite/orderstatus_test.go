package sqlite_test

import (
	"errors"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// Every status change the store makes goes through the domain's state
// machine: an illegal one is refused and changes nothing.
func TestStatusChangesFollowTheStateMachine(t *testing.T) {
	db := openTemp(t)
	f := newFixture(t, db)
	o := order(f.channel.ID, "77", "#77", time.Date(2026, 10, 3, 9, 0, 0, 0, time.UTC), "A", "a@example.com", "DE", "EUR", "PRT-1")
	must(t, db.OrderStore().CreateOrder(ctx, o))
	err := db.TransitionOrder(ctx, o.ID, string(domain.StatusDelivered), "skipping the warehouse and the carrier")
	if !errors.Is(err, domain.ErrIllegalTransition) || domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("new → delivered: %v", err)
	}
	got, _ := db.OrderStore().Order(ctx, o.ID)
	if got.Status != domain.StatusNew || len(got.History) != 1 {
		t.Errorf("a refused change changed the order: %s, %d history lines", got.Status, len(got.History))
	}
	must(t, db.TransitionOrder(ctx, o.ID, string(domain.StatusOnHold), "address check"))
	got, _ = db.OrderStore().Order(ctx, o.ID)
	if got.Status != domain.StatusOnHold || len(got.History) != 2 || got.History[1].From != domain.StatusNew || got.History[1].Reason != "address check" {
		t.Errorf("new → on hold: %s %+v", got.Status, got.History)
	}
}
