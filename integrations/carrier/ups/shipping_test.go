package ups

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/tracktest"
)

// The shapes are those of UPS's OpenAPI documents (Rating.yaml, Shipping.yaml
// and Tracking.yaml in UPS-API/api-documentation, July 2026): the requests
// the tests check follow their examples ("International Rate Example",
// "Shipping Request with International Forms"); the answers follow their
// schemas (RateResponse, ShipmentResponse, VoidShipmentResponse,
// LabelRecoveryResponse, trackResponse), which carry no 200 examples.

var now = time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)

func gifLabel(t *testing.T) string {
	t.Helper()
	// A UPS label lies on its side: wider than high.
	img := image.NewPaletted(image.Rect(0, 0, 1200, 800), color.Palette{color.White, color.Black})
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

// upsShop is a local UPS speaking the documented shapes: it rates, ships
// once per request, finds packages by reference, recovers labels and voids.
type upsShop struct {
	mu      sync.Mutex
	rated   map[string]any
	shipped map[string]any
	ships   int
	refs    map[string]string // reference → 1Z
	voided  map[string]bool
	drop    bool
	refuse  bool
}

func newShop(t *testing.T) (*upsShop, *Seller) {
	t.Helper()
	return newShopAccount(t, func(*domain.CarrierAccount) {})
}

// zplLabel is a label as UPS sends it when asked for ZPL.
const zplLabel = "^XA^FO40,40^A0N,40,40^FDUPS 1ZPRT0036800000001^FS^XZ\n"

// labelIn is the label image UPS sends in the format a request's
// LabelSpecification asks for (GIF or ZPL).
func labelIn(body map[string]any, gif string) (code, image string) {
	for _, v := range body {
		spec, _ := v.(map[string]any)["LabelSpecification"].(map[string]any)
		if f, _ := spec["LabelImageFormat"].(map[string]any); f["Code"] == "ZPL" {
			return "ZPL", base64.StdEncoding.EncodeToString([]byte(zplLabel))
		}
	}
	return "GIF", gif
}

func newShopAccount(t *testing.T, edit func(*domain.CarrierAccount)) (*upsShop, *Seller) {
	t.Helper()
	s := &upsShop{refs: map[string]string{}, voided: map[string]bool{}}
	gifImage := gifLabel(t)
	_, a := newUPS(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
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
		case r.Method == http.MethodPost && r.URL.Path == "/api/rating/v2409/Shoptimeintransit":
			s.rated = body
			fmt.Fprint(w, `{"RateResponse":{"Response":{"ResponseStatus":{"Code":"1","Description":"Success"}},"RatedShipment":[
			 {"Service":{"Code":"11","Description":""},"TotalCharges":{"CurrencyCode":"EUR","MonetaryValue":"24.10"},
			  "TimeInTransit":{"PickupDate":"20261207","ServiceSummary":{"Service":{"Description":"UPS Standard"},
			   "EstimatedArrival":{"Arrival":{"Date":"20261210","Time":"233000"},"BusinessDaysInTransit":"3","Pickup":{"Date":"20261207"},"DayOfWeek":"THU"}}}},
			 {"Service":{"Code":"65","Description":""},"TotalCharges":{"CurrencyCode":"EUR","MonetaryValue":"61.80"},
			  "NegotiatedRateCharges":{"TotalCharge":{"CurrencyCode":"EUR","MonetaryValue":"48.35"}},
			  "GuaranteedDelivery":{"BusinessDaysInTransit":"1","DeliveryByTime":"10:30 A.M."}},
			 {"Service":{"Code":"07","Description":""},"TotalCharges":{"CurrencyCode":"","MonetaryValue":"n/a"}}]}}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/shipments/v2409/ship":
			s.shipped = body
			if s.refuse {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"response":{"errors":[{"code":"120802","message":"Missing or invalid ship to phone number"}]}}`)
				return
			}
			s.ships++
			tracking := fmt.Sprintf("1ZPRT0036800000%03d", s.ships)
			sh := body["ShipmentRequest"].(map[string]any)["Shipment"].(map[string]any)
			ref := sh["Package"].(map[string]any)["ReferenceNumber"].([]any)[0].(map[string]any)["Value"].(string)
			s.refs[ref] = tracking
			if s.drop {
				conn, _, _ := w.(http.Hijacker).Hijack()
				conn.Close()
				return
			}
			// One package: PackageResults as an object, as versions before v2409 sent it.
			code, label := labelIn(body, gifImage)
			fmt.Fprintf(w, `{"ShipmentResponse":{"Response":{"ResponseStatus":{"Code":"1","Description":"Success"}},"ShipmentResults":{
			 "ShipmentCharges":{"TotalCharges":{"CurrencyCode":"EUR","MonetaryValue":"61.80"}},
			 "NegotiatedRateCharges":{"TotalCharge":{"CurrencyCode":"EUR","MonetaryValue":"48.35"}},
			 "ShipmentIdentificationNumber":%q,
			 "PackageResults":{"TrackingNumber":%q,"ShippingLabel":{"ImageFormat":{"Code":%q,"Description":%[3]q},"GraphicImage":%q}}}}}`,
				tracking, tracking, code, label)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/track/v1/reference/details/"):
			q := r.URL.Query()
			if q.Get("shipperNum") != "A1B2C3" || q.Get("fromPickUpDate") != "20261130" {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"response":{"errors":[{"code":"TV0001","message":"invalid date range"}]}}`)
				return
			}
			tracking, ok := s.refs[strings.TrimPrefix(r.URL.Path, "/api/track/v1/reference/details/")]
			if !ok {
				w.WriteHeader(http.StatusNotFound)
				fmt.Fprint(w, `{"response":{"errors":[{"code":"TV1002","message":"Reference number not found"}]}}`)
				return
			}
			fmt.Fprint(w, pkg(tracking, `{"type":"M","code":"MP","description":"Shipper created a label, UPS has not received the package yet."}`, ``))
		case r.Method == http.MethodPost && r.URL.Path == "/api/labels/v1/recovery":
			code, label := labelIn(body, gifImage)
			fmt.Fprintf(w, `{"LabelRecoveryResponse":{"Response":{"ResponseStatus":{"Code":"1"}},"ShipmentIdentificationNumber":"x",
			 "LabelResults":{"TrackingNumber":"x","LabelImage":{"LabelImageFormat":{"Code":%q},"GraphicImage":%q}}}}`, code, label)
		case r.Method == http.MethodDelete && strings.HasPrefix(r.URL.Path, "/api/shipments/v2409/void/cancel/"):
			id := strings.TrimPrefix(r.URL.Path, "/api/shipments/v2409/void/cancel/")
			if s.voided[id] {
				w.WriteHeader(http.StatusBadRequest)
				fmt.Fprint(w, `{"response":{"errors":[{"code":"190117","message":"The shipment has already been voided."}]}}`)
				return
			}
			s.voided[id] = true
			fmt.Fprint(w, `{"VoidShipmentResponse":{"Response":{"ResponseStatus":{"Code":"1","Description":"Success"}},"SummaryResult":{"Status":{"Code":"1","Description":"Voided"}}}}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"response":{"errors":[{"code":"404","message":"no such resource"}]}}`)
		}
	})
	a.Number = "A1B2C3"
	return s, tracktest.NewSeller(t, a, edit, now, NewSeller)
}

// venloToNewYork is a packed parcel that crosses a customs border.
func venloToNewYork() domain.PackedParcel {
	return tracktest.Parcel(tracktest.Venlo, tracktest.NewYork, "EUR")
}

func TestUPSQuotesBuysRecoversAndVoids(t *testing.T) {
	s, seller := newShop(t)
	ctx := context.Background()
	quotes, problems, err := seller.Quote(ctx, venloToNewYork(), domain.ShippingSettings{EORI: "NL123456789B01", Incoterm: "DDP"}, "portolan-parcel-7")
	if err != nil {
		t.Fatal(err)
	}
	got := tracktest.JSON(s.rated)
	for _, want := range []string{`"ShipperNumber":"A1B2C3"`, `"AccountNumber":"A1B2C3"`, `"CountryCode":"US"`, `"StateProvinceCode":"NY"`,
		`"PostalCode":"5928 PR"`, `"Dimensions":{"Height":"10","Length":"30","UnitOfMeasurement":{"Code":"CM"},"Width":"21"}`,
		`"PackageWeight":{"UnitOfMeasurement":{"Code":"KGS"},"Weight":"1.6"}`, `"PackagingType":{"Code":"02"}`, `"NegotiatedRatesIndicator":"Y"`,
		`"Pickup":{"Date":"20261207"}`, `"InvoiceLineTotal":{"CurrencyCode":"EUR","MonetaryValue":"37.50"}`} {
		if !strings.Contains(got, want) {
			t.Errorf("the rate request lacks %s:\n%s", want, got)
		}
	}
	if len(quotes) != 2 || len(problems) != 1 || !strings.Contains(problems[0].Message, "Worldwide Express") {
		t.Fatalf("quotes %+v, problems %+v", quotes, problems)
	}
	std, saver := quotes[0], quotes[1]
	// The account's negotiated charge, not the published one; the estimated
	// arrival on New York's clock (a US state the receiver's country has no
	// one zone for: kept as written).
	if std.Service != "Standard" || std.Price != domain.NewMoney(2410, "EUR") || std.TransitDays != 3 || std.Guaranteed ||
		!std.DeliveryBy.Equal(time.Date(2026, 12, 10, 23, 30, 0, 0, time.UTC)) || std.RateRef != "11" {
		t.Errorf("standard %+v", std)
	}
	if saver.Service != "Worldwide Saver" || saver.Price != domain.NewMoney(4835, "EUR") || saver.TransitDays != 1 || !saver.Guaranteed {
		t.Errorf("saver %+v", saver)
	}
	label, err := seller.Buy(ctx, saver)
	if err != nil {
		t.Fatal(err)
	}
	got = tracktest.JSON(s.shipped)
	for _, want := range []string{`"Service":{"Code":"65","Description":"Worldwide Saver"}`, `"Packaging":{"Code":"02"}`,
		`"ReferenceNumber":[{"Value":"` + saver.ShipmentRef + `"}]`, `"LabelImageFormat":{"Code":"GIF"}`, `"LabelStockSize":{"Height":"6","Width":"4"}`,
		`"FormType":["01"]`, `"InvoiceNumber":"SH-1042"`, `"InvoiceDate":"20261207"`, `"ReasonForExport":"SALE"`, `"TermsOfShipment":"DDP"`,
		`"CommodityCode":"650500"`, `"OriginCountryCode":"NZ"`, `"Unit":{"Number":"3","UnitOfMeasurement":{"Code":"PCS"},"Value":"12.50"}`,
		`"TaxIdentificationNumber":"NL123456789B01"`, `"Phone":{"Number":"+1 212 555 0100"}`, `"RequestOption":"nonvalidate"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the ship request lacks %s:\n%s", want, got)
		}
	}
	if label.Tracking != "1ZPRT0036800000001" || label.Carrier != "UPS" || label.Cost != domain.NewMoney(4835, "EUR") || label.Format != "GIF" ||
		!bytes.HasPrefix(label.File, []byte("GIF8")) {
		t.Errorf("label %+v", label)
	}
	voided, err := seller.Void(ctx, label)
	if err != nil || voided.Refund != "voided" {
		t.Errorf("void: %+v %v", voided, err)
	}
	if _, err := seller.Void(ctx, label); err == nil || !strings.Contains(err.Error(), "already been voided") {
		t.Errorf("voiding twice: %v", err)
	}
	if s.ships != 1 {
		t.Errorf("%d shipments", s.ships)
	}
}

// A purchase whose answer is lost is asked about by its reference; the
// label found is recovered from UPS; nothing is shipped twice.
func TestUPSLostAnswerIsFoundByReference(t *testing.T) {
	s, seller := newShop(t)
	l := tracktest.LostPurchase(t, seller, venloToNewYork(), domain.ShippingSettings{}, func() { s.drop = true })
	if l.Tracking != "1ZPRT0036800000001" {
		t.Fatalf("found: %+v", l)
	}
	file, err := seller.LabelFile(context.Background(), l)
	if err != nil || !bytes.HasPrefix(file, []byte("GIF8")) {
		t.Errorf("recovered label: %v", err)
	}
	if s.ships != 1 {
		t.Errorf("%d shipments", s.ships)
	}
}

// An account set to ZPL asks UPS for ZPL labels (on 4×6 stock, which ZPL
// needs), buying and recovering, and keeps them as sent.
func TestUPSZPLAccountGetsZPLLabels(t *testing.T) {
	s, seller := newShopAccount(t, func(a *domain.CarrierAccount) { a.ZPL = true })
	label := tracktest.BuysZPL(t, seller, venloToNewYork(), domain.ShippingSettings{}, zplLabel)
	if got := tracktest.JSON(s.shipped); !strings.Contains(got, `"LabelImageFormat":{"Code":"ZPL"}`) || !strings.Contains(got, `"LabelStockSize":{"Height":"6","Width":"4"}`) {
		t.Errorf("the shipment request does not ask for ZPL on 4×6:\n%s", got)
	}
	if string(label.File) != zplLabel {
		t.Errorf("the label bought has no file: %q", label.File)
	}
	label.File = nil
	if file, err := seller.LabelFile(context.Background(), label); err != nil || string(file) != zplLabel {
		t.Errorf("recovered label %q: %v", file, err)
	}
}

func TestUPSRefusalsInWords(t *testing.T) {
	s, seller := newShop(t)
	ctx := context.Background()
	quotes, _, err := seller.Quote(ctx, venloToNewYork(), domain.ShippingSettings{}, "p")
	if err != nil {
		t.Fatal(err)
	}
	s.refuse = true
	if _, err := seller.Buy(ctx, quotes[0]); err == nil || errors.Is(err, domain.ErrPurchaseUncertain) ||
		!strings.Contains(err.Error(), "120802 Missing or invalid ship to phone number") {
		t.Errorf("UPS's refusal: %v", err)
	}
	if _, err := NewSeller(domain.CarrierAccount{Kind: domain.CarrierUPS, Name: "UPS", BaseURL: "https://onlinetools.ups.com", ClientID: "c",
		ClientSecret: "s"}, time.Now); err == nil || !strings.Contains(err.Error(), "shipper number") {
		t.Errorf("an account without a shipper number: %v", err)
	}
}
