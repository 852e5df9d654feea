package fedex

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

var now = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

// fedexShop is a local FedEx: the rate answer is FedEx's own example
// (testdata/SOURCE.md); shipments are made once a request, found by their
// reference, and cancelled.
type fedexShop struct {
	mu      sync.Mutex
	rated   map[string]any
	shipped map[string]any
	ships   int
	refs    map[string]string
	drop    bool
	refuse  bool
	cancels map[string]bool
}

func newFedEx(t *testing.T, paperless bool) (*fedexShop, *Seller) {
	t.Helper()
	return newFedExAccount(t, func(a *domain.CarrierAccount) { a.Paperless = paperless })
}

// zplLabel is a label as FedEx sends it when asked for ZPLII.
const zplLabel = "^XA^FO40,40^A0N,40,40^FDFedEx 794953535001^FS^XZ\n"

func newFedExAccount(t *testing.T, edit func(*domain.CarrierAccount)) (*fedexShop, *Seller) {
	t.Helper()
	s := &fedexShop{refs: map[string]string{}, cancels: map[string]bool{}}
	rates, err := os.ReadFile("testdata/rate-quotes-response.json")
	if err != nil {
		t.Fatal(err)
	}
	var label bytes.Buffer
	if err := png.Encode(&label, image.NewGray(image.Rect(0, 0, 812, 1218))); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			fmt.Fprint(w, `{"access_token":"tok-1","token_type":"bearer","expires_in":3599,"scope":"CXS"}`)
			return
		}
		if r.Header.Get("Authorization") != "Bearer tok-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		var body map[string]any
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/rate/v1/rates/quotes":
			s.rated = body
			w.Write(rates)
		case r.Method == http.MethodPost && r.URL.Path == "/ship/v1/shipments":
			s.shipped = body
			if s.refuse {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"transactionId":"x","errors":[{"code":"RECIPIENTCONTACT.PHONENUMBER.INVALID","message":"Please enter a valid phone number."}]}`)
				return
			}
			s.ships++
			tracking := fmt.Sprintf("7949535350%02d", s.ships)
			rs := body["requestedShipment"].(map[string]any)
			ref := rs["requestedPackageLineItems"].([]any)[0].(map[string]any)["customerReferences"].([]any)[0].(map[string]any)["value"].(string)
			s.refs[ref] = tracking
			if s.drop {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			docType, file := "PNG", label.Bytes()
			if spec, _ := rs["labelSpecification"].(map[string]any); spec["imageType"] == "ZPLII" {
				docType, file = "ZPLII", []byte(zplLabel)
			}
			fmt.Fprintf(w, `{"transactionId":"624deea6","output":{"transactionShipments":[{"serviceType":%q,"shipDatestamp":"2026-12-07",
			 "masterTrackingNumber":%q,"pieceResponses":[{"trackingNumber":%q,"netChargeAmount":21.45,
			  "packageDocuments":[{"contentType":"LABEL","copiesToPrint":1,"docType":%q,"encodedLabel":%q}]}],
			 "completedShipmentDetail":{"shipmentRating":{"actualRateType":"PAYOR_ACCOUNT_SHIPMENT","shipmentRateDetails":[
			  {"rateType":"PAYOR_ACCOUNT_SHIPMENT","totalNetCharge":340.15,"currency":"CAD"}]}}}]}}`,
				rs["serviceType"], tracking, tracking, docType, base64.StdEncoding.EncodeToString(file))
		case r.Method == http.MethodPost && r.URL.Path == "/track/v1/referencenumbers":
			ri := body["referencesInformation"].(map[string]any)
			if ri["accountNumber"] != "740561073" || ri["shipDateBegin"] != "2026-11-30" || ri["type"] != "CUSTOMER_REFERENCE" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"transactionId":"x","errors":[{"code":"TRACKING.REFERENCE.INVALID","message":"bad reference query"}]}`)
				return
			}
			n, ok := s.refs[ri["value"].(string)]
			if !ok {
				fmt.Fprint(w, `{"transactionId":"x","output":{"completeTrackResults":[{"trackingNumber":"","trackResults":[{"trackingNumberInfo":{"trackingNumber":""},
				 "error":{"code":"TRACKING.REFERENCENUMBER.NOTFOUND","message":"Reference number cannot be found."}}]}]}}`)
				return
			}
			fmt.Fprintf(w, `{"transactionId":"x","output":{"completeTrackResults":[{"trackingNumber":%q,"trackResults":[{"trackingNumberInfo":{"trackingNumber":%q},
			 "latestStatusDetail":{"code":"OC","description":"Shipment information sent to FedEx"}}]}]}}`, n, n)
		case r.Method == http.MethodPut && r.URL.Path == "/ship/v1/shipments/cancel":
			n := body["trackingNumber"].(string)
			ok := !s.cancels[n] && body["deletionControl"] == "DELETE_ALL_PACKAGES"
			s.cancels[n] = true
			fmt.Fprintf(w, `{"transactionId":"x","output":{"cancelledShipment":%t,"cancelledHistory":%t,"message":"Shipment is successfully cancelled"}}`, ok, ok)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"transactionId":"x","errors":[{"code":"NOT.FOUND.ERROR","message":"The resource you requested is no longer available."}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	a := domain.CarrierAccount{Kind: domain.CarrierFedEx, Name: "FedEx", BaseURL: srv.URL, ClientID: "proj", ClientSecret: "s3cret", Number: "740561073"}
	return s, tracktest.NewSeller(t, a, edit, now, NewSeller)
}

// torontoToMemphis crosses a customs border, as FedEx's example does.
func torontoToMemphis() domain.PackedParcel {
	toronto := domain.Warehouse{Code: "CA-YYZ", Address: domain.Address{Name: "Ana Novak", Company: "Portolan Canada", Line1: "34 Queen St",
		City: "Toronto", Region: "ON", PostalCode: "M5C2M6", Country: "CA", Phone: "+1 416 555 0100"}}
	memphis := domain.Address{Name: "José Müller", Line1: "3600 Hacks Cross Rd", City: "Memphis", Region: "TN", PostalCode: "38125",
		Country: "US", Phone: "+1 901 555 0100"}
	p := tracktest.Parcel(toronto, memphis, "CAD")
	p.Box.Tare = 0
	return p
}

func TestFedExQuotesBuysAndCancels(t *testing.T) {
	for _, paperless := range []bool{false, true} {
		s, seller := newFedEx(t, paperless)
		ctx := context.Background()
		quotes, _, err := seller.Quote(ctx, torontoToMemphis(), domain.ShippingSettings{Incoterm: "DDP"}, "portolan-parcel-7")
		if err != nil {
			t.Fatal(err)
		}
		got := tracktest.JSON(s.rated)
		for _, want := range []string{`"accountNumber":{"value":"740561073"}`, `"rateRequestType":["ACCOUNT","LIST"]`, `"shipDateStamp":"2026-12-07"`,
			`"returnTransitTimes":true`, `"countryCode":"US"`, `"stateOrProvinceCode":"TN"`, `"pickupType":"DROPOFF_AT_FEDEX_LOCATION"`,
			`"weight":{"units":"KG","value":1.6}`, `"dimensions":{"height":10,"length":30,"units":"CM","width":21}`,
			`"harmonizedCode":"650500"`, `"countryOfManufacture":"NZ"`, `"customsValue":{"amount":37.5,"currency":"CAD"}`,
			`"dutiesPayment":{"paymentType":"SENDER"}`} {
			if !strings.Contains(got, want) {
				t.Errorf("the rate request lacks %s:\n%s", want, got)
			}
		}
		// FedEx's example: four services; the account's price, not the list price.
		if len(quotes) != 4 {
			t.Fatalf("quotes %+v", quotes)
		}
		byType := map[string]domain.RateQuote{}
		for _, q := range quotes {
			byType[q.RateRef] = q
		}
		ip := byType["INTERNATIONAL_PRIORITY"]
		if ip.Carrier != "FedEx" || ip.Service != "International Priority" || ip.Price != domain.NewMoney(34515, "CAD") || ip.TransitDays != 3 ||
			!ip.Guaranteed || ip.DeliveryBy.IsZero() {
			t.Errorf("international priority %+v", ip)
		}
		if g := byType["FEDEX_GROUND"]; g.Price != domain.NewMoney(5359, "CAD") || g.Guaranteed {
			t.Errorf("ground %+v", g)
		}
		label, err := seller.Buy(ctx, ip)
		if err != nil {
			t.Fatal(err)
		}
		got = tracktest.JSON(s.shipped)
		for _, want := range []string{`"labelResponseOptions":"LABEL"`, `"serviceType":"INTERNATIONAL_PRIORITY"`, `"shipDatestamp":"2026-12-07"`,
			`"packagingType":"YOUR_PACKAGING"`, `"shippingChargesPayment":{"paymentType":"SENDER"}`,
			`"labelSpecification":{"imageType":"PNG","labelStockType":"STOCK_4X6"}`, `"phoneNumber":"+1 901 555 0100"`,
			`"customerReferences":[{"customerReferenceType":"CUSTOMER_REFERENCE","value":"` + ip.ShipmentRef + `"}]`, `"termsOfSale":"DDP"`} {
			if !strings.Contains(got, want) {
				t.Errorf("paperless %v: the ship request lacks %s:\n%s", paperless, want, got)
			}
		}
		if etd := strings.Contains(got, `"shipmentSpecialServices":{"etdDetail":{"requestedDocumentTypes":["COMMERCIAL_INVOICE"]},"specialServiceTypes":["ELECTRONIC_TRADE_DOCUMENTS"]}`); etd != paperless {
			t.Errorf("paperless %v, but electronic trade documents asked: %v", paperless, etd)
		}
		if label.Tracking != "794953535001" || label.Cost != domain.NewMoney(34015, "CAD") || label.Format != "PNG" || !bytes.HasPrefix(label.File, []byte("\x89PNG")) {
			t.Errorf("label %+v", label)
		}
		if v, err := seller.Void(ctx, label); err != nil || v.Refund != "cancelled" {
			t.Errorf("cancel: %+v %v", v, err)
		}
		if v, err := seller.Void(ctx, label); err != nil || v.Refund != "rejected" {
			t.Errorf("cancelling twice: %+v %v", v, err)
		}
	}
}

// An account set to ZPL asks FedEx for ZPLII labels on 4×6 stock and keeps
// them as sent.
func TestFedExZPLAccountGetsZPLLabels(t *testing.T) {
	s, seller := newFedExAccount(t, func(a *domain.CarrierAccount) { a.ZPL = true })
	if label := tracktest.BuysZPL(t, seller, torontoToMemphis(), domain.ShippingSettings{}, zplLabel); string(label.File) != zplLabel {
		t.Errorf("the label bought has no file: %q", label.File)
	}
	if got := tracktest.JSON(s.shipped); !strings.Contains(got, `"labelSpecification":{"imageType":"ZPLII","labelStockType":"STOCK_4X6"}`) {
		t.Errorf("the shipment request does not ask for ZPLII:\n%s", got)
	}
}

func TestFedExLostAnswerAndRefusals(t *testing.T) {
	s, seller := newFedEx(t, false)
	ctx := context.Background()
	l := tracktest.LostPurchase(t, seller, torontoToMemphis(), domain.ShippingSettings{}, func() { s.drop = true })
	if l.Tracking != "794953535001" {
		t.Fatalf("found: %+v", l)
	}
	if _, err := seller.LabelFile(ctx, l); err == nil || !strings.Contains(err.Error(), "FedEx Ship Manager") {
		t.Errorf("a label found by reference: %v", err)
	}
	s.drop, s.refuse = false, true
	quotes, _, _ := seller.Quote(ctx, torontoToMemphis(), domain.ShippingSettings{}, "portolan-parcel-7")
	if _, err := seller.Buy(ctx, quotes[0]); err == nil || errors.Is(err, domain.ErrPurchaseUncertain) ||
		!strings.Contains(err.Error(), "RECIPIENTCONTACT.PHONENUMBER.INVALID: Please enter a valid phone number.") {
		t.Errorf("FedEx's refusal: %v", err)
	}
	if s.ships != 1 {
		t.Errorf("%d shipments", s.ships)
	}
	if _, err := NewSeller(domain.CarrierAccount{Kind: domain.CarrierFedEx, Name: "FedEx", BaseURL: "https://apis.fedex.com", ClientID: "c",
		ClientSecret: "s"}, time.Now); err == nil || !strings.Contains(err.Error(), "account number") {
		t.Errorf("an account without its number: %v", err)
	}
}
