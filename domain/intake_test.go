package domain_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

func TestCheckCredentialURL(t *testing.T) {
	ok := []string{"https://store.example", "https://shop.myshopify.com/", "http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9000"}
	bad := []string{"http://store.example", "http://192.168.1.10", "ftp://store.example", "store.example", "", "https://"}
	for _, u := range ok {
		if _, err := domain.CheckCredentialURL(u); err != nil {
			t.Errorf("%q refused: %v", u, err)
		}
	}
	for _, u := range bad {
		if _, err := domain.CheckCredentialURL(u); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q accepted (err %v)", u, err)
		}
	}
}

func TestMergeSource(t *testing.T) {
	at := sampleOrder().PlacedAt.Add(48 * time.Hour)
	changed := func(cancelled bool) domain.SourceOrder {
		o := sampleOrder()
		o.Lines[0].Quantity = 5
		o.ShipTo.Line1 = "神南2-3-4"
		return domain.SourceOrder{Order: o, SourceStatus: map[bool]string{true: "cancelled", false: "processing"}[cancelled], Cancelled: cancelled}
	}
	tests := []struct {
		name       string
		status     domain.OrderStatus
		cancelled  bool
		wantStatus domain.OrderStatus
		wantQty    domain.Quantity
		wantReason string
	}{
		{"new order takes the change", domain.StatusNew, false, domain.StatusNew, 5, "updated from Shop"},
		{"held order takes the change", domain.StatusOnHold, false, domain.StatusOnHold, 5, "updated from Shop"},
		{"allocated order keeps its lines", domain.StatusAllocated, false, domain.StatusAllocated, 2, "after allocation"},
		{"cancelled in the shop", domain.StatusNew, true, domain.StatusCancelled, 5, "cancelled in Shop"},
		{"cancelled while picking", domain.StatusPicking, true, domain.StatusCancelled, 2, "cancelled in Shop"},
		{"cancelled after shipping is noted", domain.StatusShipped, true, domain.StatusShipped, 2, "needs attention"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := sampleOrder()
			stored.Status = tt.status
			domain.MergeSource(&stored, changed(tt.cancelled), "Shop", at)
			if stored.Status != tt.wantStatus || stored.Lines[0].Quantity != tt.wantQty {
				t.Errorf("status %s qty %d, want %s %d", stored.Status, stored.Lines[0].Quantity, tt.wantStatus, tt.wantQty)
			}
			last := stored.History[len(stored.History)-1]
			if !strings.Contains(last.Reason, tt.wantReason) {
				t.Errorf("last history %+v, want %q", last, tt.wantReason)
			}
		})
	}
	src := changed(true)
	o := domain.NewFromSource(src, "Shop", at)
	if o.Status != domain.StatusCancelled || len(o.History) != 2 || o.History[0].Reason != "imported from Shop" {
		t.Errorf("new cancelled order %s %+v", o.Status, o.History)
	}
	a, b := changed(false), changed(false)
	if a.Fingerprint() != b.Fingerprint() {
		t.Error("same content, different fingerprints")
	}
	b.Order.Lines[0].Quantity++
	if a.Fingerprint() == b.Fingerprint() {
		t.Error("a changed quantity keeps the fingerprint")
	}
	if s := fmt.Sprintf("%v %+v %#v", domain.Credentials{Secret: "cs_live_123"}, domain.Credentials{Secret: "cs_live_123"}, domain.Credentials{Secret: "cs_live_123"}); strings.Contains(s, "cs_live") {
		t.Errorf("credentials printed: %s", s)
	}
}
