package dhlexpress

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

// The fixtures are the examples of DHL's own OpenAPI document of the MyDHL
// API (testdata/SOURCE.md).
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mydhl is a local MyDHL API speaking the documented shapes: it rates,
// creates a shipment once per request, finds shipments by reference and
// tracks them.
type mydhl struct {
	mu        sync.Mutex
	rated     map[string]any // the last rate request
	shipped   map[string]any // the last shipment request
	creates   int            // shipments created
	refs      map[string]bool
	dropBuy   bool // create the shipment, then drop the connection unanswered
	refuseBuy bool
}

const user, pass = "apiKEY", "apiSECRET"

var now = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

func newMyDHL(t *testing.T, paperless bool) (*mydhl, *Client) {
	t.Helper()
	return newMyDHLAccount(t, func(a *domain.CarrierAccount) { a.Paperless = paperless })
}

// zplLabel is the label as MyDHL sends it when asked for ZPL.
const zplLabel = "^XA^FO40,40^A0N,40,40^FDDHL Express 1103733901^FS^XZ\n"

func newMyDHLAccount(t *testing.T, edit func(*domain.CarrierAccount)) (*mydhl, *Client) {
	t.Helper()
	m := &mydhl{refs: map[string]bool{}}
	rates, shipment, tracking := fixture(t, "rates-response.json"), fixture(t, "shipments-response.json"), fixture(t, "tracking-response.json")
	problem := func(w http.ResponseWriter, status int, detail string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"instance": "/expressapi" + "/x", "detail": detail, "title": "Bad request",
			"message": "Bad request", "status": http.StatusText(status)})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
			problem(w, http.StatusUnauthorized, "Invalid credentials")
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		var body map[string]any
		if r.Method == http.MethodPost {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				problem(w, http.StatusBadRequest, "malformed JSON")
				return
			}
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/rates":
			m.rated = body
			w.Write(rates)
		case r.Method == http.MethodPost && r.URL.Path == "/shipments":
			m.shipped = body
			if m.refuseBuy {
				problem(w, http.StatusBadRequest, "1001: The requested product(s) (P) not available based on your search criteria.")
				return
			}
			m.creates++
			refs, _ := body["customerReferences"].([]any)
			m.refs[refs[0].(map[string]any)["value"].(string)] = true
			if m.dropBuy { // created, and the answer never arrives
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			if out, _ := body["outputImageProperties"].(map[string]any); out["encodingFormat"] == "zpl" {
				// The label comes in the format asked for (the invoice and
				// receipt always as PDF, DHL says).
				var sent map[string]any
				json.Unmarshal(shipment, &sent)
				for _, d := range sent["documents"].([]any) {
					if doc := d.(map[string]any); doc["typeCode"] == "label" {
						doc["imageFormat"], doc["content"] = "ZPL", base64.StdEncoding.EncodeToString([]byte(zplLabel))
					}
				}
				json.NewEncoder(w).Encode(sent)
				return
			}
			w.Write(shipment)
		case r.Method == http.MethodGet && r.URL.Path == "/tracking":
			q := r.URL.Query()
			if q.Get("shipperAccountNumber") != "123456789" || q.Get("dateRangeFrom") != "2026-11-30" || q.Get("shipmentReferenceType") != "CU" {
				problem(w, http.StatusBadRequest, "tracking by reference needs the account and a date range")
				return
			}
			if !m.refs[q.Get("shipmentReference")] {
				problem(w, http.StatusNotFound, "No data found")
				return
			}
			w.Write(tracking)
		case r.Method == http.MethodGet && r.URL.Path == "/shipments/1234567890/tracking":
			w.Write(tracking)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/shipments/"):
			problem(w, http.StatusNotFound, "No data found")
		default:
			problem(w, http.StatusNotFound, "no such resource")
		}
	}))
	t.Cleanup(srv.Close)
	a := domain.CarrierAccount{Kind: domain.CarrierDHLExpress, Name: "DHL Express", BaseURL: srv.URL, ClientID: user, ClientSecret: pass, Number: "123456789"}
	return m, tracktest.NewSeller(t, a, edit, now, func(a domain.CarrierAccount, now func() time.Time) (*Client, error) { return New(a, now) })
}

// venloToNewYork is a packed parcel that crosses a customs border.
func venloToNewYork() domain.PackedParcel {
	p := tracktest.Parcel(tracktest.Venlo, tracktest.NewYork, "EUR")
	p.Weight = 1500
	return p
}

func TestQuoteAsksForTheParcelsRatesAndReadsThem(t *testing.T) {
	m, c := newMyDHL(t, false)
	quotes, problems, err := c.Quote(context.Background(), venloToNewYork(), domain.ShippingSettings{}, "portolan-parcel-7")
	if err != nil {
		t.Fatal(err)
	}
	got := tracktest.JSON(m.rated)
	for _, want := range []string{`"accounts":[{"number":"123456789","typeCode":"shipper"}]`, `"countryCode":"NL"`, `"cityName":"New York"`,
		`"postalCode":"10118"`, `"provinceCode":"NY"`, `"plannedShippingDateAndTime":"2026-12-07T10:40:00GMT+01:00"`, `"unitOfMeasurement":"metric"`,
		`"isCustomsDeclarable":true`, `"monetaryAmount":[{"currency":"EUR","typeCode":"declaredValue","value":37.5}]`, `"weight":1.5`,
		`"dimensions":{"height":10,"length":30,"width":21}`, `"nextBusinessDay":true`} {
		if !strings.Contains(got, want) {
			t.Errorf("the rate request lacks %s:\n%s", want, got)
		}
	}
	if len(quotes) != 1 {
		t.Fatalf("quotes %+v, problems %+v", quotes, problems)
	}
	q := quotes[0]
	// The billing currency's price (BILLC), not the base currency's; DHL's
	// estimated delivery is the clock in Paris (the receiver of DHL's example).
	if q.Carrier != "DHL Express" || q.Service != "Express Worldwide Nondoc" || q.Price != domain.NewMoney(15795, "GBP") || q.RateRef != "P" ||
		q.TransitDays != 3 || !q.Guaranteed || !strings.HasPrefix(q.ShipmentRef, "portolan-parcel-7-") || len(q.ShipmentRef) > 35 {
		t.Errorf("quote %+v", q)
	}
	// DHL writes the clock at the receiver's; the US has no one zone, so the
	// time is kept as written.
	if want := time.Date(2022, 11, 24, 23, 59, 0, 0, time.UTC); !q.DeliveryBy.Equal(want) {
		t.Errorf("delivery by %v, want %v", q.DeliveryBy, want)
	}
	if len(problems) != 0 {
		t.Errorf("problems %+v", problems)
	}
}

func TestBuyCreatesTheShipmentWithItsDeclarationAndKeepsTheLabel(t *testing.T) {
	for _, paperless := range []bool{false, true} {
		m, c := newMyDHL(t, paperless)
		ctx := context.Background()
		quotes, _, err := c.Quote(ctx, venloToNewYork(), domain.ShippingSettings{EORI: "NL123456789B01", Incoterm: "DDP"}, "portolan-parcel-7")
		if err != nil {
			t.Fatal(err)
		}
		label, err := c.Buy(ctx, quotes[0])
		if err != nil {
			t.Fatal(err)
		}
		got := tracktest.JSON(m.shipped)
		for _, want := range []string{`"productCode":"P"`, `"plannedShippingDateAndTime":"2026-12-07T10:40:00 GMT+01:00"`, `"pickup":{"isRequested":false}`,
			`"customerReferences":[{"typeCode":"CU","value":"` + quotes[0].ShipmentRef + `"}]`, `"fullName":"José Müller"`,
			`"companyName":"José Müller"`, `"phone":"+1 212 555 0100"`, `"companyName":"Portolan B.V."`,
			`"registrationNumbers":[{"issuerCountryCode":"NL","number":"NL123456789B01","typeCode":"EOR"}]`, `"incoterm":"DDP"`,
			`"declaredValue":37.5`, `"declaredValueCurrency":"EUR"`, `"commodityCodes":[{"typeCode":"outbound","value":"650500"}]`,
			`"manufacturerCountry":"NZ"`, `"price":12.5`, `"quantity":{"unitOfMeasurement":"PCS","value":3}`, `"netValue":0.36`,
			`"invoice":{"date":"2026-12-07","number":"SH-1042"}`, `"encodingFormat":"pdf"`, `"getRateEstimates":true`} {
			if !strings.Contains(got, want) {
				t.Errorf("paperless %v: the shipment request lacks %s:\n%s", paperless, want, got)
			}
		}
		if wy := strings.Contains(got, `"valueAddedServices":[{"serviceCode":"WY"}]`); wy != paperless {
			t.Errorf("paperless %v, but paperless trade (WY) asked: %v", paperless, wy)
		}
		if inv := strings.Contains(got, `{"invoiceType":"commercial","isRequested":true,"typeCode":"invoice"}`); inv != paperless {
			t.Errorf("paperless %v, but DHL's invoice asked: %v", paperless, inv)
		}
		if label.Tracking != "1103733901" || label.Carrier != "DHL Express" || label.Service != "Express Worldwide Nondoc" ||
			label.Cost != domain.NewMoney(15795, "GBP") || label.Format != "PDF" || !bytes.HasPrefix(label.File, []byte("%PDF")) ||
			label.ShipmentRef != quotes[0].ShipmentRef {
			t.Errorf("label %+v", label)
		}
		if file, err := c.LabelFile(ctx, label); err != nil || !bytes.Equal(file, label.File) {
			t.Errorf("label file: %v", err)
		}
		// The shipment was bought: its quote is spent, and buying it again
		// asks for new rates instead of creating a second shipment.
		if _, err := c.Buy(ctx, quotes[0]); err == nil || !strings.Contains(err.Error(), "ask for rates again") {
			t.Errorf("a second purchase of the quote: %v", err)
		}
		if m.creates != 1 {
			t.Errorf("%d shipments created", m.creates)
		}
	}
}

// A purchase whose answer is lost after DHL created the shipment is
// "uncertain"; DHL is then asked by the reference, and finds it.
// An account set to ZPL asks MyDHL for its label in ZPL and keeps it as
// sent, for a thermal printer.
func TestAZPLAccountGetsItsLabelAsZPL(t *testing.T) {
	m, c := newMyDHLAccount(t, func(a *domain.CarrierAccount) { a.ZPL = true })
	label := tracktest.BuysZPL(t, c, venloToNewYork(), domain.ShippingSettings{EORI: "NL123456789B01"}, zplLabel)
	if got := tracktest.JSON(m.shipped); !strings.Contains(got, `"encodingFormat":"zpl"`) {
		t.Errorf("the shipment request does not ask for ZPL:\n%s", got)
	}
	if string(label.File) != zplLabel || label.Tracking != "1103733901" {
		t.Errorf("label %s %q", label.Tracking, label.File)
	}
}

func TestALostAnswerIsAskedAboutByReference(t *testing.T) {
	m, c := newMyDHL(t, false)
	label := tracktest.LostPurchase(t, c, venloToNewYork(), domain.ShippingSettings{}, func() { m.dropBuy = true })
	if label.Tracking != "1234567890" {
		t.Errorf("asked afterwards: %+v", label)
	}
	if _, err := c.LabelFile(context.Background(), label); err == nil || !strings.Contains(err.Error(), "MyDHL") {
		t.Errorf("a label found by reference has no file to fetch, and says where to print it: %v", err)
	}
	if m.creates != 1 {
		t.Errorf("%d shipments created, want 1 (the purchase is sent once)", m.creates)
	}
}

// What cannot be bought is said in words: before any request where
// Portolan can tell, else in DHL's own words.
func TestRefusalsAreSaidInWords(t *testing.T) {
	m, c := newMyDHL(t, false)
	ctx := context.Background()
	noHS := venloToNewYork()
	noHS.Lines[0].HSCode = ""
	if _, _, err := c.Quote(ctx, noHS, domain.ShippingSettings{}, "p"); err == nil || !strings.Contains(err.Error(), "cannot be declared to customs") {
		t.Errorf("no HS code: %v", err)
	}
	noPhone := venloToNewYork() // to Germany: no customs, and no phone asked by the pre-flight
	noPhone.ShipTo = domain.Address{Name: "Jörg Weiß", Line1: "Unter den Linden 1", City: "Berlin", PostalCode: "10117", Country: "DE"}
	quotes, _, err := c.Quote(ctx, noPhone, domain.ShippingSettings{}, "p")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Buy(ctx, quotes[0]); err == nil || !strings.Contains(err.Error(), "recipient's phone") {
		t.Errorf("no phone: %v", err)
	}
	if m.creates != 0 || m.shipped != nil {
		t.Errorf("a shipment was asked for: %d", m.creates)
	}
	quotes, _, _ = c.Quote(ctx, venloToNewYork(), domain.ShippingSettings{}, "p")
	m.refuseBuy = true
	_, err = c.Buy(ctx, quotes[0])
	if err == nil || errors.Is(err, domain.ErrPurchaseUncertain) || !strings.Contains(err.Error(), "1001: The requested product(s) (P) not available") {
		t.Errorf("DHL's refusal: %v", err)
	}
	// Refused credentials say so.
	c.pass = "wrong"
	if _, _, err := c.Quote(ctx, venloToNewYork(), domain.ShippingSettings{}, "p"); err == nil {
		t.Error("wrong credentials quoted")
	}
}

func TestVoidAsksNothingOfDHL(t *testing.T) {
	m, c := newMyDHL(t, false)
	l, err := c.Void(context.Background(), domain.Label{ShipmentRef: "portolan-parcel-7-x", Carrier: Carrier, Tracking: "1103733901"})
	if err != nil || l.Refund == "" || l.Refund == "rejected" || m.rated != nil || m.shipped != nil {
		t.Errorf("void: %+v %v", l, err)
	}
}

func TestTrackReadsCheckpointsInTheirPlacesClock(t *testing.T) {
	_, c := newMyDHL(t, false)
	res, err := c.Track(context.Background(), []string{"1234567890", "5786694550"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 {
		t.Fatalf("%d results", len(res))
	}
	r := res[0]
	if r.Milestone != domain.MilestoneDelivered || len(r.Events) < 10 || r.NotFound != "" {
		t.Fatalf("result %+v", r)
	}
	// Australia has no one zone: "2023-08-09 13:56:21" at SYDNEY-AU is kept
	// as written, and the event says whose clock it is.
	if first := r.Events[0]; !first.At.Equal(time.Date(2023, 8, 9, 13, 56, 21, 0, time.UTC)) || first.Milestone != domain.MilestonePickedUp ||
		first.Location != "SYDNEY-AU" || first.Code != "PU" || !strings.HasSuffix(first.Text, "(local time at SYDNEY-AU)") {
		t.Errorf("first event %+v", first)
	}
	// New Zealand has: "2023-08-10 04:09:01" at AUCKLAND-NZ is 16:09:01 UTC the day before.
	var auckland domain.TrackEvent
	for _, e := range r.Events {
		if e.Location == "AUCKLAND-NZ" && e.Code == "AF" {
			auckland = e
		}
	}
	if !auckland.At.Equal(time.Date(2023, 8, 9, 16, 9, 1, 0, time.UTC)) || strings.Contains(auckland.Text, "local time") {
		t.Errorf("arrival at Auckland %+v", auckland)
	}
	var codes []string
	for _, e := range r.Events {
		codes = append(codes, e.Code+"="+string(e.Milestone))
	}
	for _, want := range []string{"CR=customs_cleared", "WC=out_for_delivery", "OK=delivered"} {
		if !strings.Contains(strings.Join(codes, " "), want) {
			t.Errorf("events %v lack %s", codes, want)
		}
	}
	if r.ETA.IsZero() {
		t.Error("no ETA")
	}
	if res[1].NotFound != "No data found" {
		t.Errorf("an unknown waybill: %+v", res[1])
	}
	if err := c.Check(context.Background()); err != nil {
		t.Errorf("check: %v", err)
	}
	c.user = "nobody"
	if err := c.Check(context.Background()); err == nil {
		t.Error("wrong credentials checked out")
	}
}

func TestReferenceFitsMyDHL(t *testing.T) {
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	if r := track.Reference("portolan-parcel-123456789012", at); len(r) > 35 || !regexp.MustCompile(`^portolan-parcel-\d+-[0-9a-z]+$`).MatchString(r) {
		t.Errorf("reference %q", r)
	}
	if track.Reference("p", at) == track.Reference("p", at.Add(time.Millisecond)) {
		t.Error("two quotes share a reference")
	}
}
