package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// SnapshotRow says how much of a SKU (and lot) one bin holds, as a stock
// snapshot file or a cycle count states it. Posting it adjusts the bin by the
// difference, so the ledger explains the new number.
type SnapshotRow struct {
	Row       int // row number in the file (the header is row 1)
	SKU       string
	Warehouse string
	Location  string
	Lot       string
	Expiry    string
	Qty       Quantity // what the bin holds
}

// snapshotHeaders are the header names a snapshot column is recognised by
// (compared after normaliseHeader).
var snapshotHeaders = map[string][]string{
	"sku":       {"sku", "item", "itemcode", "article", "articlenumber", "productcode", "partnumber", "variantsku"},
	"warehouse": {"warehouse", "wh", "warehousecode", "site", "depot", "facility"},
	"location":  {"location", "bin", "bincode", "loc", "slot", "locationcode", "binlocation"},
	"quantity":  {"quantity", "qty", "onhand", "qtyonhand", "onhandqty", "quantityonhand", "stock", "stockqty", "count", "counted", "countedqty", "physicalqty"},
	"lot":       {"lot", "batch", "lotnumber", "batchnumber", "lotno"},
	"expiry":    {"expiry", "expirydate", "exp", "expires", "bestbefore", "bbd", "useby", "expirationdate"},
}

// columns are a table's fields by their column index.
type columns map[string]int

// cell is field f of row r, trimmed; "" where the table has no column for f
// or the row stops short of it.
func (c columns) cell(r []string, f string) string {
	if i, ok := c[f]; ok && i >= 0 && i < len(r) {
		return strings.TrimSpace(r[i])
	}
	return ""
}

// matchColumns finds each field's column by its header names (the first
// matching header wins) and says which required fields have none.
func matchColumns(headers []string, names map[string][]string, required ...string) (columns, error) {
	col := columns{}
	for i, h := range headers {
		n := normaliseHeader(h)
		for field, synonyms := range names {
			if _, done := col[field]; !done && slices.Contains(synonyms, n) {
				col[field] = i
			}
		}
	}
	var missing []string
	for _, f := range required {
		if _, ok := col[f]; !ok {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(EINVALID, "the file has no %s column (headers found: %s)", strings.Join(missing, ", "), strings.Join(headers, ", "))
	}
	return col, nil
}

// ParseStockSnapshot reads a stock snapshot table (SKU, warehouse, bin,
// quantity, optionally lot and expiry), recognising its columns by their
// headers. Rows with a problem are reported and left out; the others are
// returned. An error means the table itself cannot be used.
func ParseStockSnapshot(headers []string, rows [][]string) ([]SnapshotRow, []RowProblem, error) {
	col, err := matchColumns(headers, snapshotHeaders, "sku", "warehouse", "location", "quantity")
	if err != nil {
		return nil, nil, err
	}
	var out []SnapshotRow
	var problems []RowProblem
	seen := map[string]int{}
	for i, r := range rows {
		get := func(f string) string { return col.cell(r, f) }
		row := SnapshotRow{Row: i + 2, SKU: get("sku"), Warehouse: get("warehouse"), Location: get("location"), Lot: get("lot")}
		bad := func(field, format string, args ...any) {
			problems = append(problems, RowProblem{RowNumber: row.Row, Column: field, Message: fmt.Sprintf(format, args...)})
		}
		if row.SKU == "" && row.Warehouse == "" && row.Location == "" && get("quantity") == "" {
			continue // an empty line
		}
		ok := true
		for _, f := range []string{"sku", "warehouse", "location"} {
			if get(f) == "" {
				bad(f, "%s is empty", f)
				ok = false
			}
		}
		q, err := parseWhole(get("quantity"))
		if err != nil || q < 0 {
			bad("quantity", "quantity %q is not a whole number of 0 or more", get("quantity"))
			ok = false
		} else if err := Quantity(q).Bounded("the quantity"); err != nil {
			bad("quantity", "%v", err)
			ok = false
		}
		row.Qty = Quantity(q)
		if e := get("expiry"); e != "" {
			t, err := ParseImportTime(e, time.UTC)
			if err != nil {
				bad("expiry", "expiry %q is not a date", e)
				ok = false
			} else {
				row.Expiry = t.Format(time.DateOnly)
			}
			if row.Lot == "" {
				bad("expiry", "an expiry date needs a lot")
				ok = false
			}
		}
		key := strings.Join([]string{row.SKU, row.Warehouse, row.Location, row.Lot}, "\x00")
		if first, dup := seen[key]; dup && ok {
			bad("sku", "the same SKU, bin and lot as row %d", first)
			ok = false
		}
		if ok {
			seen[key] = row.Row
			out = append(out, row)
		}
	}
	return out, problems, nil
}

// SnapshotResult is what posting a stock snapshot did.
type SnapshotResult struct {
	Rows     int // rows posted (a row whose bin already held its quantity changes nothing)
	Changed  int // rows that moved stock
	Problems []RowProblem
}

// StockImportPreview is what a stock snapshot file would post, before anything is written.
type StockImportPreview struct {
	Path     string
	Sheet    string
	Rows     []SnapshotRow
	Problems []RowProblem
}

// inboundHeaders are the header names an inbound file's columns are recognised by.
var inboundHeaders = map[string][]string{
	"reference": {"reference", "ref", "po", "ponumber", "purchaseorder", "purchaseordernumber", "asn", "asnnumber", "ordernumber", "document"},
	"supplier":  {"supplier", "vendor", "suppliername", "vendorname"},
	"expected":  {"expected", "expectedon", "expecteddate", "eta", "duedate", "deliverydate", "arrival"},
	"warehouse": snapshotHeaders["warehouse"],
	"sku":       snapshotHeaders["sku"],
	"quantity":  {"quantity", "qty", "expectedqty", "expectedquantity", "ordered", "orderedqty", "units"},
}

// ParseInbounds reads expected deliveries from a table with one row per line
// (reference, SKU, quantity; optionally supplier, expected date and
// warehouse), grouping rows by reference. Rows without a warehouse column go
// to warehouse. An inbound with a bad row is left out whole and its rows
// reported; the others are returned.
func ParseInbounds(headers []string, rows [][]string, warehouse string) ([]Inbound, []RowProblem, error) {
	col, err := matchColumns(headers, inboundHeaders, "reference", "sku", "quantity")
	if err != nil {
		return nil, nil, err
	}
	if _, ok := col["warehouse"]; !ok && strings.TrimSpace(warehouse) == "" {
		return nil, nil, Errorf(EINVALID, "the file has no warehouse column: choose the warehouse the deliveries go to")
	}
	var order []string
	byRef := map[string]*Inbound{}
	bad := map[string]bool{}
	var problems []RowProblem
	for i, r := range rows {
		get := func(f string) string { return col.cell(r, f) }
		rowNo := i + 2
		ref := get("reference")
		if ref == "" && get("sku") == "" && get("quantity") == "" {
			continue
		}
		problem := func(field, format string, args ...any) {
			problems = append(problems, RowProblem{RowNumber: rowNo, Column: field, Message: fmt.Sprintf(format, args...)})
			bad[ref] = true
		}
		if ref == "" {
			problem("reference", "the row has no PO or ASN number")
			continue
		}
		wh := get("warehouse")
		if wh == "" {
			wh = strings.TrimSpace(warehouse)
		}
		in, ok := byRef[ref]
		if !ok {
			in = &Inbound{Reference: ref, Warehouse: wh, Supplier: get("supplier")}
			if e := get("expected"); e != "" {
				t, err := ParseImportTime(e, time.UTC)
				if err != nil {
					problem("expected", "expected date %q is not a date", e)
				} else {
					in.ExpectedOn = t.Format(time.DateOnly)
				}
			}
			byRef[ref] = in
			order = append(order, ref)
		} else if in.Warehouse != wh {
			problem("warehouse", "%s goes to %s on an earlier row, not %s", ref, in.Warehouse, wh)
		}
		sku := get("sku")
		q, err := parseWhole(get("quantity"))
		switch {
		case sku == "":
			problem("sku", "the line has no SKU")
		case err != nil || q <= 0:
			problem("quantity", "quantity %q is not a whole number above 0", get("quantity"))
		case Quantity(q).Bounded("the quantity") != nil:
			problem("quantity", "%v", Quantity(q).Bounded("the quantity"))
		default:
			in.Lines = append(in.Lines, InboundLine{SKU: sku, Expected: Quantity(q)})
		}
	}
	var out []Inbound
	for _, ref := range order {
		if !bad[ref] {
			out = append(out, *byRef[ref])
		}
	}
	return out, problems, nil
}

// InboundImportPreview is what an inbound file would record, before anything is written.
type InboundImportPreview struct {
	Path     string
	Inbounds []Inbound
	Problems []RowProblem
}

var rateHeaders = map[string][]string{
	"warehouse": snapshotHeaders["warehouse"],
	"country":   {"country", "destination", "countrycode", "to", "shipto"},
	"cost":      {"cost", "rate", "price", "shippingcost", "parcelcost", "amount"},
	"days":      {"days", "transitdays", "transit", "transittime", "leadtime"},
}

// ParseRates reads a shipping-rate table (warehouse, destination country or
// "*", cost of one parcel in cur, transit days). Rows with a problem are
// reported and left out.
func ParseRates(headers []string, rows [][]string, cur Currency) ([]Rate, []RowProblem, error) {
	col, err := matchColumns(headers, rateHeaders, "warehouse", "country", "cost", "days")
	if err != nil {
		return nil, nil, err
	}
	var out []Rate
	var problems []RowProblem
	seen := map[string]int{}
	for i, r := range rows {
		get := func(f string) string { return col.cell(r, f) }
		row := i + 2
		if get("warehouse") == "" && get("country") == "" && get("cost") == "" {
			continue
		}
		bad := func(field, format string, args ...any) {
			problems = append(problems, RowProblem{RowNumber: row, Column: field, Message: fmt.Sprintf(format, args...)})
		}
		rate := Rate{Warehouse: get("warehouse"), Country: Country(strings.ToUpper(get("country")))}
		ok := true
		if rate.Warehouse == "" {
			bad("warehouse", "warehouse is empty")
			ok = false
		}
		if rate.Country != "*" {
			c, err := ParseCountry(string(rate.Country))
			if err != nil {
				bad("country", "%s", err.Error())
				ok = false
			}
			rate.Country = c
		}
		m, err := ParseAmount(get("cost"), cur)
		if err != nil || m.Amount < 0 {
			bad("cost", "cost %q is not an amount in %s", get("cost"), cur)
			ok = false
		}
		rate.Cost = m.Amount
		d, err := parseWhole(get("days"))
		if err != nil || d < 0 {
			bad("days", "transit days %q is not a whole number", get("days"))
			ok = false
		}
		rate.TransitDays = int(min(max(d, -1), MaxTransitDays+1))
		if err == nil && d >= 0 {
			if err := rate.Validate(cur); err != nil && ok {
				bad("days", "%v", err)
				ok = false
			}
		}
		key := rate.Warehouse + "→" + string(rate.Country)
		if first, dup := seen[key]; dup && ok {
			bad("country", "%s is already on row %d", key, first)
			ok = false
		}
		if ok {
			seen[key] = row
			out = append(out, rate)
		}
	}
	return out, problems, nil
}
