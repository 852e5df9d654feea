package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/sqlite/pgtest"
)

// foldSamples are names and text as orders carry them, in every script the
// demo has and with the letters whose folding is not a removed accent.
var foldSamples = []string{
	"Jürgen Müller", "Straße 5", "Søren Kierkegaard", "Łukasz Żółć", "Æsa Œuvre", "Đorđe Đukić", "İstanbul Işık",
	"ﬁne ﬂour", "Ｆｕｌｌ　ｗｉｄｔｈ １２３", "山田 太郎", "ポルトラン株式会社", "张伟 北京市", "김민준", "محمد المنصوري",
	"Γιώργος Παπαδόπουλος", "ΆΈΉ ΐΰ", "Марко Јовановић", "Ёлка Щука", "Nguyễn Văn Ánh", "㎏ 5 ㎞", "O'Brien-Smith",
	"x_y z__ _a", "sh-100001 | prt-10042 | a.b@mail.example", "«quoted» — dash… ¿qué?", "Ǆemal ǅ ǆ", "ÅSA Ørsted", "",
	"a1 b 2c 3", "Ⅻ ⅻ ① ⓐ", "🙂 smile", "ĳssel ŉ", "Ȁȁ ȯ",
}

func openPGForFold(t *testing.T) *DB {
	t.Helper()
	if !pgtest.OnPostgres() {
		t.Skip("the server's own fold is compared on PostgreSQL (PORTOLAN_TEST_STORE=postgres)")
	}
	db, err := OpenPostgres(context.Background(), pgtest.NewDatabase(t), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.folder.load(context.Background(), db.write); err != nil {
		t.Fatal(err)
	}
	return db
}

// Every character the server's fold or \w treats specially, and every
// sample, folds and splits into word starts in Go exactly as on the server.
func TestFoldIsTheServers(t *testing.T) {
	db := openPGForFold(t)
	ctx := context.Background()
	var chars []string
	for _, rg := range pgFoldRanges {
		for r := rg[0]; r <= rg[1]; r++ {
			chars = append(chars, string(r))
		}
	}
	for _, r := range []rune{'山', '田', 'ア', 'あ', '김', '민', 'م', 'ح', '😀', 0x20000} {
		chars = append(chars, string(r))
	}
	for _, set := range [][]string{chars, foldSamples} {
		rows, err := db.write.QueryContext(ctx, `SELECT t, fold(t), array_to_string(word_starts(fold(t)), ' ') FROM unnest(CAST(? AS text[])) AS t`, set)
		if err != nil {
			t.Fatal(err)
		}
		wrong := 0
		for rows.Next() {
			var text, folded, starts string
			if err := rows.Scan(&text, &folded, &starts); err != nil {
				t.Fatal(err)
			}
			if got := db.folder.fold(text); got != folded {
				wrong++
				t.Errorf("fold(%q) = %q in Go, %q on the server", text, got, folded)
			}
			if got, want := sortedWords(db.folder.starts(folded)), sortedWords(starts); got != want {
				wrong++
				t.Errorf("word starts of %q: %q in Go, %q on the server", folded, got, want)
			}
			if wrong > 20 {
				t.Fatal("too many differences")
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
}

func sortedWords(s string) string {
	w := strings.Fields(s)
	slices.Sort(w)
	return strings.Join(w, " ")
}

// A sync's batch insert stores the folded text and word starts that the
// server computes for an order written without them.
func TestBatchInsertStoresTheServersFold(t *testing.T) {
	db := openPGForFold(t)
	ctx := context.Background()
	ch := domain.Channel{Code: "W", Name: "Woo", Kind: domain.ChannelWooCommerce, BaseURL: "https://w.example"}
	if err := db.IntakeStore().AddChannel(ctx, &ch, domain.Credentials{Key: "ck", Secret: "cs"}); err != nil {
		t.Fatal(err)
	}
	var orders []newOrder
	for i, name := range foldSamples {
		if name == "" {
			continue
		}
		o := &domain.Order{ChannelID: ch.ID, ExternalID: fmt.Sprint(i), Number: fmt.Sprintf("WO-%d", i), PlacedAt: time.Now(),
			Currency: "EUR", Status: domain.StatusNew, CustomerEmail: "c@example.com",
			ShipTo: domain.Address{Name: name, Line1: "1 Street", City: "City", Country: "DE"},
			Lines:  []domain.OrderLine{{SKU: "PRT-1", Name: "item", Quantity: 1, UnitPrice: domain.NewMoney(100, "EUR")}}}
		o.Total, _ = o.ComputedTotal()
		orders = append(orders, newOrder{o: o, src: sourceFields{fingerprint: "f"}})
	}
	err := db.writeTx(ctx, func(tx *sql.Tx) error { return insertOrders(ctx, tx, db.folder, orders, 0) })
	if err != nil {
		t.Fatal(err)
	}
	var n, differ int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE search_fold <> fold(search_text)
		OR NOT (search_starts @> word_starts(fold(search_text)) AND search_starts <@ word_starts(fold(search_text))))
		FROM orders`).Scan(&n, &differ); err != nil {
		t.Fatal(err)
	}
	if n != len(orders) || differ != 0 {
		t.Errorf("%d orders stored (want %d), %d of them folded unlike the server", n, len(orders), differ)
	}
}

// A table that could not be read (the server was away) is read at the next
// insert, not given up on until Portolan restarts.
func TestFoldTableIsReadAgainAfterAFailure(t *testing.T) {
	db := openPGForFold(t)
	f := &pgFolder{}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.load(gone, db.write); err == nil {
		t.Fatal("read with a cancelled context")
	}
	if err := f.load(context.Background(), db.write); err != nil {
		t.Fatalf("read again: %v", err)
	}
	if got := f.fold("Straße"); got != "strasse" {
		t.Errorf("fold(Straße) = %q", got)
	}
}
