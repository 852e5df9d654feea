package sqlite_test

import (
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestReceiveAgainstInboundWithOverAndUnder(t *testing.T) {
	db, l := fixtureLedger(t)
	in := &domain.Inbound{Warehouse: "NL-VEN", Reference: "PO-4471", Supplier: "Kyoto Ceramics 京都陶器", ExpectedOn: "2026-11-20",
		Lines: []domain.InboundLine{{SKU: "PRT-1", Expected: 10}, {SKU: "PRT-2", Expected: 6}}}
	must(t, l.CreateInbound(ctx, in))
	if err := l.CreateInbound(ctx, &domain.Inbound{Warehouse: "NL-VEN", Reference: "PO-4471", Lines: in.Lines}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("duplicate reference: %v", err)
	}
	for _, bad := range []*domain.Inbound{
		{Warehouse: "NL-VEN", Reference: "", Lines: in.Lines},
		{Warehouse: "NL-VEN", Reference: "X", ExpectedOn: "soon", Lines: in.Lines},
		{Warehouse: "NL-VEN", Reference: "Y"},
		{Warehouse: "NL-VEN", Reference: "Z", Lines: []domain.InboundLine{{SKU: "PRT-404", Expected: 1}}},
	} {
		if err := l.CreateInbound(ctx, bad); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
	got, err := l.Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", InboundID: in.ID, Lines: []domain.ReceiptLine{
		{SKU: "PRT-1", Qty: 12}, {SKU: "PRT-2", Qty: 4}, {SKU: "PRT-3", Qty: 1}}})
	must(t, err)
	if len(got) != 3 || got[0].Variance() != 2 || got[1].Variance() != -2 || !got[2].Unexpected {
		t.Errorf("received lines %+v", got)
	}
	list, err := db.StockStore().Inbounds(ctx, domain.InboundOpen)
	must(t, err)
	if len(list) != 1 || list[0].Status != domain.InboundOpen || len(list[0].Lines) != 3 || list[0].Supplier != "Kyoto Ceramics 京都陶器" {
		t.Fatalf("open inbounds %+v", list)
	}
	// The rest of PRT-2 arrives: every expected line is complete.
	_, err = l.Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", InboundID: in.ID, Lines: []domain.ReceiptLine{{SKU: "PRT-2", Qty: 2}}})
	must(t, err)
	list, _ = db.StockStore().Inbounds(ctx, "")
	if list[0].Status != domain.InboundReceived {
		t.Errorf("status after full receipt: %s", list[0].Status)
	}
	if _, err := l.Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", InboundID: in.ID, Lines: []domain.ReceiptLine{{SKU: "PRT-2", Qty: 1}}}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("receipt against a received inbound: %v", err)
	}
	// Everything landed in RECEIVING, explained by the ledger.
	levels, err := db.StockStore().StockLevels(ctx, "NL-VEN")
	must(t, err)
	for _, lv := range levels {
		if lv.Location != domain.ReceivingBin {
			t.Errorf("received stock in %s", lv.Location)
		}
	}
	tt := totals(t, db)
	if tt["PRT-1@NL-VEN"].OnHand != 12 || tt["PRT-2@NL-VEN"].OnHand != 6 || tt["PRT-3@NL-VEN"].OnHand != 1 {
		t.Errorf("totals %+v", tt)
	}
	// Short and closed by hand.
	short := &domain.Inbound{Warehouse: "JP-ICH", Reference: "ASN-77", Lines: []domain.InboundLine{{SKU: "PRT-3", Expected: 5}}}
	must(t, l.CreateInbound(ctx, short))
	_, err = l.Receive(ctx, domain.Receipt{Warehouse: "JP-ICH", InboundID: short.ID, Lines: []domain.ReceiptLine{{SKU: "PRT-3", Qty: 3}}})
	must(t, err)
	must(t, l.CloseInbound(ctx, short.ID))
	closed, _ := db.StockStore().Inbounds(ctx, domain.InboundClosed)
	if len(closed) != 1 || closed[0].Lines[0].Variance() != -2 {
		t.Errorf("closed short %+v", closed)
	}
	if _, err := l.Receive(ctx, domain.Receipt{Warehouse: "JP-ICH", Lines: []domain.ReceiptLine{{SKU: "PRT-3", Qty: 2}}, Note: "found at the dock"}); err != nil {
		t.Errorf("ad hoc receipt: %v", err)
	}
	verifyClean(t, db)
}

func TestPutawaySuggestsBins(t *testing.T) {
	db, l := fixtureLedger(t)
	// PRT-1 already lives in A-01-02-1 (pick sequence 20).
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-02-1", 2)
	_, err := l.Receive(ctx, domain.Receipt{Warehouse: "NL-VEN", Lines: []domain.ReceiptLine{{SKU: "PRT-1", Qty: 8}, {SKU: "PRT-2", Qty: 5}}})
	must(t, err)
	tasks, err := l.PutawayTasks(ctx, "NL-VEN")
	must(t, err)
	if len(tasks) != 2 || tasks[0].SKU != "PRT-1" || tasks[0].Suggested != "A-01-02-1" || !strings.Contains(tasks[0].Why, "already holds") {
		t.Fatalf("tasks %+v", tasks)
	}
	// PRT-2 has never been stored here: the first empty bin in pick order (B-01-01-1, sequence 10).
	if tasks[1].Suggested != "B-01-01-1" || !strings.Contains(tasks[1].Why, "empty") {
		t.Errorf("suggestion for a new SKU: %+v", tasks[1])
	}
	must(t, l.Putaway(ctx, domain.Putaway{SKU: "PRT-1", Warehouse: "NL-VEN", ToBin: tasks[0].Suggested, Qty: 8}))
	// The user chooses another bin than suggested for part of PRT-2.
	must(t, l.Putaway(ctx, domain.Putaway{SKU: "PRT-2", Warehouse: "NL-VEN", ToBin: "A-01-01-1", Qty: 3}))
	if err := l.Putaway(ctx, domain.Putaway{SKU: "PRT-2", Warehouse: "NL-VEN", ToBin: "A-01-01-1", Qty: 3}); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("put away more than received: %v", err)
	}
	if err := l.Putaway(ctx, domain.Putaway{SKU: "PRT-2", Warehouse: "NL-VEN", ToBin: domain.StagingBin, Qty: 1}); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("put away into STAGING: %v", err)
	}
	tasks, _ = l.PutawayTasks(ctx, "NL-VEN")
	if len(tasks) != 1 || tasks[0].SKU != "PRT-2" || tasks[0].Qty != 2 || tasks[0].Suggested != "A-01-01-1" {
		t.Errorf("left to put away: %+v", tasks)
	}
	if tt := totals(t, db)["PRT-1@NL-VEN"]; tt.OnHand != 10 {
		t.Errorf("putaway changed the total: %+v", tt)
	}
	verifyClean(t, db)
}

func TestBlindCycleCount(t *testing.T) {
	db, l := fixtureLedger(t)
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 10)
	adjust(t, db, "PRT-2", "NL-VEN", "A-01-02-1", 4)
	adjust(t, db, "PRT-3", "NL-VEN", "B-01-01-1", 9)
	c, err := l.CreateCount(ctx, "NL-VEN", "A", nil)
	must(t, err)
	if c.Scope != "zone A" || len(c.Lines) != 2 || c.Lines[0].Bin != "A-01-02-1" || c.Counted() != 0 {
		t.Fatalf("count %+v", c)
	}
	must(t, l.RecordCount(ctx, c.ID, "A-01-01-1", "PRT-1", "", 8))
	must(t, l.RecordCount(ctx, c.ID, "A-01-02-1", "PRT-3", "", 2)) // found where it was not expected
	if err := l.RecordCount(ctx, c.ID, "B-01-01-1", "PRT-3", "", 9); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("counted a bin outside the count: %v", err)
	}
	// Stock moves in a counted bin while counting: the count posts its difference, not a reset.
	adjust(t, db, "PRT-1", "NL-VEN", "A-01-01-1", 5)
	res, err := l.PostCount(ctx, c.ID)
	must(t, err)
	if res.Posted != 2 || res.Changed != 2 || res.Uncounted != 1 || len(res.Problems) != 0 {
		t.Errorf("posted %+v", res)
	}
	levels, _ := db.StockStore().StockLevels(ctx, "NL-VEN")
	got := map[string]domain.Quantity{}
	for _, lv := range levels {
		got[lv.Location+"/"+lv.SKU] = lv.OnHand
	}
	if got["A-01-01-1/PRT-1"] != 13 || got["A-01-02-1/PRT-3"] != 2 || got["A-01-02-1/PRT-2"] != 4 {
		t.Errorf("after posting: %v", got)
	}
	if _, err := l.PostCount(ctx, c.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("posted twice: %v", err)
	}
	c2, err := l.CreateCount(ctx, "NL-VEN", "", []string{"B-01-01-1"})
	must(t, err)
	must(t, l.CancelCount(ctx, c2.ID))
	open, _ := db.StockStore().Counts(ctx, domain.CountOpen)
	if len(open) != 0 {
		t.Errorf("open counts %+v", open)
	}
	p, _ := db.StockStore().ProductStockPage(ctx, domain.StockFilter{Search: "PRT-3"}, 0, 1)
	moves, _ := db.StockStore().Movements(ctx, p[0].ProductID, 0, 1)
	if len(moves) != 1 || moves[0].Reason != domain.ReasonCountCorrection || moves[0].Doc != "count 1" || moves[0].Note != "counted 2, expected 0" {
		t.Errorf("count movement %+v", moves)
	}
	verifyClean(t, db)
}
