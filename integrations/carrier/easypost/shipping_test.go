package easypost

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

// The fixtures are EasyPost's own example responses (testdata/SOURCE.md);
// their three shipments are made one, so that the shop is consistent.
const (
	shipmentID = "shp_a9b97f431c00435cb16ec2d6a14ed109"  // shipments-create.json
	cheapest   = "rate_76e0cae29e294e6db279c76bbe2f27e9" // its GroundAdvantage rate, 8.20 USD
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "shp_40b6f049f00348b18de3804a26f7fd62", shipmentID) // shipments-buy.json
	return strings.ReplaceAll(s, "shp_597ccf75eb5f441282d22199e802474b", shipmentID)       // shipping-refund-refund.json
}

// shop is a local EasyPost speaking the documented shapes: it creates the
// shipment, sells it once, tells whether it was sold and refunds it.
type shop struct {
	mu       sync.Mutex
	created  map[string]any // the last shipment asked for
	creates  int
	buys     int // purchases committed
	bought   bool
	dropBuy  bool // commit the purchase, then drop the connection unanswered
	busyBuy  bool // turn purchases away with 429
	rejectTo bool // refuse the ship-to address
}

func newShop(t *testing.T) (*shop, *Seller) {
	t.Helper()
	return newShopAccount(t, func(*domain.CarrierAccount) {})
}

// zplLabel is a label as EasyPost's file host serves it for a shipment
// made with label_format ZPL.
const zplLabel = "^XA^FO40,40^A0N,40,40^FDEasyPost 9400100105440291876149^FS^XZ\n"

func newShopAccount(t *testing.T, edit func(*domain.CarrierAccount)) (*shop, *Seller) {
	t.Helper()
	s := &shop{}
	created, bought, refunded := fixture(t, "shipments-create.json"), fixture(t, "shipments-buy.json"), fixture(t, "shipping-refund-refund.json")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/files/label.zpl" { // the file host asks for no key
			io.WriteString(w, zplLabel)
			return
		}
		if key, pass, ok := r.BasicAuth(); !ok || key != "EZAK123" || pass != "" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":"APIKEY.INACTIVE","message":"This api key is no longer active.","errors":[]}}`)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var body map[string]any
		if r.Method == http.MethodPost {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v2/shipments":
			s.creates++
			s.created, _ = body["shipment"].(map[string]any)
			if s.rejectTo {
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"error":{"code":"ADDRESS.VERIFY.FAILURE","message":"Unable to verify address.",
					"errors":[{"field":"street1","message":"Address not found","suggestion":null},"zip: invalid for the state"]}}`)
				return
			}
			io.WriteString(w, created)
		case r.Method == http.MethodPost && r.URL.Path == "/v2/shipments/"+shipmentID+"/buy":
			rate, _ := body["rate"].(map[string]any)
			switch {
			case s.busyBuy:
				w.WriteHeader(http.StatusTooManyRequests)
			case s.bought:
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"error":{"code":"SHIPMENT.POSTAGE.EXISTS","message":"The shipment already has postage.","errors":[]}}`)
			case rate["id"] != cheapest && !strings.Contains(created, `"`+rate["id"].(string)+`"`):
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"error":{"code":"SHIPMENT.RATE.INVALID","message":"Rate not found.","errors":[]}}`)
			default:
				s.buys++
				s.bought = true
				if opts, _ := s.created["options"].(map[string]any); opts["label_format"] == "ZPL" {
					// Made in ZPL: the label's ZPL file is on the file host.
					var sent map[string]any
					json.Unmarshal([]byte(bought), &sent)
					sent["postage_label"].(map[string]any)["label_zpl_url"] = srv.URL + "/files/label.zpl"
					b, _ := json.Marshal(sent)
					bought = string(b)
				}
				if s.dropBuy { // sold, and the answer never arrives
					conn, _, _ := w.(http.Hijacker).Hijack()
					conn.Close()
					return
				}
				io.WriteString(w, bought)
			}
		case r.Method == http.MethodGet && r.URL.Path == "/v2/shipments/"+shipmentID:
			if s.bought {
				io.WriteString(w, bought)
			} else {
				io.WriteString(w, created)
			}
		case r.Method == http.MethodPost && r.URL.Path == "/v2/shipments/"+shipmentID+"/refund":
			io.WriteString(w, refunded)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"error":{"code":"NOT_FOUND","message":"The requested resource could not be found.","errors":[]}}`)
		}
	}))
	t.Cleanup(srv.Close)
	a := domain.CarrierAccount{Kind: domain.CarrierEasyPost, Name: "EasyPost", BaseURL: srv.URL, Key: "EZAK123"}
	edit(&a)
	seller, err := NewSeller(a)
	if err != nil {
		t.Fatal(err)
	}
	return s, seller
}

// venloToNewYork is a packed parcel that crosses a customs border.
func venloToNewYork() domain.PackedParcel {
	p := tracktest.Parcel(tracktest.Venlo, tracktest.NewYork, "EUR")
	p.Box.Dimensions.Width, p.Weight = 200, 1500
	return p
}

func TestSellerQuotesBuysAndVoidsALabel(t *testing.T) {
	s, seller := newShop(t)
	ctx := context.Background()
	quotes, problems, err := seller.Quote(ctx, venloToNewYork(), domain.ShippingSettings{EORI: "NL123456789B01"}, "parcel-7")
	if err != nil {
		t.Fatal(err)
	}
	// The request: EasyPost's parcel in inches and ounces, both addresses,
	// the customs declaration and the sender's EORI.
	got, _ := json.Marshal(s.created)
	for _, want := range []string{`"reference":"parcel-7"`, `"length":11.9`, `"width":7.9`, `"height":4`, `"weight":53`,
		`"street1":"350 5th Ave"`, `"name":"José Müller"`, `"country":"US"`, `"zip":"5928 PR"`, `"customs_certify":true`,
		`"hs_tariff_number":"650500"`, `"origin_country":"NZ"`, `"quantity":3`, `"value":"37.50"`, `"currency":"EUR"`, `"weight":12.7`,
		`"tax_id":"NL123456789B01"`, `"tax_id_type":"EORI"`, `"issuing_country":"NL"`} {
		if !strings.Contains(string(got), want) {
			t.Errorf("the shipment asked for lacks %s:\n%s", want, got)
		}
	}
	if len(quotes) != 3 || len(problems) != 0 {
		t.Fatalf("%d quotes, %d problems: %+v %+v", len(quotes), len(problems), quotes, problems)
	}
	var prices []string
	byRate := map[string]domain.RateQuote{}
	for _, q := range quotes {
		prices = append(prices, q.Service+" "+q.Price.String())
		byRate[q.RateRef] = q
	}
	if strings.Join(prices, ", ") != "Express 51.20 USD, Priority 11.01 USD, GroundAdvantage 8.20 USD" {
		t.Errorf("quotes, in EasyPost's order: %v", prices)
	}
	if q := byRate[cheapest]; q.Carrier != "USPS" || q.Service != "GroundAdvantage" || q.TransitDays != 3 || q.ShipmentRef != shipmentID || q.Price.Amount != 820 {
		t.Errorf("cheapest quote %+v", q)
	}

	label, err := seller.Buy(ctx, byRate[cheapest])
	if err != nil {
		t.Fatal(err)
	}
	if label.Tracking != "9434600208303109842228" || label.Cost != domain.NewMoney(820, "USD") || label.Format != "PNG" ||
		!strings.HasSuffix(label.URL, ".png") || label.ShipmentRef != shipmentID || label.Carrier != "USPS" {
		t.Errorf("label %+v", label)
	}
	// Bought again by mistake: EasyPost refuses, in its words; nothing is sold twice.
	if _, err := seller.Buy(ctx, byRate[cheapest]); err == nil || !strings.Contains(err.Error(), "already has postage") || errors.Is(err, domain.ErrPurchaseUncertain) {
		t.Errorf("a second purchase: %v", err)
	}
	voided, err := seller.Void(ctx, label)
	if err != nil || voided.Refund != "submitted" {
		t.Errorf("void: %+v %v", voided, err)
	}
	if s.buys != 1 {
		t.Errorf("%d purchases, want 1", s.buys)
	}
}

// A purchase whose answer is lost after EasyPost sold the label is
// "uncertain"; asking EasyPost finds the label, and nothing is bought twice.
// An account set to ZPL makes its shipments with label_format ZPL and
// fetches the label's ZPL file.
func TestAZPLAccountGetsZPLLabels(t *testing.T) {
	s, seller := newShopAccount(t, func(a *domain.CarrierAccount) { a.ZPL = true })
	tracktest.BuysZPL(t, seller, venloToNewYork(), domain.ShippingSettings{}, zplLabel)
	if got, _ := json.Marshal(s.created); !strings.Contains(string(got), `"options":{"label_format":"ZPL"}`) {
		t.Errorf("the shipment does not ask for ZPL:\n%s", got)
	}
}

func TestALostAnswerIsAskedAboutNotBoughtAgain(t *testing.T) {
	s, seller := newShop(t)
	label := tracktest.LostPurchase(t, seller, venloToNewYork(), domain.ShippingSettings{}, func() { s.dropBuy = true })
	if label.Tracking != "9434600208303109842228" || label.Cost.Amount != 820 {
		t.Errorf("asked afterwards: %+v", label)
	}
	if s.buys != 1 {
		t.Errorf("%d purchases, want 1 (the purchase is sent once, not retried)", s.buys)
	}
}

// Turned away with 429 before any work, a purchase is not uncertain: it
// bought nothing.
func TestABusyCarrierBoughtNothing(t *testing.T) {
	s, seller := newShop(t)
	quotes, _, err := seller.Quote(context.Background(), venloToNewYork(), domain.ShippingSettings{}, "parcel-7")
	if err != nil {
		t.Fatal(err)
	}
	s.busyBuy = true
	if _, err := seller.Buy(context.Background(), quotes[0]); err == nil || errors.Is(err, domain.ErrPurchaseUncertain) {
		t.Errorf("a purchase turned away with 429: %v, want a plain error", err)
	}
	if s.buys != 0 {
		t.Errorf("%d purchases", s.buys)
	}
}

// What cannot be quoted is said in words, before any request where
// Portolan can tell; the carrier's own refusal is shown with its details.
func TestSellerSaysWhyItCannotQuote(t *testing.T) {
	s, seller := newShop(t)
	ctx := context.Background()
	noWeight := venloToNewYork()
	noWeight.Weight = 0
	noHS := venloToNewYork()
	noHS.Lines[0].HSCode = ""
	noBox := venloToNewYork()
	noBox.Box.Dimensions = domain.Dimensions{}
	for name, tc := range map[string]struct {
		p    domain.PackedParcel
		want string
	}{
		"no weight": {noWeight, "no weight"}, "no HS code": {noHS, "HS code"}, "no box": {noBox, "no box dimensions"},
	} {
		if _, _, err := seller.Quote(ctx, tc.p, domain.ShippingSettings{}, "x"); err == nil || !strings.Contains(err.Error(), tc.want) ||
			domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
	}
	if s.creates != 0 {
		t.Errorf("%d shipments created for parcels that cannot be quoted", s.creates)
	}
	s.rejectTo = true
	_, _, err := seller.Quote(ctx, venloToNewYork(), domain.ShippingSettings{}, "x")
	if err == nil || !strings.Contains(err.Error(), "Unable to verify address. (street1 Address not found; zip: invalid for the state)") {
		t.Errorf("a rejected address: %v", err)
	}
}
