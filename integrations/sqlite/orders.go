package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/portolan/portolan/domain"
)

// execer is the part of *sql.Tx and *sql.DB the row writers need.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const insertOrderSQL = `INSERT INTO orders (channel_id, external_id, number, placed_at, updated_at, currency,
	shipping_minor, tax_minor, total_minor, units, customer_email,
	ship_name, ship_company, ship_line1, ship_line2, ship_city, ship_region, ship_postal_code, ship_country,
	ship_phone, ship_email, notes, status, search_text, source_status, source_updated_at, source_fingerprint, service, priority)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// sourceFields are what an order's source said last, for re-syncs.
type sourceFields struct {
	status      string
	updatedAt   int64
	fingerprint string
}

// searchText is what the order search looks in: number, customer name, emails, SKUs.
func searchText(o *domain.Order) string {
	parts := []string{o.Number, o.ShipTo.Name, o.ShipTo.Company, o.CustomerEmail}
	if o.ShipTo.Email != o.CustomerEmail {
		parts = append(parts, o.ShipTo.Email)
	}
	for _, l := range o.Lines {
		parts = append(parts, l.SKU)
	}
	return strings.ToLower(strings.Join(parts, " | "))
}

func insertOrder(ctx context.Context, x execer, o *domain.Order, now int64) error {
	return insertOrderFrom(ctx, x, o, now, sourceFields{})
}

func insertOrderFrom(ctx context.Context, x execer, o *domain.Order, now int64, src sourceFields) error {
	if err := o.Validate(); err != nil {
		return err
	}
	updated := now
	if !o.UpdatedAt.IsZero() {
		updated = millis(o.UpdatedAt)
	}
	a := o.ShipTo
	res, err := insert(ctx, x, insertOrderSQL, o.ChannelID, o.ExternalID, o.Number, millis(o.PlacedAt), updated,
		string(o.Currency), o.Shipping.Amount, o.Tax.Amount, o.Total.Amount, int64(o.Units()), o.CustomerEmail,
		a.Name, a.Company, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, string(a.Country), a.Phone, a.Email,
		o.Notes, string(o.Status), searchText(o), src.status, src.updatedAt, src.fingerprint, o.Service, o.Priority)
	if err != nil {
		return fmt.Errorf("order %s: %w", o.Number, translate(err))
	}
	if o.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	for i, l := range o.Lines {
		if _, err := x.ExecContext(ctx, `INSERT INTO order_lines (order_id, line_no, sku, name, quantity, unit_price_minor)
			VALUES (?, ?, ?, ?, ?, ?)`, o.ID, i+1, l.SKU, l.Name, int64(l.Quantity), l.UnitPrice.Amount); err != nil {
			return fmt.Errorf("order %s line %d: %w", o.Number, i+1, translate(err))
		}
	}
	return insertHistory(ctx, x, o.ID, o.History)
}

// newOrder is an order to insert with what its source said.
type newOrder struct {
	o   *domain.Order
	src sourceFields
}

// insertOrders inserts new orders with their lines and history in a few
// multi-row statements (a page of a sync: three requests to a team server
// instead of four an order), setting their ids. Each order is validated
// first; the first invalid one fails them all, named. On PostgreSQL
// (folder is not nil) each statement sends a column's values as one array,
// with the search text folded as the server would.
func insertOrders(ctx context.Context, tx *sql.Tx, folder *pgFolder, orders []newOrder, now int64) error {
	pg := folder != nil
	if pg {
		if err := folder.load(ctx, tx); err != nil {
			return translate(err)
		}
	}
	for _, n := range orders {
		if err := n.o.Validate(); err != nil {
			return fmt.Errorf("order %s: %w", n.o.ExternalID, err)
		}
	}
	perBatch := 200 // 29 parameters an order: within both databases' limits
	if pg {
		perBatch = 1000 // 29 parameters a statement
	}
	cols := strings.TrimRight(insertOrderSQL[:strings.Index(insertOrderSQL, "VALUES")], " \n\t")
	for batch := range slices.Chunk(orders, perBatch) {
		var rows [][]any
		byExt := map[[2]any]*domain.Order{}
		for _, n := range batch {
			o, a := n.o, n.o.ShipTo
			updated := now
			if !o.UpdatedAt.IsZero() {
				updated = millis(o.UpdatedAt)
			}
			text := searchText(o)
			row := []any{o.ChannelID, o.ExternalID, o.Number, millis(o.PlacedAt), updated,
				string(o.Currency), o.Shipping.Amount, o.Tax.Amount, o.Total.Amount, int64(o.Units()), o.CustomerEmail,
				a.Name, a.Company, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, string(a.Country), a.Phone, a.Email,
				o.Notes, string(o.Status), text, n.src.status, n.src.updatedAt, n.src.fingerprint, o.Service, o.Priority}
			if pg {
				folded := folder.fold(text)
				row = append(row, folded, folder.starts(folded))
			}
			rows = append(rows, row)
			byExt[[2]any{o.ChannelID, o.ExternalID}] = o
		}
		var query string
		var args []any
		if !pg {
			query, args = cols+` VALUES `+values(len(rows), make([]string, 29)...), flatten(rows)
		} else {
			var from string
			from, args = unnest(rows)
			names := make([]string, len(rows[0]))
			for i := range names {
				names[i] = "c" + strconv.Itoa(i)
			}
			query = strings.TrimSuffix(cols, ")") + `, search_fold, search_starts) SELECT ` + strings.Join(names[:len(names)-1], ", ") +
				`, string_to_array(` + names[len(names)-1] + `, ' ') FROM ` + from + ` AS v(` + strings.Join(names, ", ") + `)`
		}
		r, err := tx.QueryContext(ctx, query+` RETURNING id, channel_id, external_id`, args...)
		if err != nil {
			return translate(err)
		}
		for r.Next() {
			var id, ch int64
			var ext string
			if err := r.Scan(&id, &ch, &ext); err != nil {
				r.Close()
				return err
			}
			if o := byExt[[2]any{ch, ext}]; o != nil {
				o.ID = id
			}
		}
		r.Close()
		if err := r.Err(); err != nil {
			return translate(err)
		}
		var lines, history [][]any
		for _, n := range batch {
			for i, l := range n.o.Lines {
				lines = append(lines, []any{n.o.ID, i + 1, l.SKU, l.Name, int64(l.Quantity), l.UnitPrice.Amount})
			}
			for _, c := range n.o.History {
				history = append(history, []any{n.o.ID, millis(c.At), string(c.From), string(c.To), c.Reason})
			}
		}
		const linesSQL = `INSERT INTO order_lines (order_id, line_no, sku, name, quantity, unit_price_minor) `
		const historySQL = `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who) SELECT v.*, who() FROM `
		if pg {
			for _, insert := range []struct {
				head string
				rows [][]any
				tail string
			}{{linesSQL + `SELECT * FROM `, lines, ``}, {historySQL, history, ` AS v`}} {
				if len(insert.rows) == 0 {
					continue
				}
				from, args := unnest(insert.rows)
				if _, err := tx.ExecContext(ctx, insert.head+from+insert.tail, args...); err != nil {
					return translate(err)
				}
			}
			continue
		}
		for chunk := range slices.Chunk(lines, 1000) {
			if _, err := tx.ExecContext(ctx, linesSQL+`VALUES `+values(len(chunk), "", "", "", "", "", ""), flatten(chunk)...); err != nil {
				return translate(err)
			}
		}
		for chunk := range slices.Chunk(history, 1000) {
			if _, err := tx.ExecContext(ctx, historySQL+`(VALUES `+values(len(chunk), "BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT")+`) AS v`,
				flatten(chunk)...); err != nil {
				return translate(err)
			}
		}
	}
	return nil
}

func insertHistory(ctx context.Context, x execer, orderID int64, h []domain.StatusChange) error {
	for _, c := range h {
		if _, err := x.ExecContext(ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who)
			VALUES (?, ?, ?, ?, ?, who())`, orderID, millis(c.At), string(c.From), string(c.To), c.Reason); err != nil {
			return translate(err)
		}
	}
	return nil
}

// CreateOrder implements domain.OrderStore.
func (db *OrderStore) CreateOrder(ctx context.Context, o *domain.Order) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		before, err := maxOrderID(ctx, tx)
		if err != nil {
			return err
		}
		if err := insertOrder(ctx, tx, o, millis(db.now())); err != nil {
			return err
		}
		return db.indexOrdersAfter(ctx, tx, before)
	})
}

// maxOrderID is the highest order id so far; orders inserted later in the
// same transaction have higher ids.
func maxOrderID(ctx context.Context, x execer) (int64, error) {
	var id int64
	err := x.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM orders`).Scan(&id)
	return id, err
}

// indexOrdersAfter adds the orders with id > afterID to both search indexes
// in one statement each.
func (db *DB) indexOrdersAfter(ctx context.Context, x execer, afterID int64) error {
	if db.pg {
		return nil // PostgreSQL indexes orders.search_text itself
	}
	for _, table := range []string{"orders_fts", "orders_words"} {
		if _, err := x.ExecContext(ctx, `INSERT INTO `+table+` (rowid, search_text)
			SELECT id, search_text FROM orders WHERE id > ?`, afterID); err != nil {
			return fmt.Errorf("index new orders: %w", err)
		}
	}
	return nil
}

// OptimizeSearch merges each search index into one b-tree. After a large
// load this makes common searches much faster (a one-letter search on 200,000
// orders: 68 ms → 1.3 ms); it takes about two seconds there and holds the
// write lock meanwhile, so callers run it after the load, in the background.
func (db *DB) OptimizeSearch(ctx context.Context) error {
	if db.pg {
		// Merge what the loads appended to the indexes' pending lists.
		_, err := db.write.ExecContext(ctx, `SELECT clean_order_search()`)
		return translate(err)
	}
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"orders_fts", "orders_words"} {
			if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`) VALUES ('optimize')`); err != nil {
				return fmt.Errorf("optimize search index: %w", err)
			}
		}
		return nil
	})
}

// reindexOrder replaces an order's entries in both search indexes; oldText is
// the search text the indexes hold for it.
func (db *DB) reindexOrder(ctx context.Context, x execer, id int64, oldText, newText string) error {
	if oldText == newText || db.pg {
		return nil
	}
	for _, table := range []string{"orders_fts", "orders_words"} {
		if _, err := x.ExecContext(ctx, `INSERT INTO `+table+` (`+table+`, rowid, search_text) VALUES ('delete', ?, ?)`, id, oldText); err != nil {
			return err
		}
		if _, err := x.ExecContext(ctx, `INSERT INTO `+table+` (rowid, search_text) VALUES (?, ?)`, id, newText); err != nil {
			return err
		}
	}
	return nil
}

const orderColumns = `o.id, o.channel_id, c.code, o.external_id, o.number, o.placed_at, o.updated_at, o.currency,
	o.shipping_minor, o.tax_minor, o.total_minor, o.customer_email,
	o.ship_name, o.ship_company, o.ship_line1, o.ship_line2, o.ship_city, o.ship_region, o.ship_postal_code,
	o.ship_country, o.ship_phone, o.ship_email, o.notes, o.status, o.review, o.service, o.priority, coalesce(o.ship_by, 0)`

type scanner interface{ Scan(dest ...any) error }

func scanOrder(s scanner) (domain.Order, error) {
	var (
		o                    domain.Order
		placed, updated      int64
		cur, country, status string
		shipping, tax, total int64
		shipBy               int64
	)
	a := &o.ShipTo
	if err := s.Scan(&o.ID, &o.ChannelID, &o.ChannelCode, &o.ExternalID, &o.Number, &placed, &updated, &cur,
		&shipping, &tax, &total, &o.CustomerEmail,
		&a.Name, &a.Company, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode,
		&country, &a.Phone, &a.Email, &o.Notes, &status, &o.Review, &o.Service, &o.Priority, &shipBy); err != nil {
		return o, translate(err)
	}
	if shipBy != 0 {
		o.ShipBy = fromMS(shipBy)
	}
	c, err := domain.ParseCurrency(cur)
	if err != nil {
		return o, fmt.Errorf("order %d: stored %w", o.ID, err)
	}
	if a.Country, err = domain.ParseCountry(country); err != nil {
		return o, fmt.Errorf("order %d: stored %w", o.ID, err)
	}
	if o.Status, err = domain.ParseOrderStatus(status); err != nil {
		return o, fmt.Errorf("order %d: stored %w", o.ID, err)
	}
	o.PlacedAt, o.UpdatedAt, o.Currency = fromMS(placed), fromMS(updated), c
	o.Shipping, o.Tax, o.Total = domain.NewMoney(shipping, c), domain.NewMoney(tax, c), domain.NewMoney(total, c)
	return o, nil
}

// Order implements domain.OrderStore.
func (db *OrderStore) Order(ctx context.Context, id int64) (domain.Order, error) {
	o, err := scanOrder(db.read.QueryRowContext(ctx, `SELECT `+orderColumns+`
		FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ?`, id))
	if err != nil {
		return o, fmt.Errorf("order %d: %w", id, err)
	}
	if err := db.loadLines(ctx, []*domain.Order{&o}); err != nil {
		return o, err
	}
	o.History, err = db.history(ctx, db.read, id)
	return o, err
}

func (db *OrderStore) history(ctx context.Context, q querier, id int64) ([]domain.StatusChange, error) {
	return queryList(ctx, q, func(rows *sql.Rows, c *domain.StatusChange) error {
		var at int64
		if err := rows.Scan(&at, &c.From, &c.To, &c.Reason, &c.Who); err != nil {
			return err
		}
		c.At = fromMS(at)
		return nil
	}, `SELECT at, from_status, to_status, reason, who FROM order_history
		WHERE order_id = ? ORDER BY id`, id)
}

// loadLines reads the lines of the given orders in one query and sets them.
func (db *OrderStore) loadLines(ctx context.Context, orders []*domain.Order) error {
	if len(orders) == 0 {
		return nil
	}
	byID := make(map[int64]*domain.Order, len(orders))
	args := make([]any, len(orders))
	for i, o := range orders {
		byID[o.ID] = o
		args[i] = o.ID
		o.Lines = nil
	}
	rows, err := db.read.QueryContext(ctx, `SELECT order_id, sku, name, quantity, unit_price_minor FROM order_lines
		WHERE order_id IN (`+placeholders(len(args))+`) ORDER BY order_id, line_no`, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, qty, price int64
		var l domain.OrderLine
		if err := rows.Scan(&id, &l.SKU, &l.Name, &qty, &price); err != nil {
			return err
		}
		o := byID[id]
		l.Quantity, l.UnitPrice = domain.Quantity(qty), domain.NewMoney(price, o.Currency)
		o.Lines = append(o.Lines, l)
	}
	return rows.Err()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// orderSearch is how a search text is looked up: in one of the two FTS5
// indexes (table, match) or, for text without letters or digits, by LIKE.
type orderSearch struct {
	table, match string
	like         string
	q            string // the text sought, in lower case
}

func planSearch(text string) (orderSearch, bool) {
	q := strings.ToLower(strings.TrimSpace(text))
	if q == "" {
		return orderSearch{}, false
	}
	phrase := `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
	switch {
	case utf8.RuneCountInString(q) >= 3:
		// The trigram index finds any substring of three or more characters.
		return orderSearch{table: "orders_fts", match: phrase, q: q}, true
	case strings.IndexFunc(q, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0:
		// One or two characters: words that start with them ("mü" finds Müller, "山田" finds 山田 太郎).
		return orderSearch{table: "orders_words", match: phrase + "*", q: q}, true
	default:
		esc := likeText(q)
		return orderSearch{like: "%" + esc + "%", q: q}, true
	}
}

// where builds the WHERE clause for f over orders aliased o. A search that
// matches many orders is cheapest as a per-row check while the rows are read
// in order (perRow); a rare one as a set of ids read from the index first.
// On PostgreSQL (pg) the search looks in the folded search text, which its
// trigram index serves, with the same rules as SQLite's two FTS5 indexes.
func where(f domain.OrderFilter, perRow, pg bool) (string, []any) {
	var conds []string
	var args []any
	if f.Status != "" {
		conds, args = append(conds, "o.status = ?"), append(args, string(f.Status))
	}
	if f.ChannelID != 0 {
		conds, args = append(conds, "o.channel_id = ?"), append(args, f.ChannelID)
	}
	if f.NeedsReview {
		conds = append(conds, "o.review <> ''")
	}
	if f.Country != "" {
		conds, args = append(conds, "o.ship_country = ?"), append(args, string(f.Country))
	}
	if !f.PlacedFrom.IsZero() {
		conds, args = append(conds, "o.placed_at >= ?"), append(args, millis(f.PlacedFrom))
	}
	if !f.PlacedTo.IsZero() {
		conds, args = append(conds, "o.placed_at < ?"), append(args, millis(f.PlacedTo))
	}
	if !f.ShipByFrom.IsZero() {
		conds, args = append(conds, "o.ship_by >= ? AND o.status IN "+openStatuses), append(args, millis(f.ShipByFrom))
	}
	if !f.ShipByBefore.IsZero() {
		conds, args = append(conds, "o.ship_by < ? AND o.status IN "+openStatuses), append(args, millis(f.ShipByBefore))
	}
	if f.ByShipBy {
		conds = append(conds, "o.ship_by IS NOT NULL AND o.status IN "+openStatuses)
	}
	if f.Warehouse != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM reservations r JOIN warehouses w ON w.id = r.warehouse_id WHERE r.order_id = o.id AND w.code = ?)")
		args = append(args, f.Warehouse)
	}
	if s, ok := planSearch(f.Search); ok {
		switch {
		case s.table == "":
			conds, args = append(conds, `o.search_text LIKE ? ESCAPE '\'`), append(args, s.like)
		case pg && s.table == "orders_fts": // any substring of three or more characters
			parts := searchParts(s.q)
			if len(parts) == 1 && parts[0] == s.q {
				conds, args = append(conds, `o.search_fold LIKE '%' || fold(?) || '%' ESCAPE '\'`), append(args, likeText(s.q))
				break
			}
			// The index looks for the text's distinctive parts ("10042" of
			// "prt-10042", whose "prt" every order has); the whole text is
			// then checked in the rows it found.
			for _, p := range parts {
				conds, args = append(conds, `o.search_fold LIKE '%' || fold(?) || '%' ESCAPE '\'`), append(args, likeText(p))
			}
			conds, args = append(conds, `strpos(o.search_fold, fold(?)) > 0`), append(args, s.q)
		case pg: // one or two characters at the start of a word
			conds, args = append(conds, `o.search_starts @> ARRAY[fold(?)]`), append(args, s.q)
		case perRow:
			conds = append(conds, "EXISTS (SELECT 1 FROM "+s.table+" x WHERE "+s.table+" MATCH ? AND x.rowid = o.id)")
			args = append(args, s.match)
		default:
			conds = append(conds, "o.id IN (SELECT rowid FROM "+s.table+" WHERE "+s.table+" MATCH ?)")
			args = append(args, s.match)
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// searchParts are the parts of a search text the trigram index should
// look for: its runs of letters and digits of four or more characters (the
// punctuation and short words around them make trigrams most orders have,
// such as SKUs' common prefix), else those of three, else the whole text.
func searchParts(q string) []string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, least := range []int{4, 3} {
		var parts []string
		for _, w := range words {
			if utf8.RuneCountInString(w) >= least {
				parts = append(parts, w)
			}
		}
		if len(parts) > 0 {
			return parts
		}
	}
	return []string{q}
}

// searchOnly reports whether f filters by nothing but an indexed search.
func searchOnly(f domain.OrderFilter) (orderSearch, bool) {
	s, ok := planSearch(f.Search)
	if !ok || s.table == "" {
		return s, false
	}
	rest := f
	rest.Search = ""
	return s, rest == domain.OrderFilter{}
}

// commonShare is the share of all orders a search must hit to count as
// "common": reading orders in date order and checking each is then faster than
// collecting all the hits first (measured on 200,000 orders; see BENCHMARKS.md).
var commonShare = 4 // one in four

// searchCountCap is domain.SearchCountCap (tests lower it).
var searchCountCap = domain.SearchCountCap

// CountOrders implements domain.OrderStore.
func (db *OrderStore) CountOrders(ctx context.Context, f domain.OrderFilter) (int, error) {
	var n int
	if s, ok := searchOnly(f); ok && !db.pg {
		// Count straight from the search index.
		err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+s.table+` WHERE `+s.table+` MATCH ? LIMIT ?)`,
			s.match, searchCountCap+1).Scan(&n)
		return n, translate(err)
	}
	w, args := where(f, false, db.pg)
	if _, ok := planSearch(f.Search); ok { // a search counts up to the cap
		err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM orders o`+w+` LIMIT ?) AS hits`,
			append(args, searchCountCap+1)...).Scan(&n)
		return n, translate(err)
	}
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM orders o`+w, args...).Scan(&n)
	return n, translate(err)
}

// CountOrdersByWarehouse implements domain.OrderReads.
func (db *OrderStore) CountOrdersByWarehouse(ctx context.Context, f domain.OrderFilter) (map[string]int, error) {
	f.Warehouse = ""
	w, args := where(f, false, db.pg)
	return queryCounts[string](ctx, db.read, `SELECT wh.code, count(DISTINCT o.id) FROM orders o
		JOIN reservations r ON r.order_id = o.id JOIN warehouses wh ON wh.id = r.warehouse_id`+w+` GROUP BY wh.code`, args...)
}

// OrderSummaries implements domain.OrderStore.
func (db *OrderStore) OrderSummaries(ctx context.Context, f domain.OrderFilter, offset, limit int) ([]domain.OrderSummary, error) {
	perRow := false
	if s, ok := searchOnly(f); ok && !db.pg {
		var maxID int64
		if err := db.read.QueryRowContext(ctx, `SELECT coalesce(max(id), 0) FROM orders`).Scan(&maxID); err != nil {
			return nil, translate(err)
		}
		common := maxID / int64(commonShare)
		var hits int64
		err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+s.table+` WHERE `+s.table+` MATCH ? LIMIT ?)`,
			s.match, common).Scan(&hits)
		if err != nil {
			return nil, translate(err)
		}
		perRow = hits >= common
	}
	w, args := where(f, perRow, db.pg)
	args = append(args, limit, offset)
	order := `o.placed_at DESC, o.id DESC`
	if f.ByShipBy {
		order = `o.ship_by, o.id`
	}
	// Skip over the index of the order first, then read only the rows of the page.
	rows, err := db.read.QueryContext(ctx, `WITH page AS (
			SELECT o.id FROM orders o`+w+` ORDER BY `+order+` LIMIT ? OFFSET ?)
		SELECT o.id, o.number, c.code, o.placed_at, o.ship_name, o.ship_country,
			o.units, o.total_minor, o.currency, o.status, coalesce(o.ship_by, 0)
		FROM page JOIN orders o ON o.id = page.id JOIN channels c ON c.id = o.channel_id
		ORDER BY `+order, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := make([]domain.OrderSummary, 0, limit)
	for rows.Next() {
		var s domain.OrderSummary
		var placed, units, total, shipBy int64
		var country, cur, status string
		if err := rows.Scan(&s.ID, &s.Number, &s.ChannelCode, &placed, &s.CustomerName, &country,
			&units, &total, &cur, &status, &shipBy); err != nil {
			return nil, err
		}
		if shipBy != 0 {
			s.ShipBy = fromMS(shipBy)
		}
		s.PlacedAt, s.Country, s.Units = fromMS(placed), domain.Country(country), domain.Quantity(units)
		s.Total, s.Status = domain.NewMoney(total, domain.Currency(cur)), domain.OrderStatus(status)
		out = append(out, s)
	}
	return out, rows.Err()
}

// Orders implements domain.OrderStore.
func (db *OrderStore) Orders(ctx context.Context, f domain.OrderFilter, afterID int64, limit int) ([]domain.Order, error) {
	w, args := where(f, false, db.pg)
	if w == "" {
		w = " WHERE o.id > ?"
	} else {
		w += " AND o.id > ?"
	}
	args = append(args, afterID, limit)
	rows, err := db.read.QueryContext(ctx, `SELECT `+orderColumns+`
		FROM orders o JOIN channels c ON c.id = o.channel_id`+w+` ORDER BY o.id LIMIT ?`, args...)
	if err != nil {
		return nil, translate(err)
	}
	var out []domain.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ptrs := make([]*domain.Order, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	if err := db.loadLines(ctx, ptrs); err != nil {
		return out, err
	}
	return out, db.loadStatusChanged(ctx, ptrs)
}

// loadStatusChanged sets who last changed each order's status, and when,
// in one query.
func (db *OrderStore) loadStatusChanged(ctx context.Context, orders []*domain.Order) error {
	if len(orders) == 0 {
		return nil
	}
	byID := make(map[int64]*domain.Order, len(orders))
	ids := make([]int64, len(orders))
	for i, o := range orders {
		byID[o.ID], ids[i] = o, o.ID
	}
	_, err := queryList(ctx, db.read, func(rows *sql.Rows, _ *struct{}) error {
		var id, at int64
		var who string
		if err := rows.Scan(&id, &at, &who); err != nil {
			return err
		}
		if o := byID[id]; o != nil {
			o.StatusChanged = domain.Change{By: who, At: fromMS(at)}
		}
		return nil
	}, `SELECT h.order_id, h.at, h.who FROM order_history h JOIN (SELECT order_id, max(id) AS id FROM order_history
		WHERE order_id IN (SELECT CAST(j.value AS BIGINT) FROM `+db.jsonValues(1)+`) GROUP BY order_id) m ON m.id = h.id`, jsonArray(ids))
	return translate(err)
}

// UpdateOrder implements domain.OrderStore. Only the status and new history
// entries are written; the order's other fields are read-only here.
func (db *OrderStore) UpdateOrder(ctx context.Context, id int64, update func(*domain.Order) error) error {
	return db.writeTx(ctx, func(tx *sql.Tx) error {
		o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+`
			FROM orders o JOIN channels c ON c.id = o.channel_id WHERE o.id = ?`, id))
		if err != nil {
			return fmt.Errorf("order %d: %w", id, err)
		}
		if o.History, err = db.history(ctx, tx, id); err != nil {
			return err
		}
		known := len(o.History)
		if err := update(&o); err != nil {
			return err
		}
		if len(o.History) < known {
			return fmt.Errorf("order %s: history is append-only", o.Number)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ?, notes = ?, review = ? WHERE id = ?`,
			string(o.Status), millis(db.now()), o.Notes, o.Review, id); err != nil {
			return err
		}
		return insertHistory(ctx, tx, id, o.History[known:])
	})
}

// OrderCountries implements domain.OrderStore.
func (db *OrderStore) OrderCountries(ctx context.Context) ([]domain.Country, error) {
	// Skip-scan the (ship_country, placed_at) index instead of reading every order.
	rows, err := db.read.QueryContext(ctx, `WITH RECURSIVE c(code) AS (
			SELECT min(ship_country) FROM orders
			UNION ALL
			SELECT (SELECT min(ship_country) FROM orders WHERE ship_country > c.code) FROM c WHERE c.code IS NOT NULL
		) SELECT code FROM c WHERE code IS NOT NULL`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []domain.Country
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, domain.Country(c))
	}
	return out, rows.Err()
}
