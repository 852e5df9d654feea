package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// An ERP export: one row per line, its own headers, names in several scripts.
const erpCSV = `Order No;Order Date;Currency;Article;Qty;Unit Price;Ship To;Street;Town;Post Code;Country;Phone;E-mail
SO-9001;2026-11-20 09:15;JPY;PRT-10013;1;9800;山田 太郎;神南1-2-3;渋谷区;150-0041;JP;;taro@example.jp
SO-9001;;JPY;PRT-10001;2;2400;;;;;;;
SO-9002;2026-11-20 10:00;KWD;PRT-10020;4;2,500;دانة المطيري;شارع سالم المبارك;السالمية;22000;KW;+965 2555 0101;dana@example.kw
SO-9003;2026-11-20 11:00;EUR;PRT-10002;1;49,90;=HYPERLINK("http://x");Königsallee 5;Düsseldorf;40212;DE;;
SO-9004;2026-11-20 12:00;EUR;PRT-10002;-1;49,90;Γιώργος Παπαδόπουλος;Οδός Ερμού 5;Αθήνα;105 63;GR;;
`

func TestCLIImportFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "import.db")
	file := filepath.Join(dir, "erp.csv")
	os.WriteFile(file, []byte(erpCSV), 0o644)
	mapping := filepath.Join(dir, "mapping.json")
	os.WriteFile(mapping, []byte(`{"order_id":"Order No","placed_at":"Order Date","currency":"Currency","sku":"Article",
		"quantity":"Qty","unit_price":"Unit Price","name":"Ship To","address1":"Street","city":"Town","postal_code":"Post Code",
		"country":"Country","phone":"Phone","email":"E-mail"}`), 0o644)

	if _, errs, code := runCLI(t, "--db", db, "channels", "add", "--kind", "file", "--name", "ERP"); code != 0 {
		t.Fatal(errs)
	}
	// Without a mapping the unusual headers leave required fields unmapped: a dry run says which.
	out, errs, code := runCLI(t, "--db", db, "import", file, "--channel", "ERP", "--dry-run")
	if code == 0 || !strings.Contains(errs, "map a column to") {
		t.Errorf("unmapped dry run: %d\n%s\n%s", code, out, errs)
	}
	out, errs, code = runCLI(t, "--db", db, "import", file, "--channel", "ERP", "--mapping", mapping, "--dry-run")
	if code != 0 || !strings.Contains(out, "5 rows, 3 orders ready, 1 problems") || !strings.Contains(out, "row 6 (order SO-9004), Qty") ||
		!strings.Contains(out, "nothing was written") {
		t.Fatalf("dry run: %d\n%s\n%s", code, out, errs)
	}
	if out, _, _ := runCLI(t, "--db", db, "orders", "list", "--format", "json"); strings.TrimSpace(out) != "[]" {
		t.Fatalf("dry run wrote orders: %s", out)
	}
	out, errs, code = runCLI(t, "--db", db, "import", file, "--channel", "ERP", "--mapping", mapping, "--tz", "Asia/Tokyo")
	if code != 1 || !strings.Contains(out, "3 new, 0 updated, 0 unchanged, 1 quarantined") || !strings.Contains(errs, "quarantined") {
		t.Fatalf("import: %d\n%s\n%s", code, out, errs)
	}
	out, _, _ = runCLI(t, "--db", db, "orders", "list", "--format", "json")
	var orders []struct {
		Channel    string                `json:"channel"`
		ExternalID string                `json:"external_id"`
		PlacedAt   string                `json:"placed_at"`
		Currency   string                `json:"currency"`
		Total      string                `json:"total"`
		ShipTo     struct{ Name string } `json:"ship_to"`
		Lines      []struct{ SKU string }
	}
	if err := json.Unmarshal([]byte(out), &orders); err != nil || len(orders) != 3 {
		t.Fatalf("%v %s", err, out)
	}
	if o := orders[0]; o.Channel != "ERP" || o.ExternalID != "SO-9001" || o.Total != "14600" || len(o.Lines) != 2 ||
		o.PlacedAt != "2026-11-20T00:15:00Z" || o.ShipTo.Name != "山田 太郎" {
		t.Errorf("SO-9001 %+v", o)
	}
	if o := orders[1]; o.Currency != "KWD" || o.Total != "10.000" {
		t.Errorf("SO-9002 %+v", o)
	}
	if o := orders[2]; o.ShipTo.Name != `=HYPERLINK("http://x")` {
		t.Errorf("text starting with = not kept as text: %q", o.ShipTo.Name)
	}
	// The same file again: nothing new, nothing duplicated; the mapping is remembered.
	out, _, _ = runCLI(t, "--db", db, "import", file, "--channel", "ERP", "--tz", "Asia/Tokyo")
	if !strings.Contains(out, "0 new, 0 updated, 3 unchanged, 1 quarantined") {
		t.Errorf("re-import:\n%s", out)
	}
	out, _, _ = runCLI(t, "--db", db, "sync")
	if !strings.Contains(out, "skipped: its orders come from files") {
		t.Errorf("sync of a file channel:\n%s", out)
	}
	if _, errs, code := runCLI(t, "--db", db, "import", file, "--channel", "Nope"); code != 1 || !strings.Contains(errs, "no channel named") {
		t.Errorf("unknown channel: %d %s", code, errs)
	}
	if _, _, code := runCLI(t, "--db", db, "import", "--channel", "ERP"); code != 2 {
		t.Errorf("no file: %d", code)
	}
}

func TestImportPreviewWritesNothing(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	ch, err := a.Intake.AddChannel(context.Background(), domain.ChannelFile, "Marketplace", "", domain.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.csv")
	os.WriteFile(path, []byte("Id,Currency,Lineitem sku,Lineitem quantity,Shipping Name,Shipping Address1,Shipping City,Shipping Country\n1,EUR,A,1,Ana,Rua 1,Porto,PT\n"), 0o644)
	p, err := a.Intake.PreviewFile(context.Background(), ch, path, app.ImportOptions{})
	if err != nil || p.Ready != 1 || p.ProblemCount != 0 {
		t.Fatalf("%+v %v", p, err)
	}
	if n, _ := a.Orders.CountOrders(context.Background(), domain.OrderFilter{}); n != 0 {
		t.Errorf("preview stored %d orders", n)
	}
}

func TestFixedFileReleasesQuarantinedOrder(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	ctx := context.Background()
	ch, err := a.Intake.AddChannel(ctx, domain.ChannelFile, "Marketplace", "", domain.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	head := "Id,Currency,Lineitem sku,Lineitem quantity,Shipping Name,Shipping Address1,Shipping City,Shipping Country\n"
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(head+"1,EUR,A,1,Ana,Rua 1,Porto,PT\n2,EUR,B,1,Bo,Street 2,London,UK\n"), 0o644)
	p, _ := a.Intake.PreviewFile(ctx, ch, bad, app.ImportOptions{})
	run, err := a.Intake.ImportFile(ctx, ch, p, nil)
	if err != nil || run.New != 1 || run.Quarantined != 1 {
		t.Fatalf("%+v %v", run, err)
	}
	if q := a.Intake.QuarantineCount(ctx, ch.ID); q != 1 {
		t.Fatalf("%d quarantined", q)
	}
	fixed := filepath.Join(dir, "fixed.csv")
	os.WriteFile(fixed, []byte(head+"1,EUR,A,1,Ana,Rua 1,Porto,PT\n2,EUR,B,1,Bo,Street 2,London,GB\n"), 0o644)
	p, _ = a.Intake.PreviewFile(ctx, ch, fixed, app.ImportOptions{})
	run, err = a.Intake.ImportFile(ctx, ch, p, nil)
	if err != nil || run.New != 1 || run.Unchanged != 1 || run.Quarantined != 0 {
		t.Fatalf("%+v %v", run, err)
	}
	if q := a.Intake.QuarantineCount(ctx, ch.ID); q != 0 {
		t.Errorf("fixed order still quarantined (%d)", q)
	}
}

// An order whose rows are spread over the file is still one order: the
// file is read row by row, and each order let go at its last row.
func TestImportOfScatteredRows(t *testing.T) {
	t.Parallel()
	a := openApp(t)
	ch, err := a.Intake.AddChannel(context.Background(), domain.ChannelFile, "ERP", "", domain.Credentials{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "erp.csv")
	os.WriteFile(path, []byte("Id,Currency,Lineitem sku,Lineitem quantity,Shipping Name,Shipping Address1,Shipping City,Shipping Country\n"+
		"1,EUR,A,1,Ana,Rua 1,Porto,PT\n2,EUR,B,2,Bo,Gata 2,Oslo,NO\n1,EUR,C,3,Ana,Rua 1,Porto,PT\n3,EUR,D,1,Cy,Via 3,Roma,IT\n2,EUR,E,1,Bo,Gata 2,Oslo,NO\n"), 0o644)
	p, err := a.Intake.PreviewFile(context.Background(), ch, path, app.ImportOptions{})
	if err != nil || p.Rows != 5 || p.Ready != 3 || p.ProblemCount != 0 {
		t.Fatalf("preview %+v %v", p, err)
	}
	run, err := a.Intake.ImportFile(context.Background(), ch, p, nil)
	if err != nil || run.New != 3 {
		t.Fatalf("import %+v %v", run, err)
	}
	var lines []string
	a.Orders.Each(context.Background(), domain.OrderFilter{}, func(o domain.Order) error {
		var skus []string
		for _, l := range o.Lines {
			skus = append(skus, l.SKU)
		}
		lines = append(lines, o.ExternalID+":"+strings.Join(skus, "+"))
		return nil
	})
	sort.Strings(lines)
	if strings.Join(lines, " ") != "1:A+C 2:B+E 3:D" {
		t.Errorf("orders %v", lines)
	}
}
