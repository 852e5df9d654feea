// Package demo generates Portolan's sample data set: an international
// operation (7 warehouses on 4 continents, 500 products with customs data,
// 3 storefront channels, orders in every script and currency, their parcels
// and scans) whose history ends on the day asked for, so that the window
// opens on a current operation whatever day it is. The same options make the
// same data. The billing history on top of it is replayed through the
// services (app.DemoService).
package demo

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// Options scale the sample data set.
type Options struct {
	Orders int // number of orders; DefaultOrders when zero
	Seed   uint64
	// Until is the end of the history: its newest order, the parcels in
	// flight then. AsOf(day) makes the same data set for the same day every time.
	Until time.Time
}

// AsOf is the end of a demo history generated as of day: 18:00 UTC.
func AsOf(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, time.UTC)
}

// DefaultOrders is the size of the sample data set unless told otherwise.
const DefaultOrders = 20000

// demoSpan is how far back the demo's order history goes.
const demoSpan = 180 * 24 * time.Hour

// Progress reports how many orders have been written of how many.
type Progress func(done, total int)

type demoWarehouse struct {
	code, name, tz string
	addr           domain.Address
}

var demoWarehouses = []demoWarehouse{
	{"NL-VEN", "Venlo fulfilment centre", "Europe/Amsterdam", domain.Address{Company: "Portolan Logistics B.V.", Line1: "Celsiusweg 40", City: "Venlo", PostalCode: "5928 PR", Country: "NL", Phone: "+31 77 123 4500"}},
	{"DE-LEJ", "Leipzig hub", "Europe/Berlin", domain.Address{Company: "Portolan Logistik GmbH", Line1: "Radefelder Allee 8", City: "Leipzig", PostalCode: "04435", Country: "DE", Phone: "+49 341 555 010"}},
	{"GB-DAV", "Daventry DC", "Europe/London", domain.Address{Company: "Portolan UK Ltd", Line1: "Royal Oak Way South", City: "Daventry", PostalCode: "NN11 8PQ", Country: "GB", Phone: "+44 1327 555 200"}},
	{"US-NJE", "Edison, New Jersey", "America/New_York", domain.Address{Company: "Portolan Fulfillment Inc.", Line1: "300 Raritan Center Pkwy", City: "Edison", Region: "NJ", PostalCode: "08837", Country: "US", Phone: "+1 732 555 0141"}},
	{"US-ONT", "Ontario, California", "America/Los_Angeles", domain.Address{Company: "Portolan Fulfillment Inc.", Line1: "4200 E Airport Dr", City: "Ontario", Region: "CA", PostalCode: "91761", Country: "US", Phone: "+1 909 555 0177"}},
	{"JP-ICH", "市川物流センター", "Asia/Tokyo", domain.Address{Company: "ポルトラン株式会社", Line1: "塩浜2丁目13-1", City: "市川市", Region: "千葉県", PostalCode: "272-0127", Country: "JP", Phone: "+81 47 555 0120"}},
	{"AU-SYD", "Sydney (Eastern Creek)", "Australia/Sydney", domain.Address{Company: "Portolan Australia Pty Ltd", Line1: "2 Honeycomb Dr", City: "Eastern Creek", Region: "NSW", PostalCode: "2766", Country: "AU", Phone: "+61 2 5550 0180"}},
}

var demoChannels = []domain.Channel{
	{Code: "SHOP-EU", Name: "Shopify — Portolan Outfitters EU", Kind: domain.ChannelShopify, BaseURL: "https://portolan-outfitters-eu.myshopify.com"},
	{Code: "WOO-AM", Name: "WooCommerce — Americas store", Kind: domain.ChannelWooCommerce, BaseURL: "https://shop.portolan-outfitters.example"},
	{Code: "BC-APAC", Name: "BigCommerce — Asia-Pacific & Gulf", Kind: domain.ChannelBigCommerce, BaseURL: "https://api.bigcommerce.com/stores/p7r2x9k4"},
}

type demoProductKind struct {
	name, hs, customs string
	origin            []string
	grams             int
	dims              [3]int // mm
	usdCents          int
	zone              string
}

var demoProductKinds = []demoProductKind{
	{"Merino wool beanie", "650500", "Knitted hat of wool", []string{"NZ", "PT"}, 90, [3]int{220, 180, 30}, 2900, "A"},
	{"Cotton crew T-shirt", "610910", "T-shirt of cotton, knitted", []string{"PT", "TR", "BD"}, 180, [3]int{280, 220, 20}, 2400, "A"},
	{"Linen button-down shirt", "620520", "Men's shirt of linen", []string{"PT", "IN"}, 260, [3]int{320, 240, 30}, 6900, "A"},
	{"Down jacket", "620193", "Anorak of man-made fibres, down filled", []string{"VN", "CN"}, 780, [3]int{450, 350, 90}, 21900, "B"},
	{"Rain shell jacket", "621020", "Waterproof garment of coated fabric", []string{"VN", "CN"}, 420, [3]int{400, 300, 60}, 15900, "B"},
	{"Trail running shoe", "640411", "Sports footwear, textile upper", []string{"VN", "ID"}, 620, [3]int{330, 210, 120}, 13900, "B"},
	{"Leather ankle boot", "640391", "Footwear, leather upper, covering the ankle", []string{"PT", "IT"}, 1150, [3]int{340, 230, 140}, 22900, "B"},
	{"Wool hiking socks (3 pairs)", "611595", "Socks of cotton, knitted", []string{"TR", "PT"}, 150, [3]int{200, 120, 40}, 1900, "A"},
	{"Canvas tote bag", "420222", "Handbag with outer surface of textile", []string{"IN", "CN"}, 340, [3]int{400, 380, 20}, 3500, "A"},
	{"Roll-top backpack 25 L", "420292", "Backpack with outer surface of plastic sheeting", []string{"VN", "CN"}, 890, [3]int{500, 300, 150}, 12900, "C"},
	{"Stainless steel bottle 750 ml", "732393", "Table/kitchen article of stainless steel", []string{"CN", "TW"}, 360, [3]int{280, 80, 80}, 3200, "C"},
	{"Enamel camping mug", "732394", "Kitchen article of enamelled iron", []string{"CN", "PL"}, 220, [3]int{110, 110, 90}, 1800, "C"},
	{"Ceramic pour-over dripper", "691200", "Ceramic tableware", []string{"JP"}, 410, [3]int{150, 150, 110}, 3900, "C"},
	{"Japanese chef knife 210 mm", "821191", "Knife with fixed blade", []string{"JP"}, 240, [3]int{350, 60, 30}, 17900, "C"},
	{"Bamboo cutting board", "441990", "Tableware of bamboo", []string{"CN", "VN"}, 980, [3]int{400, 280, 20}, 4500, "C"},
	{"Cast iron skillet 26 cm", "732391", "Table/kitchen article of cast iron", []string{"CN", "US"}, 2600, [3]int{460, 280, 60}, 5900, "C"},
	{"Headlamp 400 lm", "851310", "Portable electric lamp", []string{"CN"}, 120, [3]int{90, 70, 50}, 4900, "D"},
	{"Solar power bank 20000 mAh", "850760", "Lithium-ion accumulator", []string{"CN"}, 480, [3]int{160, 80, 30}, 5900, "D"},
	{"Wireless earbuds", "851830", "Headphones and earphones", []string{"CN", "VN"}, 80, [3]int{100, 80, 40}, 8900, "D"},
	{"Field notebook A5 (3 pack)", "482010", "Notebooks of paper", []string{"IT", "JP"}, 420, [3]int{220, 160, 30}, 1500, "A"},
	{"Fountain pen", "960831", "Fountain pen", []string{"DE", "JP"}, 60, [3]int{170, 60, 30}, 7500, "A"},
	{"Silk scarf", "621410", "Shawl/scarf of silk", []string{"IT", "CN"}, 70, [3]int{200, 150, 10}, 9500, "A"},
	{"Sunglasses, polarised", "900410", "Sunglasses", []string{"IT", "CN"}, 45, [3]int{160, 70, 50}, 12900, "D"},
	{"Analog field watch", "910221", "Wrist-watch, automatic winding", []string{"JP", "CH"}, 95, [3]int{110, 90, 80}, 24900, "D"},
	{"Yoga mat 4 mm", "950691", "Articles for general physical exercise", []string{"TW", "CN"}, 1800, [3]int{620, 150, 150}, 6900, "C"},
}

// demoServices are each demo channel's shipping services as its storefront
// names them: standard, and (every ninth order) express.
var demoServices = [][2]string{
	{"Standard shipping", "Express 1–2 business days"},
	{"Flat rate", "DHL Express"},
	{"Standard Shipping", "Priority Overnight"},
}

var demoVariants = [][]string{
	{"Black", "Navy", "Olive", "Sand"},
	{"XS", "S", "M", "L", "XL"},
}

// Generate fills an empty database with a deterministic international
// data set in one transaction: warehouses with bins, products with customs
// data, stock, channels and opts.Orders orders placed over the 180 days up to
// opts.Until (which must be set). Cancelling ctx rolls it all back.
func Generate(ctx context.Context, store domain.BulkLoader, catalog domain.CatalogStore, opts Options, progress Progress) error {
	if opts.Orders == 0 {
		opts.Orders = DefaultOrders
	}
	if opts.Orders < 0 || opts.Orders > 2_000_000 {
		return domain.Errorf(domain.EINVALID, "--orders must be between 1 and 2000000")
	}
	empty, err := catalog.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return domain.Errorf(domain.ECONFLICT, "the database already holds data; load the demo into a new file with --db PATH")
	}
	if opts.Until.IsZero() {
		return domain.Errorf(domain.EINVALID, "the demo needs the end of its history")
	}
	g := &demoGen{rng: rand.New(rand.NewPCG(opts.Seed, 0x504f52544f4c414e)), until: opts.Until.UTC().Truncate(time.Second)}
	return store.Bulk(ctx, func(w domain.BulkWriter) error {
		if err := g.catalog(w); err != nil {
			return err
		}
		for i := range opts.Orders {
			if err := ctx.Err(); err != nil {
				return err
			}
			o := g.order(i, opts.Orders)
			if err := w.AddOrder(&o); err != nil {
				return fmt.Errorf("demo order %d: %w", i+1, err)
			}
			if sh, evs, ok := demoShipment(o, i, g.until); ok {
				// From a warehouse of its region (any, where none is).
				sh.WarehouseID = g.shipsFrom(o.ShipTo.Country, i).ID
				if err := w.AddShipment(&sh, evs); err != nil {
					return fmt.Errorf("demo order %d's parcel: %w", i+1, err)
				}
			}
			if progress != nil && (i%500 == 499 || i == opts.Orders-1) {
				progress(i+1, opts.Orders)
			}
		}
		return nil
	})
}

type demoProduct struct {
	domain.Product
	usdCents int
}

type demoGen struct {
	rng      *rand.Rand
	until    time.Time // the end of the history
	channels []domain.Channel
	// warehouses are the demo's, with their IDs.
	warehouses []domain.Warehouse
	products   []demoProduct
	localeCDF  []int
}

func itoa(n int) string { return strconv.Itoa(n) }

func (g *demoGen) pick(n int) int { return g.rng.IntN(n) }

func (g *demoGen) catalog(w domain.BulkWriter) error {
	for _, c := range demoChannels {
		c := c
		if err := w.AddChannel(&c); err != nil {
			return err
		}
		g.channels = append(g.channels, c)
	}
	// Products: every kind in colours (and sizes for apparel) until 500.
	seq := 10001
	for len(g.products) < 500 {
		k := demoProductKinds[len(g.products)%len(demoProductKinds)]
		round := len(g.products) / len(demoProductKinds)
		variant := demoVariants[0][round%4]
		if round >= 4 {
			variant += ", " + demoVariants[1][(round/4)%5]
		}
		body := fmt.Sprintf("400%09d", seq)
		p := domain.Product{
			SKU:                fmt.Sprintf("PRT-%d", seq),
			Name:               k.name + " — " + variant,
			GTIN:               body + string(domain.GTINCheckDigit(body)),
			Weight:             domain.Grams(k.grams + g.pick(k.grams/10+1)),
			Dimensions:         domain.Dimensions{Length: domain.Millimetres(k.dims[0]), Width: domain.Millimetres(k.dims[1]), Height: domain.Millimetres(k.dims[2])},
			HSCode:             k.hs,
			Origin:             domain.Country(k.origin[g.pick(len(k.origin))]),
			CustomsDescription: k.customs,
			UnitValue:          domain.NewMoney(int64(k.usdCents*45/100), "USD"),
			// Power banks are kept by cell batch, with the batch's use-by date.
			LotTracked: strings.HasPrefix(k.name, "Solar power bank"),
		}
		if err := w.AddProduct(&p); err != nil {
			return err
		}
		g.products = append(g.products, demoProduct{Product: p, usdCents: k.usdCents + (round%3)*100})
		seq++
	}
	// Warehouses with zones A–D (pick faces) and BULK, about 300 bins each, and
	// stock counted before the order history begins (so storage is charged
	// for every day of it).
	w.StockCountedAt(g.until.Add(-demoSpan - 24*time.Hour))
	for wi, dw := range demoWarehouses {
		a := dw.addr
		a.Name = dw.name
		wh := domain.Warehouse{Code: dw.code, Name: dw.name, Address: a, TimeZone: dw.tz}
		if err := w.AddWarehouse(&wh); err != nil {
			return err
		}
		g.warehouses = append(g.warehouses, wh)
		bins := map[string][]int64{}
		seqNo := 0
		for _, zone := range []string{"A", "B", "C", "D"} {
			for aisle := 1; aisle <= 4; aisle++ {
				for bay := 1; bay <= 9; bay++ {
					for level := 1; level <= 2; level++ {
						seqNo += 10
						l := domain.Location{WarehouseID: wh.ID, Zone: zone, PickSequence: seqNo,
							Code: fmt.Sprintf("%s-%02d-%02d-%d", zone, aisle, bay, level)}
						if err := w.AddLocation(&l); err != nil {
							return err
						}
						bins[zone] = append(bins[zone], l.ID)
					}
				}
			}
		}
		for i := 1; i <= 12; i++ {
			seqNo += 10
			l := domain.Location{WarehouseID: wh.ID, Zone: "BULK", PickSequence: seqNo, Code: fmt.Sprintf("BULK-%02d", i)}
			if err := w.AddLocation(&l); err != nil {
				return err
			}
			bins["BULK"] = append(bins["BULK"], l.ID)
		}
		for pi, p := range g.products {
			// Each product is stocked in roughly half of the warehouses.
			if (pi+wi)%7 >= 4 && g.pick(4) != 0 {
				continue
			}
			zone := demoProductKinds[pi%len(demoProductKinds)].zone
			zb := bins[zone]
			// Lot-tracked products get a lot per bin, older lots expiring first.
			lot := func(n int) (string, string) {
				if !p.LotTracked {
					return "", ""
				}
				return fmt.Sprintf("L%s-%02d%d", dw.code[:2], pi%100, n), fmt.Sprintf("20%02d-%02d-28", 27+n, 1+(pi+wi+n*5)%12)
			}
			first := g.pick(len(zb))
			l1, e1 := lot(0)
			if err := w.AddStock(p.ID, zb[first], l1, e1, domain.Quantity(5+g.pick(120))); err != nil {
				return err
			}
			if g.pick(3) == 0 {
				second := (first + 1 + g.pick(len(zb)-1)) % len(zb)
				l2, e2 := lot(1)
				if err := w.AddStock(p.ID, zb[second], l2, e2, domain.Quantity(1+g.pick(40))); err != nil {
					return err
				}
			}
			if g.pick(5) == 0 {
				bulk := bins["BULK"][g.pick(len(bins["BULK"]))]
				l3, e3 := lot(2)
				if err := w.AddStock(p.ID, bulk, l3, e3, domain.Quantity(48*(1+g.pick(6)))); err != nil {
					return err
				}
			}
		}
	}
	total := 0
	for _, l := range demoLocales {
		total += l.weight
		g.localeCDF = append(g.localeCDF, total)
	}
	return nil
}

func (g *demoGen) locale() *demoLocale {
	r := g.pick(g.localeCDF[len(g.localeCDF)-1])
	for i, c := range g.localeCDF {
		if r < c {
			return &demoLocales[i]
		}
	}
	return &demoLocales[len(demoLocales)-1]
}

func (g *demoGen) pattern(p string) string {
	var b strings.Builder
	for _, r := range p {
		switch r {
		case '#':
			b.WriteByte(byte('0' + g.pick(10)))
		case 'A':
			b.WriteByte(byte('A' + g.pick(26)))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// price converts US cents into minor units of cur, rounded to a shop-like price.
func price(usdCents int, cur domain.Currency) int64 {
	exp := cur.Exponent()
	scale := int64(1)
	for range exp {
		scale *= 10
	}
	minor := int64(usdCents) * domain.IndicativePerUSD[cur] * scale / 100 / 1000
	switch {
	case exp == 0 && minor >= 10000:
		minor = (minor + 50) / 100 * 100 // ¥12,300 / ₩45,600
	case exp == 0:
		minor = (minor + 5) / 10 * 10
	case exp == 3:
		minor = (minor + 50) / 100 * 100 // KWD 9.500
	default:
		minor = (minor+50)/100*100 - 1 // 34.99
	}
	if minor <= 0 {
		minor = 1
	}
	return minor
}

func (g *demoGen) order(i, total int) domain.Order {
	loc := g.locale()
	cur := domain.Currency(loc.currency)
	ch := g.channels[loc.channel]
	// Orders are spread over 180 days, older orders first, with a few hours of jitter.
	span := demoSpan
	placed := g.until.Add(-span + time.Duration(int64(span/time.Second)*int64(i)/int64(total))*time.Second).
		Add(-time.Duration(g.pick(3*3600)) * time.Second).Truncate(time.Second)

	given, family := loc.given[g.pick(len(loc.given))], loc.family[g.pick(len(loc.family))]
	name := given.native + loc.sep + family.native
	if loc.familyFirst {
		name = family.native + loc.sep + given.native
	}
	ci := g.pick(len(loc.cities))
	city := loc.cities[ci]
	email := fmt.Sprintf("%s.%s%d@mail.example.%s", given.roman, family.roman, g.pick(100), loc.emailTLD)
	o := domain.Order{
		ChannelID:     ch.ID,
		ExternalID:    strconv.Itoa(5_100_000_000 + i*7 + 3),
		Number:        fmt.Sprintf("%s-%06d", ch.Code[:2], 100001+i),
		PlacedAt:      placed,
		Currency:      cur,
		CustomerEmail: email,
		ShipTo: domain.Address{
			Name:       name,
			Line1:      loc.street(loc.streets[ci%len(loc.streets)], 1+g.pick(180)), // streets are listed in city order
			City:       city.city,
			Region:     city.region,
			PostalCode: g.pattern(city.postal),
			Country:    domain.Country(loc.country),
			Phone:      fmt.Sprintf("%s %d %03d %04d", loc.phone, 20+g.pick(70), g.pick(1000), g.pick(10000)),
			Email:      email,
		},
		Status:  domain.StatusNew,
		Service: demoServices[loc.channel%len(demoServices)][min(i%9, 1)^1],
	}
	if g.pick(12) == 0 {
		o.ShipTo.Company = "Atelier " + family.native
	}
	lines := 1 + g.pick(3)
	if g.pick(10) == 0 {
		lines += 2
	}
	used := map[int]bool{}
	for range lines {
		pi := g.pick(len(g.products))
		if used[pi] {
			continue
		}
		used[pi] = true
		p := g.products[pi]
		q := 1
		if g.pick(5) == 0 {
			q += 1 + g.pick(3)
		}
		o.Lines = append(o.Lines, domain.OrderLine{SKU: p.SKU, Name: p.Name, Quantity: domain.Quantity(q),
			UnitPrice: domain.NewMoney(price(p.usdCents, cur), cur)})
	}
	sub, _ := o.Subtotal()
	o.Shipping = domain.NewMoney(price(695, cur), cur)
	if sub.Amount >= price(15000, cur) {
		o.Shipping = domain.NewMoney(0, cur) // free shipping over ~150 USD
	}
	o.Tax = domain.NewMoney((sub.Amount*int64(loc.taxPercent)+50)/100, cur)
	o.Total, _ = o.ComputedTotal()
	if g.pick(25) == 0 {
		o.Notes = []string{"Please leave with the neighbour if out.", "Gift — no invoice in the parcel.", "置き配希望", "배송 전 연락 주세요", "Bitte nicht klingeln."}[g.pick(5)]
	}
	g.history(&o, ch)
	return o
}

// history walks the order through a plausible, legal life for its age.
func (g *demoGen) history(o *domain.Order, ch domain.Channel) {
	t := o.PlacedAt.Add(time.Duration(1+g.pick(20)) * time.Minute)
	o.History = []domain.StatusChange{{At: t, To: domain.StatusNew, Reason: "imported from " + ch.Name}}
	age := g.until.Sub(o.PlacedAt)
	step := func(to domain.OrderStatus, after time.Duration, reason string) {
		t = t.Add(after)
		if err := o.TransitionTo(to, t, reason); err != nil {
			panic(err) // the demo only walks legal paths
		}
	}
	r := g.pick(100)
	switch {
	case age < 36*time.Hour:
		if r < 6 {
			step(domain.StatusOnHold, 2*time.Hour, "address check requested by coordinator")
		}
		return
	case r < 3:
		step(domain.StatusCancelled, 3*time.Hour, "cancelled by customer")
		return
	case r < 5:
		step(domain.StatusOnHold, 90*time.Minute, "fraud review")
		if age > 10*24*time.Hour {
			step(domain.StatusCancelled, 26*time.Hour, "payment not confirmed")
		}
		return
	}
	step(domain.StatusAllocated, 40*time.Minute, "allocated")
	step(domain.StatusPicking, 3*time.Hour, "wave released")
	step(domain.StatusPacked, 90*time.Minute, "packed")
	step(domain.StatusShipped, 5*time.Hour, "handed to carrier")
	if age < 9*24*time.Hour {
		g.recent(o, r, t)
		return
	}
	if r < 8 { // the carrier could not find the address; delivered after a correction
		step(domain.StatusException, 3*24*time.Hour, "carrier: address not found")
		if age > 20*24*time.Hour {
			step(domain.StatusDelivered, 4*24*time.Hour, "carrier: delivered after address correction")
		}
		return
	}
	step(domain.StatusDelivered, time.Duration(2+g.pick(6))*24*time.Hour, "carrier: delivered")
}

// recent ends the history of an order shipped at t in the last nine days:
// delivered if its transit time has passed by the end of the history, else
// on its way; one in thirty-three cannot be delivered (address not found)
// once three days have passed. The transit time comes from the order's
// number, not the random source, so the orders after it stay as they were.
func (g *demoGen) recent(o *domain.Order, r int, t time.Time) {
	h := fnv.New32a()
	h.Write([]byte(o.Number))
	switch transit := time.Duration(2+h.Sum32()%6) * 24 * time.Hour; {
	case r < 8 && !t.Add(3*24*time.Hour).After(g.until):
		if err := o.TransitionTo(domain.StatusException, t.Add(3*24*time.Hour), "carrier: address not found"); err != nil {
			panic(err)
		}
	case r >= 8 && !t.Add(transit).After(g.until):
		if err := o.TransitionTo(domain.StatusDelivered, t.Add(transit), "carrier: delivered"); err != nil {
			panic(err)
		}
	}
}

// demoShipment is the parcel of a demo order that was handed to a carrier:
// DHL abroad and in Europe, UPS, FedEx or USPS in the United States, with a
// valid tracking number and the scans so far. Parcels still on their way are
// due for a poll (the sandbox carriers answer for them); delivered ones carry
// their history, so the charts and on-time rates have data. It draws from
// its own random source so the orders stay as they were.
func demoShipment(o domain.Order, i int, until time.Time) (domain.Shipment, []domain.TrackEvent, bool) {
	var shipped, delivered, exception time.Time
	reason := ""
	for _, h := range o.History {
		switch h.To {
		case domain.StatusShipped:
			shipped = h.At
		case domain.StatusDelivered:
			delivered = h.At
		case domain.StatusException:
			exception, reason = h.At, strings.TrimPrefix(h.Reason, "carrier: ")
		}
	}
	if shipped.IsZero() {
		return domain.Shipment{}, nil, false
	}
	rng := rand.New(rand.NewPCG(uint64(i), 0x534849504d454e54))
	kind := domain.CarrierDHL
	if o.ShipTo.Country == "US" {
		kind = []domain.CarrierKind{domain.CarrierUPS, domain.CarrierFedEx, domain.CarrierUSPS}[rng.IntN(3)]
	}
	p, _ := kind.Profile()
	sh := domain.Shipment{OrderID: o.ID, Carrier: p.Name, Tracking: domain.MakeTrackingNumber(kind, int64(100000+i)),
		Destination: o.ShipTo.Country, ShippedAt: shipped, ETA: shipped.Add(time.Duration(6+rng.IntN(2)) * 24 * time.Hour).Truncate(24 * time.Hour)}
	at := func(h int) time.Time { return shipped.Add(time.Duration(h) * time.Hour) }
	evs := []domain.TrackEvent{
		{At: at(0), Code: "SI", Text: "Shipment information received", Milestone: domain.MilestoneLabelCreated},
		{At: at(3), Code: "PU", Text: "Shipment picked up", Milestone: domain.MilestonePickedUp},
		{At: at(14), Code: "PL", Text: "Processed at the sort facility", Milestone: domain.MilestoneInTransit},
	}
	switch {
	case !delivered.IsZero():
		if !exception.IsZero() {
			evs = append(evs, domain.TrackEvent{At: exception, Code: "BA", Text: reason, Milestone: domain.MilestoneException})
		}
		evs = append(evs, domain.TrackEvent{At: delivered.Add(-5 * time.Hour), Code: "WC", Text: "With delivery courier", Milestone: domain.MilestoneOutForDelivery},
			domain.TrackEvent{At: delivered, Code: "OK", Text: "Delivered", Milestone: domain.MilestoneDelivered})
		sh.Milestone, sh.Status, sh.DeliveredAt = domain.MilestoneDelivered, "Delivered", delivered
	case !exception.IsZero():
		evs = append(evs, domain.TrackEvent{At: exception, Code: "BA", Text: reason, Milestone: domain.MilestoneException})
		sh.Milestone, sh.Status, sh.NextPollAt = domain.MilestoneException, reason, exception.Add(2*time.Hour)
	default:
		// On its way: a scan about every day up to the end of the history
		// (one parcel in fifty stops being scanned: lost in the network),
		// and a poll due.
		lost := rng.IntN(50) == 0
		for h := 38; !lost && at(h).Before(until); h += 20 + rng.IntN(10) {
			evs = append(evs, domain.TrackEvent{At: at(h), Code: "AF", Text: "Arrived at the sort facility", Milestone: domain.MilestoneInTransit})
		}
		kept := evs[:0]
		for _, e := range evs {
			if e.At.Before(until) {
				kept = append(kept, e)
			}
		}
		evs = kept
		sh.Milestone, sh.NextPollAt = evs[len(evs)-1].Milestone, shipped.Add(30*time.Minute)
		sh.Status = evs[len(evs)-1].Text
	}
	for j := range evs {
		evs[j].Location = map[bool]string{true: "LEIPZIG, DE", false: string(o.ShipTo.Country)}[j < 2]
	}
	last := evs[len(evs)-1]
	sh.LastEventAt, sh.PolledAt = last.At, last.At
	return sh, evs, true
}

// Orders makes n orders of the demo data set (the same products, names in
// every script, every currency), placed over the 180 days up to until, with
// their histories — without a database: the sandbox store serves them.
func Orders(n int, seed uint64, until time.Time) []domain.Order {
	g := &demoGen{rng: rand.New(rand.NewPCG(seed, 0x53414e44424f58)), until: until.UTC().Truncate(time.Second)}
	if err := g.catalog(&memWriter{}); err != nil {
		panic(err) // memWriter cannot fail
	}
	out := make([]domain.Order, 0, n)
	for i := range n {
		out = append(out, g.order(i, n))
	}
	return out
}

// memWriter is a BulkWriter that only numbers what it is given, so the
// generator can make orders without a database.
type memWriter struct{ next int64 }

func (m *memWriter) id() int64                                                    { m.next++; return m.next }
func (m *memWriter) AddChannel(c *domain.Channel) error                           { c.ID = m.id(); return nil }
func (m *memWriter) AddWarehouse(w *domain.Warehouse) error                       { w.ID = m.id(); return nil }
func (m *memWriter) AddLocation(l *domain.Location) error                         { l.ID = m.id(); return nil }
func (m *memWriter) AddProduct(p *domain.Product) error                           { p.ID = m.id(); return nil }
func (m *memWriter) AddStock(int64, int64, string, string, domain.Quantity) error { return nil }
func (m *memWriter) StockCountedAt(time.Time)                                     {}
func (m *memWriter) AddOrder(*domain.Order) error                                 { return nil }
func (m *memWriter) AddShipment(*domain.Shipment, []domain.TrackEvent) error      { return nil }

// Countries are the demo's destinations and the countries of its
// warehouses, in code order: the destinations default rates are listed for.
func Countries() []domain.Country {
	set := map[domain.Country]bool{}
	for _, l := range demoLocales {
		set[domain.Country(l.country)] = true
	}
	for _, w := range demoWarehouses {
		set[w.addr.Country] = true
	}
	out := make([]domain.Country, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// shipsFrom is the warehouse the i-th order to country shipped from: one
// in its region (any, where none is), the same for the same order.
func (g *demoGen) shipsFrom(country domain.Country, i int) domain.Warehouse {
	var near []domain.Warehouse
	for _, w := range g.warehouses {
		if r := domain.Region(country); r != "" && domain.Region(w.Address.Country) == r {
			near = append(near, w)
		}
	}
	if len(near) == 0 {
		near = g.warehouses
	}
	return near[i%len(near)]
}
