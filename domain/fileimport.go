package domain

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ImportField is a piece of order data a spreadsheet column can hold.
type ImportField string

// The fields an order file can map. One row is one order line; the rows of an
// order share its OrderID and the order's own fields are read from its first row.
const (
	FieldOrderID    ImportField = "order_id" // required: the source's id, unique per channel
	FieldNumber     ImportField = "number"
	FieldPlacedAt   ImportField = "placed_at"
	FieldCurrency   ImportField = "currency" // required
	FieldSKU        ImportField = "sku"      // required
	FieldQuantity   ImportField = "quantity" // required
	FieldUnitPrice  ImportField = "unit_price"
	FieldName       ImportField = "name" // required: ship-to name
	FieldCompany    ImportField = "company"
	FieldAddress1   ImportField = "address1" // required
	FieldAddress2   ImportField = "address2"
	FieldCity       ImportField = "city" // required
	FieldRegion     ImportField = "region"
	FieldPostalCode ImportField = "postal_code"
	FieldCountry    ImportField = "country" // required
	FieldPhone      ImportField = "phone"
	FieldEmail      ImportField = "email"
	FieldShipping   ImportField = "shipping"
	FieldTax        ImportField = "tax"
	FieldTotal      ImportField = "total"
	FieldNotes      ImportField = "notes"
	FieldStatus     ImportField = "status"
)

// ImportFields lists every field in the order a mapping form shows them.
var ImportFields = []ImportField{FieldOrderID, FieldNumber, FieldPlacedAt, FieldCurrency, FieldSKU, FieldQuantity,
	FieldUnitPrice, FieldName, FieldCompany, FieldAddress1, FieldAddress2, FieldCity, FieldRegion, FieldPostalCode,
	FieldCountry, FieldPhone, FieldEmail, FieldShipping, FieldTax, FieldTotal, FieldNotes, FieldStatus}

// RequiredImportFields must be mapped before a file can be imported.
var RequiredImportFields = []ImportField{FieldOrderID, FieldCurrency, FieldSKU, FieldQuantity, FieldName,
	FieldAddress1, FieldCity, FieldCountry}

// ColumnMapping maps fields to the header of the column that holds them.
type ColumnMapping map[ImportField]string

// headerSynonyms are the headers, normalised, that GuessMapping recognises:
// Portolan's own names, Shopify's order export, WooCommerce and common ERP exports.
var headerSynonyms = map[ImportField][]string{
	FieldOrderID:    {"orderid", "id", "externalid", "ordernumberid", "orderno", "salesorder", "salesorderid", "auftragsnummer"},
	FieldNumber:     {"number", "ordernumber", "name", "orderref", "reference", "ordername"},
	FieldPlacedAt:   {"placedat", "createdat", "orderdate", "date", "datecreated", "paidat", "created"},
	FieldCurrency:   {"currency", "currencycode", "ordercurrency", "waehrung"},
	FieldSKU:        {"sku", "lineitemsku", "itemsku", "productsku", "articlenumber", "artikelnummer", "itemcode", "item", "itemno", "itemnumber", "productcode"},
	FieldQuantity:   {"quantity", "qty", "lineitemquantity", "itemquantity", "menge"},
	FieldUnitPrice:  {"unitprice", "price", "lineitemprice", "itemprice", "itemcost"},
	FieldName:       {"shippingname", "shiptoname", "shipto", "recipient", "deliveryname", "consignee", "customername", "customer", "fullname"},
	FieldCompany:    {"shippingcompany", "company", "shiptocompany"},
	FieldAddress1:   {"shippingaddress1", "shippingstreet", "address1", "address", "street", "shiptoaddress1", "addressline1"},
	FieldAddress2:   {"shippingaddress2", "address2", "shiptoaddress2", "addressline2"},
	FieldCity:       {"shippingcity", "city", "shiptocity", "town"},
	FieldRegion:     {"shippingprovince", "shippingprovincename", "province", "state", "region", "shippingstate", "county"},
	FieldPostalCode: {"shippingzip", "zip", "postcode", "postalcode", "shippingpostcode", "zipcode", "plz"},
	FieldCountry:    {"shippingcountry", "country", "countrycode", "shiptocountry", "shippingcountrycode"},
	FieldPhone:      {"shippingphone", "phone", "telephone", "phonenumber"},
	FieldEmail:      {"email", "customeremail", "emailaddress", "billingemail"},
	FieldShipping:   {"shipping", "shippingtotal", "shippingcost", "shippingprice", "freight"},
	FieldTax:        {"tax", "taxes", "totaltax", "vat", "taxtotal"},
	FieldTotal:      {"total", "ordertotal", "grandtotal", "totalprice", "amount"},
	FieldNotes:      {"notes", "note", "customernote", "comment", "comments"},
	FieldStatus:     {"status", "orderstatus", "financialstatus"},
}

func normaliseHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// GuessMapping maps every field it recognises among the headers. Each column
// is used for one field at most; earlier synonyms win.
func GuessMapping(headers []string) ColumnMapping {
	byNorm := map[string]string{}
	for _, h := range headers {
		if n := normaliseHeader(h); n != "" {
			if _, dup := byNorm[n]; !dup {
				byNorm[n] = h
			}
		}
	}
	m := ColumnMapping{}
	used := map[string]bool{}
	for _, f := range ImportFields {
		for _, syn := range headerSynonyms[f] {
			if h, ok := byNorm[syn]; ok && !used[h] {
				m[f] = h
				used[h] = true
				break
			}
		}
	}
	return m
}

// Missing lists the required fields the mapping lacks.
func (m ColumnMapping) Missing() []ImportField {
	var out []ImportField
	for _, f := range RequiredImportFields {
		if m[f] == "" {
			out = append(out, f)
		}
	}
	return out
}

// RowProblem is why a row of a file cannot be imported; RowNumber counts the
// header as row 1, as a spreadsheet does.
type RowProblem struct {
	RowNumber int
	OrderID   string
	Column    string
	Message   string
}

func (p RowProblem) String() string {
	if p.OrderID == "" {
		if p.Column != "" {
			return fmt.Sprintf("row %d, %s: %s", p.RowNumber, p.Column, p.Message)
		}
		return fmt.Sprintf("row %d: %s", p.RowNumber, p.Message)
	}
	if p.Column != "" {
		return fmt.Sprintf("row %d (order %s), %s: %s", p.RowNumber, p.OrderID, p.Column, p.Message)
	}
	return fmt.Sprintf("row %d (order %s): %s", p.RowNumber, p.OrderID, p.Message)
}

// ImportPreview is what a file would bring into a channel, before anything is
// written: the mapping used, the orders that are valid and the problems of
// the others, per row.
type ImportPreview struct {
	Path     string
	Sheet    string         // the XLSX sheet read ("" for CSV)
	Location *time.Location // the time zone of dates without an offset
	Headers  []string
	Rows     int
	Mapping  ColumnMapping
	Ready    int // orders that would be imported
	Rejected int // orders with a problem, that would be quarantined
	// Problems are the first MaxPreviewProblems problems; ProblemCount all of them.
	Problems     []RowProblem
	ProblemCount int
}

// MaxPreviewProblems is how many problems a preview lists (it counts them all).
const MaxPreviewProblems = 1000

// ImportOptions say how to read values the file does not qualify.
type ImportOptions struct {
	// Location is the time zone of dates without an offset (UTC when nil).
	Location *time.Location
	// Now stamps orders without a date column.
	Now time.Time
}

// BuildOrders turns the rows of a table (without its header) into orders,
// grouping rows by order id. An order with any bad row is left out whole and
// every problem is reported; the other orders are returned, in the order of
// their first rows. It holds the whole table; OrderAssembler reads a file
// row by row.
func BuildOrders(headers []string, rows [][]string, m ColumnMapping, opts ImportOptions) ([]SourceOrder, []RowProblem) {
	last := map[string]int{}
	var out []SourceOrder
	var problems []RowProblem
	first := map[string]int{}
	var pfirst []int
	a, err := NewOrderAssembler(headers, m, opts, func(o SourceOrder, row int) {
		out = append(out, o)
		first[o.Order.ExternalID] = row
	}, func(p RowProblem, row int) {
		problems = append(problems, p)
		pfirst = append(pfirst, row)
	})
	if err != nil {
		return nil, []RowProblem{*err}
	}
	for i, row := range rows {
		last[a.ID(row)] = i + 2
	}
	a.Last = last
	for i, row := range rows {
		a.Add(i+2, row)
	}
	a.Finish()
	sort.SliceStable(out, func(i, j int) bool { return first[out[i].Order.ExternalID] < first[out[j].Order.ExternalID] })
	idx := make([]int, len(problems))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(i, j int) bool { return pfirst[idx[i]] < pfirst[idx[j]] })
	sorted := make([]RowProblem, len(problems))
	for i, k := range idx {
		sorted[i] = problems[k]
	}
	return out, sorted
}

// OrderAssembler builds orders from the rows of an order file as they are
// read: an order is finished at its last row (Last, from a first pass over
// the ids) and handed to emit, or its problems to report, so that only the
// orders whose rows are still to come are held.
type OrderAssembler struct {
	// Last is each order id's last row number; an order without one is
	// finished by Finish.
	Last   map[string]int
	col    map[ImportField]int
	m      ColumnMapping
	loc    *time.Location
	now    time.Time
	open   map[string]*orderGroup
	emit   func(o SourceOrder, firstRow int)
	report func(p RowProblem, firstRow int)
}

type orderGroup struct {
	first    int // the first row's number
	noDate   bool
	order    Order
	status   string
	bad      bool
	problems []RowProblem
	rows     map[string]int // each row's cells → its number: a row repeated is a mistake
}

// NewOrderAssembler checks the mapping against the headers; emit receives
// each valid order, report each problem, both with the order's first row.
func NewOrderAssembler(headers []string, m ColumnMapping, opts ImportOptions, emit func(SourceOrder, int), report func(RowProblem, int)) (*OrderAssembler, *RowProblem) {
	if missing := m.Missing(); len(missing) > 0 {
		names := make([]string, len(missing))
		for i, f := range missing {
			names[i] = string(f)
		}
		return nil, &RowProblem{RowNumber: 1, Message: "map a column to " + strings.Join(names, ", ")}
	}
	col := map[ImportField]int{}
	for f, h := range m {
		col[f] = -1
		for i, hh := range headers {
			if hh == h {
				col[f] = i
				break
			}
		}
		if col[f] < 0 && h != "" {
			return nil, &RowProblem{RowNumber: 1, Column: h, Message: fmt.Sprintf("no column %q in the file (mapped to %s)", h, f)}
		}
	}
	loc := opts.Location
	if loc == nil {
		loc = time.UTC
	}
	return &OrderAssembler{col: col, m: m, loc: loc, now: opts.Now, open: map[string]*orderGroup{}, emit: emit, report: report}, nil
}

// cell is a row's value of field f, trimmed.
func (a *OrderAssembler) cell(row []string, f ImportField) string {
	c, ok := a.col[f]
	if !ok || c < 0 || c >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[c])
}

// ID is the order id a row belongs to ("" for a blank row or one without).
func (a *OrderAssembler) ID(row []string) string { return a.cell(row, FieldOrderID) }

// Add reads row number rowNo (the header is row 1).
func (a *OrderAssembler) Add(rowNo int, row []string) {
	get := func(f ImportField) string { return a.cell(row, f) }
	blank := true
	for _, v := range row {
		if strings.TrimSpace(v) != "" {
			blank = false
			break
		}
	}
	if blank {
		return
	}
	id := get(FieldOrderID)
	problem := func(f ImportField, format string, args ...any) RowProblem {
		return RowProblem{RowNumber: rowNo, OrderID: id, Column: a.m[f], Message: fmt.Sprintf(format, args...)}
	}
	if id == "" {
		a.report(problem(FieldOrderID, "no order id"), rowNo) // the row cannot be attached to any order
		return
	}
	g, seen := a.open[id]
	if !seen {
		g = &orderGroup{first: rowNo, noDate: get(FieldPlacedAt) == "", rows: map[string]int{}}
		a.open[id] = g
		g.order, g.status, g.problems = orderHeader(id, get, problem, a.loc, a.now)
	}
	cur := g.order.Currency
	if c := get(FieldCurrency); seen && c != "" && !strings.EqualFold(c, string(cur)) {
		g.problems = append(g.problems, problem(FieldCurrency, "currency %s differs from the order's first row (%s)", c, cur))
	}
	cells := strings.Join(row, "\x00")
	if first, dup := g.rows[cells]; dup {
		g.problems = append(g.problems, problem(FieldSKU, "the row repeats row %d exactly (copied twice?); remove one, or make the line's quantity the sum", first))
	} else {
		g.rows[cells] = rowNo
		line, lineProblems := orderLine(get, problem, cur)
		g.problems = append(g.problems, lineProblems...)
		if len(lineProblems) == 0 {
			g.order.Lines = append(g.order.Lines, line)
		}
	}
	if last, ok := a.Last[id]; ok && last <= rowNo {
		a.finish(id, g)
	}
}

// Finish finishes every order still open, in the order of their first rows.
func (a *OrderAssembler) Finish() {
	ids := make([]string, 0, len(a.open))
	for id := range a.open {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return a.open[ids[i]].first < a.open[ids[j]].first })
	for _, id := range ids {
		a.finish(id, a.open[id])
	}
}

func (a *OrderAssembler) finish(id string, g *orderGroup) {
	delete(a.open, id)
	if len(g.problems) == 0 && !g.bad {
		o := g.order
		var err error
		if o.Total.Currency == "" {
			if o.Total, err = o.ComputedTotal(); err != nil {
				err = Errorf(EINVALID, "order %s: its lines do not add up to an amount Portolan takes (%v); check the quantities and prices", o.Number, err)
			}
		}
		if err == nil {
			err = o.Validate()
		}
		if err != nil {
			g.problems = append(g.problems, RowProblem{RowNumber: g.first, OrderID: id, Message: err.Error()})
		} else {
			status := strings.ToLower(g.status)
			a.emit(SourceOrder{Order: o, SourceStatus: status, PlacedUnknown: g.noDate,
				Cancelled: status == "cancelled" || status == "canceled" || status == "voided" || status == "refunded"}, g.first)
		}
	}
	for _, p := range g.problems {
		a.report(p, g.first)
	}
}

func orderHeader(id string, get func(ImportField) string, problem func(ImportField, string, ...any) RowProblem,
	loc *time.Location, now time.Time) (Order, string, []RowProblem) {
	var problems []RowProblem
	o := Order{ExternalID: id, Number: get(FieldNumber), Notes: get(FieldNotes), Status: StatusNew,
		CustomerEmail: get(FieldEmail)}
	if o.Number == "" {
		o.Number = id
	}
	cur, err := ParseCurrency(get(FieldCurrency))
	if err != nil {
		problems = append(problems, problem(FieldCurrency, "%s", err))
	}
	o.Currency = cur
	o.PlacedAt = now.UTC()
	if v := get(FieldPlacedAt); v != "" {
		t, err := ParseImportTime(v, loc)
		if err != nil {
			problems = append(problems, problem(FieldPlacedAt, "%s", err))
		}
		o.PlacedAt = t
	}
	o.UpdatedAt = o.PlacedAt
	country, err := ParseCountry(countryCode(get(FieldCountry)))
	if err != nil {
		problems = append(problems, problem(FieldCountry, "%s", err))
	}
	o.ShipTo = Address{Name: get(FieldName), Company: get(FieldCompany), Line1: get(FieldAddress1), Line2: get(FieldAddress2),
		City: get(FieldCity), Region: get(FieldRegion), PostalCode: get(FieldPostalCode), Country: country,
		Phone: get(FieldPhone), Email: o.CustomerEmail}
	if o.CustomerEmail != "" {
		if err := ValidateEmail(o.CustomerEmail); err != nil {
			problems = append(problems, problem(FieldEmail, "%s", err))
		}
	}
	if cur.Valid() {
		for _, x := range []struct {
			f   ImportField
			dst *Money
		}{{FieldShipping, &o.Shipping}, {FieldTax, &o.Tax}, {FieldTotal, &o.Total}} {
			*x.dst = NewMoney(0, cur)
			if v := get(x.f); v != "" {
				m, err := ParseAmount(v, cur)
				if err != nil {
					problems = append(problems, problem(x.f, "%s", err))
				}
				*x.dst = m
			}
		}
		if get(FieldTotal) == "" {
			o.Total = Money{} // computed from the lines once they are read
		}
	}
	return o, get(FieldStatus), problems
}

func orderLine(get func(ImportField) string, problem func(ImportField, string, ...any) RowProblem, cur Currency) (OrderLine, []RowProblem) {
	var problems []RowProblem
	l := OrderLine{SKU: get(FieldSKU), UnitPrice: NewMoney(0, cur)}
	if err := ValidateSKU(l.SKU); err != nil {
		problems = append(problems, problem(FieldSKU, "%s", err))
	}
	q, err := parseWhole(get(FieldQuantity))
	if err != nil || q <= 0 {
		problems = append(problems, problem(FieldQuantity, "%q is not a positive whole number", get(FieldQuantity)))
	}
	l.Quantity = Quantity(q)
	if v := get(FieldUnitPrice); v != "" && cur.Valid() {
		m, err := ParseAmount(v, cur)
		if err != nil {
			problems = append(problems, problem(FieldUnitPrice, "%s", err))
		}
		l.UnitPrice = m
	}
	return l, problems
}

// parseWhole reads "3", "3.0" (spreadsheets store numbers as decimals) but not "2.5".
func parseWhole(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	whole, frac, ok := strings.Cut(s, ".")
	if ok && strings.Trim(frac, "0") == "" {
		return strconv.ParseInt(whole, 10, 64)
	}
	return 0, fmt.Errorf("%q is not a whole number", s)
}

// countryCode accepts ISO codes and the English names of countries.
func countryCode(s string) string {
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		return s
	}
	for c, name := range countryNames {
		if strings.EqualFold(name, s) {
			return string(c)
		}
	}
	switch strings.ToLower(s) {
	case "united states of america", "usa":
		return "US"
	case "uk", "great britain", "england":
		return "GB"
	case "south korea", "korea":
		return "KR"
	case "russia":
		return "RU"
	case "vietnam":
		return "VN"
	}
	return s
}

// ParseImportTime reads the date formats order exports use: RFC 3339,
// "2006-01-02 15:04:05 -0700" (Shopify's export), ISO dates and times without
// an offset (read in loc), and spreadsheet date serial numbers.
func ParseImportTime(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 20000 && f < 80000 {
		// A spreadsheet serial date: days since 1899-12-30, in loc.
		days := math.Floor(f)
		secs := math.Round((f - days) * 86400)
		base := time.Date(1899, 12, 30, 0, 0, 0, 0, loc)
		return base.AddDate(0, 0, int(days)).Add(time.Duration(secs) * time.Second).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date Portolan reads (use 2026-11-20 or 2026-11-20 14:30 or RFC 3339)", s)
}
