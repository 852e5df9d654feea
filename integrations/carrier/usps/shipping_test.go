package usps

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

// The shapes are USPS's own OpenAPI documents (domestic-prices 3.4.30,
// payments 3.1.20, domestic-labels 3.9.13, as kept in karrioapi/karrio at
// modules/connectors/usps/vendor/): the price answers are their
// TotalRatesSearchExample with each class's own figures, the payment and
// cancel answers their examples, the label answer the multipart
// labelMetadata + labelImage their description gives.

var now = time.Date(2026, 12, 7, 14, 30, 0, 0, time.UTC)

type uspsShop struct {
	mu       sync.Mutex
	priced   []map[string]any
	labelled map[string]any
	payHdr   string
	made     map[string]string // idempotency key → tracking number
	labels   int
	drop     bool
	payments int
}

func newUSPS(t *testing.T) (*uspsShop, *Seller) {
	t.Helper()
	return newUSPSAccount(t, func(*domain.CarrierAccount) {})
}

// zplLabel is a label as USPS sends it when asked for ZPL203DPI.
const zplLabel = "^XA^FO40,40^A0N,40,40^FDUSPS 9400111899223800000001^FS^XZ\n"

func newUSPSAccount(t *testing.T, edit func(*domain.CarrierAccount)) (*uspsShop, *Seller) {
	t.Helper()
	s := &uspsShop{made: map[string]string{}}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 812, 1218))); err != nil {
		t.Fatal(err)
	}
	prices := map[string]string{"USPS_GROUND_ADVANTAGE": "9.17", "PRIORITY_MAIL": "12.80", "PRIORITY_MAIL_EXPRESS": "41.35"}
	label := func(w http.ResponseWriter, tracking string, body map[string]any) {
		file, name := img.Bytes(), "label.png"
		if info, _ := body["imageInfo"].(map[string]any); info["imageType"] == "ZPL203DPI" {
			file, name = []byte(zplLabel), "label.zpl"
		}
		mw := multipart.NewWriter(w)
		w.Header().Set("Content-Type", mw.FormDataContentType())
		meta, _ := mw.CreateFormField("labelMetadata")
		fmt.Fprintf(meta, `{"labelAddress":{"streetAddress":"350 5TH AVE","city":"NEW YORK","state":"NY","ZIPCode":"10118"},
		 "routingInformation":"420101189205590105121212000001","trackingNumber":%q,"constructCode":"C01","SKU":"DPXX0XXXXX07200",
		 "postage":12.80,"extraServices":[],"zone":"02","commitment":{"name":"2 Days","scheduleDeliveryDate":"2026-12-09"},"weightUOM":"lb","weight":3.4,"fees":[]}`, tracking)
		part, _ := mw.CreateFormFile("labelImage", name)
		part.Write([]byte(base64.StdEncoding.EncodeToString(file)))
		mw.Close()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth2/v3/token" {
			w.Write([]byte(`{"access_token":"tok","token_type":"Bearer","issued_at":"1764236400000","expires_in":"28799","status":"approved"}`))
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var body map[string]any
		if r.Method == http.MethodPost {
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
		}
		switch {
		case r.URL.Path == "/prices/v3/total-rates/search":
			s.priced = append(s.priced, body)
			class, _ := body["mailClass"].(string)
			fmt.Fprintf(w, `{"rateOptions":[{"totalBasePrice":%[1]s,"totalPrice":%[1]s,"rates":[{"description":"commercial","priceType":"COMMERCIAL",
			 "price":%[1]s,"weight":3.4,"mailClass":%[2]q,"zone":"02","processingCategory":"MACHINABLE","rateIndicator":"SP",
			 "destinationEntryFacilityType":"NONE","SKU":"DPXX0XXXXX07200"}],"extraServices":[]},
			 {"totalBasePrice":99.99,"totalPrice":99.99,"rates":[{"mailClass":%[2]q,"processingCategory":"NONSTANDARD","rateIndicator":"DR"}]}]}`,
				prices[class], class)
		case r.URL.Path == "/payments/v3/payment-authorization":
			s.payments++
			roles := body["roles"].([]any)
			payer := roles[0].(map[string]any)
			if payer["roleName"] != "PAYER" || payer["accountType"] != "EPS" || payer["accountNumber"] != "1000123456" || payer["CRID"] != "56982563" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"apiVersion":"/payments/v3","error":{"code":"400","message":"Invalid roles","errors":[{"detail":"PAYER needs an EPS account"}]}}`)
				return
			}
			fmt.Fprint(w, `{"paymentAuthorizationToken":"header.body.signature","roles":[]}`)
		case r.URL.Path == "/labels/v3/label":
			s.labelled, s.payHdr = body, r.Header.Get("X-Payment-Authorization-Token")
			key := r.Header.Get("X-Idempotency-Key")
			tracking, ok := s.made[key]
			if !ok { // a new label; the same key again is the same label, not a second charge
				s.labels++
				tracking = fmt.Sprintf("94001118992238%08d", s.labels)
				s.made[key] = tracking
			}
			if s.drop {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			label(w, tracking, body)
		case r.URL.Path == "/labels/v3/label-reprint":
			tracking, ok := s.made[r.Header.Get("X-Idempotency-Key")]
			if !ok || r.Header.Get("X-Payment-Authorization-Token") == "" {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"apiVersion":"/labels/v3","error":{"code":"404","message":"Label not found"}}`)
				return
			}
			label(w, tracking, body)
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/labels/v3/label/"):
			fmt.Fprintf(w, `{"trackingNumber":%q,"status":"CANCELED"}`, strings.TrimPrefix(r.URL.Path, "/labels/v3/label/"))
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"apiVersion":"v3","error":{"code":"404","message":"no such resource"}}`)
		}
	}))
	t.Cleanup(srv.Close)
	a := domain.CarrierAccount{Kind: domain.CarrierUSPS, Name: "USPS", BaseURL: srv.URL, ClientID: "app", ClientSecret: "s3cret",
		Number: "1000123456", CRID: "56982563", MID: "904128936"}
	return s, tracktest.NewSeller(t, a, edit, now, NewSeller)
}

func edisonToNewYork() domain.PackedParcel {
	edison := domain.Warehouse{Code: "US-EWR", Address: domain.Address{Name: "Ana Novak", Company: "Portolan Inc.", Line1: "300 Raritan Center Pkwy",
		City: "Edison", Region: "NJ", PostalCode: "08837", Country: "US", Phone: "+1 732 555 0100"}}
	newYork := tracktest.NewYork
	newYork.Name, newYork.Line2, newYork.PostalCode, newYork.Phone, newYork.Email = "José María Müller", "Fl 20", "10118-0110", "(212) 555-0100", ""
	p := tracktest.Parcel(edison, newYork, "USD")
	p.Number, p.Box.Tare = "WO-1042", 0
	p.Lines[0] = domain.ParcelLine{LineNo: 1, SKU: "PRT-10042", Name: "Wool beanie", Qty: 3, UnitPrice: domain.NewMoney(1250, "USD")} // within the country: no customs
	return p
}

func TestUSPSPricesBuysOnceAndCancels(t *testing.T) {
	s, seller := newUSPS(t)
	ctx := context.Background()
	quotes, problems, err := seller.Quote(ctx, edisonToNewYork(), domain.ShippingSettings{}, "portolan-parcel-7")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.priced) != 3 {
		t.Fatalf("%d price searches", len(s.priced))
	}
	got := tracktest.JSON(s.priced[1])
	for _, want := range []string{`"originZIPCode":"08837"`, `"destinationZIPCode":"10118"`, `"weight":3.4`, `"length":11.9`, `"width":8.1`,
		`"height":4`, `"mailClass":"PRIORITY_MAIL"`, `"priceType":"COMMERCIAL"`, `"mailingDate":"2026-12-07"`, `"accountType":"EPS"`,
		`"accountNumber":"1000123456"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the price search lacks %s:\n%s", want, got)
		}
	}
	if len(quotes) != 3 || len(problems) != 0 {
		t.Fatalf("quotes %+v problems %+v", quotes, problems)
	}
	pm := quotes[1]
	if pm.Carrier != "USPS" || pm.Service != "Priority Mail" || pm.Price != domain.NewMoney(1280, "USD") || pm.Guaranteed || !quotes[2].Guaranteed {
		t.Errorf("priority mail %+v", pm)
	}
	label, err := seller.Buy(ctx, pm)
	if err != nil {
		t.Fatal(err)
	}
	got = tracktest.JSON(s.labelled)
	for _, want := range []string{`"imageType":"PNG"`, `"labelType":"4X6LABEL"`, `"firstName":"José María"`, `"lastName":"Müller"`,
		`"secondaryAddress":"Fl 20"`, `"ZIPCode":"10118"`, `"phone":"2125550100"`, `"mailClass":"PRIORITY_MAIL"`, `"rateIndicator":"SP"`,
		`"processingCategory":"MACHINABLE"`, `"customerReference":[{"referenceNumber":"` + pm.ShipmentRef + `"}]`} {
		if !strings.Contains(got, want) {
			t.Errorf("the label request lacks %s:\n%s", want, got)
		}
	}
	if s.payHdr != "header.body.signature" {
		t.Errorf("payment authorization %q", s.payHdr)
	}
	if label.Tracking != "9400111899223800000001" || label.Cost != domain.NewMoney(1280, "USD") || label.Format != "PNG" ||
		!bytes.HasPrefix(label.File, []byte("\x89PNG")) || label.Service != "Priority Mail" {
		label.File = nil
		t.Errorf("label %+v", label)
	}
	v, err := seller.Void(ctx, label)
	if err != nil || v.Refund != "canceled" {
		t.Errorf("cancel: %+v %v", v, err)
	}
	// The payment authorization is kept for its hours: one for the run.
	quotes, _, _ = seller.Quote(ctx, edisonToNewYork(), domain.ShippingSettings{}, "portolan-parcel-8")
	if _, err := seller.Buy(ctx, quotes[0]); err != nil || s.payments != 1 {
		t.Errorf("a second label: %v, %d payment authorizations", err, s.payments)
	}
}

// A purchase whose answer is lost went under an idempotency key made from
// its reference: USPS is asked for that key's label, and finds it.
func TestUSPSLostAnswerIsFoundByItsIdempotencyKey(t *testing.T) {
	s, seller := newUSPS(t)
	l := tracktest.LostPurchase(t, seller, edisonToNewYork(), domain.ShippingSettings{}, func() { s.drop = true })
	if l.Tracking != "9400111899223800000001" || len(l.File) == 0 {
		t.Fatalf("found: %s, %d bytes of label", l.Tracking, len(l.File))
	}
	if s.labels != 1 {
		t.Errorf("%d labels made", s.labels)
	}
	if k := idempotencyKey("portolan-parcel-7-x"); len(k) != 36 || k[14] != '5' || k != idempotencyKey("portolan-parcel-7-x") || k == idempotencyKey("portolan-parcel-8-x") {
		t.Errorf("idempotency key %q", k)
	}
}

// An account set to ZPL asks USPS for ZPL at 203 dpi, buying and asking
// again after a lost answer, and keeps the label as sent.
func TestUSPSZPLAccountGetsZPLLabels(t *testing.T) {
	s, seller := newUSPSAccount(t, func(a *domain.CarrierAccount) { a.ZPL = true })
	label := tracktest.BuysZPL(t, seller, edisonToNewYork(), domain.ShippingSettings{}, zplLabel)
	if got := tracktest.JSON(s.labelled); !strings.Contains(got, `"imageType":"ZPL203DPI"`) {
		t.Errorf("the label request does not ask for ZPL:\n%s", got)
	}
	if string(label.File) != zplLabel {
		t.Errorf("the label bought has no file: %q", label.File)
	}
	again, bought, err := seller.Bought(context.Background(), label.ShipmentRef)
	if err != nil || !bought || again.Format != "ZPL" || string(again.File) != zplLabel {
		t.Errorf("the reprint: %v %s %q %v", bought, again.Format, again.File, err)
	}
}

func TestUSPSSaysWhatItDoesNotServe(t *testing.T) {
	_, seller := newUSPS(t)
	abroad := edisonToNewYork()
	abroad.ShipTo.Country = "CA"
	quotes, problems, err := seller.Quote(context.Background(), abroad, domain.ShippingSettings{}, "p")
	if err != nil || len(quotes) != 0 || len(problems) != 1 || !strings.Contains(problems[0].Message, "EasyPost") {
		t.Errorf("abroad: %v %+v %v", quotes, problems, err)
	}
	if _, err := NewSeller(domain.CarrierAccount{Kind: domain.CarrierUSPS, Name: "USPS", BaseURL: "https://apis.usps.com", ClientID: "a",
		ClientSecret: "s", Number: "1"}, time.Now); err == nil || !strings.Contains(err.Error(), "CRID and MID") {
		t.Errorf("an account without its CRID and MID: %v", err)
	}
}
