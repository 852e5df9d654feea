package ups

// UPS as a shipping account (issue 17): rates for every UPS service that
// serves the route with their transit times (POST /api/rating/v2409/
// Shoptimeintransit), the shipment of one with its label as a base64 GIF
// and, across a customs border, the commercial invoice's data (POST
// /api/shipments/v2409/ship: with a paperless-enabled account UPS sends the
// invoice to customs itself), the void of a label (DELETE
// /api/shipments/v2409/void/cancel/{number}), a lost answer found by
// Portolan's reference (GET /api/track/v1/reference/details/{reference})
// and its label recovered (POST /api/labels/v1/recovery). Shapes: UPS's own
// OpenAPI documents in UPS-API/api-documentation (Rating.yaml,
// Shipping.yaml, Tracking.yaml).

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// APIVersion is the Rating and Shipping APIs' version Portolan speaks.
const APIVersion = "v2409"

// Seller is a UPS account that quotes parcels and sells labels.
type Seller struct {
	// Account is the shipper number labels are billed to; Image GIF, or
	// ZPL for a thermal printer.
	track.OAuthSeller

	quoted track.Quoted[upsShipment] // quoted, not yet bought, by reference
}

// NewSeller makes a shipping client for the account; now is Portolan's clock.
func NewSeller(a domain.CarrierAccount, now func() time.Time) (*Seller, error) {
	if strings.TrimSpace(a.Number) == "" {
		return nil, domain.Errorf(domain.EINVALID, "UPS labels are billed to the account's shipper number: add it to the account %q", a.Name)
	}
	c, err := New(a)
	if err != nil {
		return nil, err
	}
	base, err := track.NewOAuthSeller(a, c.token, now, "GIF", "ZPL")
	if err != nil {
		return nil, err
	}
	return &Seller{OAuthSeller: base}, nil
}

var _ domain.LabelSeller = (*Seller)(nil)

func (s *Seller) send(ctx context.Context, rc *rest.Client, method, path string, body any) (*resty.Response, error) {
	return s.Token.Do(ctx, func(tok string) (*resty.Response, error) {
		auth := func(r *resty.Request) {
			r.SetAuthToken(tok).SetHeader("transId", transID()).SetHeader("transactionSrc", "portolan")
		}
		switch method {
		case http.MethodPost:
			return rc.PostJSON(ctx, path, body, auth)
		case http.MethodDelete:
			return rc.Delete(ctx, path, nil, auth)
		}
		return rc.Get(ctx, path, body.(url.Values), auth)
	})
}

// refused is UPS's refusal in its own words ({"response":{"errors":[…]}}).
func refused(resp *resty.Response, what string) error {
	var e errorBody
	_ = json.Unmarshal(resp.Body(), &e)
	var msgs []string
	for _, x := range e.Response.Errors {
		msgs = append(msgs, strings.TrimSpace(x.Code+" "+x.Message))
	}
	return track.Refused("UPS", what, resp.StatusCode(), strings.Join(msgs, "; "))
}

// decode reads UPS's answer into v (an object holding key), or its refusal.
func decode(resp *resty.Response, key string, v any, what string) error {
	return track.Decode(resp, "UPS", key, what, v, refused)
}

type upsAddress struct {
	AddressLine       []string `json:"AddressLine"`
	City              string   `json:"City"`
	StateProvinceCode string   `json:"StateProvinceCode,omitempty"`
	PostalCode        string   `json:"PostalCode,omitempty"`
	CountryCode       string   `json:"CountryCode"`
}

type upsPhone struct {
	Number string `json:"Number"`
}

type upsParty struct {
	Name          string     `json:"Name"`
	AttentionName string     `json:"AttentionName,omitempty"`
	ShipperNumber string     `json:"ShipperNumber,omitempty"`
	Phone         *upsPhone  `json:"Phone,omitempty"`
	EMailAddress  string     `json:"EMailAddress,omitempty"`
	Address       upsAddress `json:"Address"`
	TaxID         string     `json:"TaxIdentificationNumber,omitempty"`
}

type upsCode struct {
	Code        string `json:"Code"`
	Description string `json:"Description,omitempty"`
}

type upsMeasure struct {
	UnitOfMeasurement upsCode `json:"UnitOfMeasurement"`
	Weight            string  `json:"Weight,omitempty"`
	Length            string  `json:"Length,omitempty"`
	Width             string  `json:"Width,omitempty"`
	Height            string  `json:"Height,omitempty"`
}

type upsReference struct {
	Value string `json:"Value"`
}

type upsPackage struct {
	Description     string         `json:"Description,omitempty"`
	PackagingType   *upsCode       `json:"PackagingType,omitempty"` // Rating's name
	Packaging       *upsCode       `json:"Packaging,omitempty"`     // Shipping's name
	Dimensions      upsMeasure     `json:"Dimensions"`
	PackageWeight   upsMeasure     `json:"PackageWeight"`
	ReferenceNumber []upsReference `json:"ReferenceNumber,omitempty"`
}

type upsMoney struct {
	CurrencyCode  string `json:"CurrencyCode"`
	MonetaryValue string `json:"MonetaryValue"`
}

type upsProduct struct {
	Description []string `json:"Description"`
	Unit        struct {
		Number            string  `json:"Number"`
		Value             string  `json:"Value"`
		UnitOfMeasurement upsCode `json:"UnitOfMeasurement"`
	} `json:"Unit"`
	CommodityCode     string     `json:"CommodityCode"`
	OriginCountryCode string     `json:"OriginCountryCode"`
	ProductWeight     upsMeasure `json:"ProductWeight"`
}

type upsForms struct {
	FormType        []string `json:"FormType"` // "01": the commercial invoice
	InvoiceNumber   string   `json:"InvoiceNumber"`
	InvoiceDate     string   `json:"InvoiceDate"` // yyyyMMdd
	ReasonForExport string   `json:"ReasonForExport"`
	TermsOfShipment string   `json:"TermsOfShipment,omitempty"`
	CurrencyCode    string   `json:"CurrencyCode"`
	Contacts        struct {
		SoldTo upsParty `json:"SoldTo"`
	} `json:"Contacts"`
	Product []upsProduct `json:"Product"`
}

// upsShipment is the Shipment of both a rate and a ship request, the parts
// each takes.
type upsShipment struct {
	Description        string      `json:"Description,omitempty"`
	Shipper            upsParty    `json:"Shipper"`
	ShipTo             upsParty    `json:"ShipTo"`
	ShipFrom           upsParty    `json:"ShipFrom"`
	PaymentDetails     *upsPayment `json:"PaymentDetails,omitempty"`     // Rating's name
	PaymentInformation *upsPayment `json:"PaymentInformation,omitempty"` // Shipping's name
	Service            *upsCode    `json:"Service,omitempty"`
	NumOfPieces        string      `json:"NumOfPieces,omitempty"`
	Package            upsPackage  `json:"Package"`
	ShipmentRatingOpts *struct {
		NegotiatedRatesIndicator string `json:"NegotiatedRatesIndicator"`
	} `json:"ShipmentRatingOptions,omitempty"`
	DeliveryTimeInformation *struct {
		PackageBillType string `json:"PackageBillType"`
		Pickup          struct {
			Date string `json:"Date"`
		} `json:"Pickup"`
	} `json:"DeliveryTimeInformation,omitempty"`
	InvoiceLineTotal *upsMoney `json:"InvoiceLineTotal,omitempty"`
	ShipmentService  *struct {
		InternationalForms *upsForms `json:"InternationalForms,omitempty"`
	} `json:"ShipmentServiceOptions,omitempty"`

	parcel, country string // "parcel 1 of #1001" and the receiver's country, for messages and clocks
	weightKG        bool
	declared        bool
}

type upsPayment struct {
	ShipmentCharge []struct {
		Type        string `json:"Type"`
		BillShipper struct {
			AccountNumber string `json:"AccountNumber"`
		} `json:"BillShipper"`
	} `json:"ShipmentCharge"`
}

func payment(account string) *upsPayment {
	var p upsPayment
	p.ShipmentCharge = make([]struct {
		Type        string `json:"Type"`
		BillShipper struct {
			AccountNumber string `json:"AccountNumber"`
		} `json:"BillShipper"`
	}, 1)
	p.ShipmentCharge[0].Type = "01" // transportation
	p.ShipmentCharge[0].BillShipper.AccountNumber = account
	return &p
}

// usUnits: parcels from the United States and Puerto Rico go in pounds and
// inches, the rest in kilograms and centimetres (as UPS asks).
func usUnits(country domain.Country) bool { return country == "US" || country == "PR" }

func upsAddr(a domain.Address) upsAddress {
	lines := []string{a.Line1}
	if a.Line2 != "" {
		lines = append(lines, a.Line2)
	}
	out := upsAddress{AddressLine: lines, City: a.City, PostalCode: a.PostalCode, CountryCode: string(a.Country)}
	if len(a.Region) <= 5 { // a state or province code
		out.StateProvinceCode = a.Region
	}
	return out
}

func upsPartyOf(a domain.Address) upsParty {
	name := a.Company
	if name == "" {
		name = a.Name
	}
	p := upsParty{Name: track.Truncate(name, 35), AttentionName: track.Truncate(a.Name, 35), EMailAddress: a.Email, Address: upsAddr(a)}
	if a.Phone != "" {
		p.Phone = &upsPhone{Number: a.Phone}
	}
	return p
}

// decimal writes v with up to the given decimals, trailing zeros dropped.
func decimal(v float64, decimals int) string {
	return strconv.FormatFloat(math.Round(v*math.Pow10(decimals))/math.Pow10(decimals), 'f', -1, 64)
}

// shipment is the parcel's shipment as UPS takes it; across a customs
// border with the commercial invoice's data (after the customs pre-flight).
func (s *Seller) shipment(p domain.PackedParcel, settings domain.ShippingSettings, ref string) (upsShipment, error) {
	sh := upsShipment{parcel: fmt.Sprintf("parcel %d of %s", p.Seq, p.Number), country: string(p.ShipTo.Country)}
	sh.Shipper = upsPartyOf(p.Warehouse.Address)
	sh.Shipper.ShipperNumber = s.Account
	sh.ShipFrom, sh.ShipTo = upsPartyOf(p.Warehouse.Address), upsPartyOf(p.ShipTo)
	d := p.Box.Dimensions
	pk := upsPackage{Dimensions: upsMeasure{UnitOfMeasurement: upsCode{Code: "CM"}}, PackageWeight: upsMeasure{UnitOfMeasurement: upsCode{Code: "KGS"}},
		ReferenceNumber: []upsReference{{Value: ref}}}
	if usUnits(p.Warehouse.Address.Country) {
		in := func(mm domain.Millimetres) string { return decimal(math.Ceil(float64(mm)/25.4*10)/10, 1) }
		pk.Dimensions = upsMeasure{UnitOfMeasurement: upsCode{Code: "IN"}, Length: in(d.Length), Width: in(d.Width), Height: in(d.Height)}
		pk.PackageWeight = upsMeasure{UnitOfMeasurement: upsCode{Code: "LBS"}, Weight: decimal(math.Ceil(float64(p.Weight)/453.59237*10)/10, 1)}
	} else {
		cm := func(mm domain.Millimetres) string { return strconv.FormatInt(int64(math.Ceil(float64(mm)/10)), 10) }
		pk.Dimensions.Length, pk.Dimensions.Width, pk.Dimensions.Height = cm(d.Length), cm(d.Width), cm(d.Height)
		pk.PackageWeight.Weight = decimal(math.Ceil(float64(p.Weight)/100)/10, 1)
		sh.weightKG = true
	}
	sh.Package = pk
	var names []string
	for _, l := range p.Lines {
		names = append(names, l.Name)
	}
	sh.Description = track.Truncate(strings.Join(names, ", "), 50)
	value, customs, err := p.Declared()
	if err != nil || !customs {
		return sh, err
	}
	if settings.EORI != "" {
		sh.Shipper.TaxID = settings.EORI
	}
	sh.declared = true
	sh.InvoiceLineTotal = &upsMoney{CurrencyCode: string(value.Currency), MonetaryValue: value.Decimal()}
	forms := &upsForms{FormType: []string{"01"}, InvoiceNumber: p.Number, InvoiceDate: s.Now().UTC().Format("20060102"), ReasonForExport: "SALE",
		TermsOfShipment: settings.Incoterm, CurrencyCode: string(value.Currency)}
	if forms.TermsOfShipment == "" {
		forms.TermsOfShipment = "DAP"
	}
	forms.Contacts.SoldTo = upsPartyOf(p.ShipTo)
	for _, l := range p.Lines {
		desc := l.Description
		if desc == "" {
			desc = l.Name
		}
		var pr upsProduct
		pr.Description = []string{track.Truncate(desc, 35)}
		pr.Unit.Number, pr.Unit.Value, pr.Unit.UnitOfMeasurement = strconv.FormatInt(int64(l.Qty), 10), l.UnitPrice.Decimal(), upsCode{Code: "PCS"}
		pr.CommodityCode = strings.NewReplacer(".", "", " ", "").Replace(l.HSCode)
		pr.OriginCountryCode = string(l.Origin)
		w := float64(l.UnitWeight * domain.Grams(l.Qty))
		if sh.weightKG {
			pr.ProductWeight = upsMeasure{UnitOfMeasurement: upsCode{Code: "KGS"}, Weight: decimal(math.Max(w/1000, 0.1), 1)}
		} else {
			pr.ProductWeight = upsMeasure{UnitOfMeasurement: upsCode{Code: "LBS"}, Weight: decimal(math.Max(w/453.59237, 0.1), 1)}
		}
		forms.Product = append(forms.Product, pr)
	}
	sh.ShipmentService = &struct {
		InternationalForms *upsForms `json:"InternationalForms,omitempty"`
	}{InternationalForms: forms}
	return sh, nil
}

type ratedShipment struct {
	Service               upsCode  `json:"Service"`
	TotalCharges          upsMoney `json:"TotalCharges"`
	NegotiatedRateCharges *struct {
		TotalCharge upsMoney `json:"TotalCharge"`
	} `json:"NegotiatedRateCharges"`
	GuaranteedDelivery *struct {
		BusinessDaysInTransit string `json:"BusinessDaysInTransit"`
		DeliveryByTime        string `json:"DeliveryByTime"`
	} `json:"GuaranteedDelivery"`
	TimeInTransit *struct {
		ServiceSummary struct {
			GuaranteedIndicator *string `json:"GuaranteedIndicator"`
			EstimatedArrival    struct {
				Arrival struct {
					Date string `json:"Date"`
					Time string `json:"Time"`
				} `json:"Arrival"`
				BusinessDaysInTransit string `json:"BusinessDaysInTransit"`
			} `json:"EstimatedArrival"`
		} `json:"ServiceSummary"`
	} `json:"TimeInTransit"`
	RatedShipmentAlert []upsCode `json:"RatedShipmentAlert"`
}

type rateResponse struct {
	RateResponse struct {
		RatedShipment []ratedShipment `json:"RatedShipment"`
	} `json:"RateResponse"`
}

// serviceNames are UPS's service codes as UPS names them.
var serviceNames = map[string]string{"01": "Next Day Air", "02": "2nd Day Air", "03": "Ground", "07": "Worldwide Express",
	"08": "Worldwide Expedited", "11": "Standard", "12": "3 Day Select", "13": "Next Day Air Saver", "14": "Next Day Air Early",
	"17": "Worldwide Economy DDU", "54": "Worldwide Express Plus", "59": "2nd Day Air A.M.", "65": "Worldwide Saver",
	"72": "Worldwide Economy DDP", "93": "Ground Saver", "96": "Worldwide Express Freight", "71": "Worldwide Express Freight Midday",
	"74": "Express 12:00", "75": "Heavy Goods", "82": "Today Standard", "83": "Today Dedicated Courier", "84": "Today Intercity",
	"85": "Today Express", "86": "Today Express Saver"}

// Quote asks UPS for every service's rate and transit time. The shipment
// is created only when a rate is bought (Buy), under the quote's ShipmentRef.
func (s *Seller) Quote(ctx context.Context, p domain.PackedParcel, settings domain.ShippingSettings, reference string) ([]domain.RateQuote, []domain.RateProblem, error) {
	if err := domain.CheckQuotable(p); err != nil {
		return nil, nil, err
	}
	ref := track.Reference(reference, s.Now())
	sh, err := s.shipment(p, settings, ref)
	if err != nil {
		return nil, nil, err
	}
	rate := sh
	rate.PaymentDetails = payment(s.Account)
	rate.Package.PackagingType = &upsCode{Code: "02"} // the customer's own box
	rate.Package.ReferenceNumber = nil
	rate.NumOfPieces = "1"
	rate.ShipmentRatingOpts = &struct {
		NegotiatedRatesIndicator string `json:"NegotiatedRatesIndicator"`
	}{"Y"}
	rate.DeliveryTimeInformation = &struct {
		PackageBillType string `json:"PackageBillType"`
		Pickup          struct {
			Date string `json:"Date"`
		} `json:"Pickup"`
	}{PackageBillType: "03"} // non-document
	rate.DeliveryTimeInformation.Pickup.Date = s.Now().UTC().Format("20060102")
	rate.ShipmentService = nil
	body := map[string]any{"RateRequest": map[string]any{"Request": map[string]any{"TransactionReference": map[string]string{"CustomerContext": ref}},
		"Shipment": rate}}
	resp, err := s.send(ctx, s.API, http.MethodPost, "/api/rating/"+APIVersion+"/Shoptimeintransit", body)
	if err != nil {
		return nil, nil, err
	}
	var r rateResponse
	if err := decode(resp, "RateResponse", &r, "the rates for "+sh.parcel); err != nil {
		return nil, nil, err
	}
	var quotes []domain.RateQuote
	var problems []domain.RateProblem
	for _, rs := range r.RateResponse.RatedShipment {
		q, err := s.quote(rs, sh.country)
		if err != nil {
			problems = append(problems, domain.RateProblem{Carrier: "UPS", Message: err.Error()})
			continue
		}
		q.ShipmentRef = ref
		quotes = append(quotes, q)
	}
	if len(quotes) > 0 {
		s.quoted.Put(ref, sh)
	}
	return quotes, problems, nil
}

// money reads a UPS amount ("37.50" in "EUR").
func money(m upsMoney) (domain.Money, error) {
	cur, err := domain.ParseCurrency(m.CurrencyCode)
	if err != nil {
		return domain.Money{}, err
	}
	return domain.ParseMoneyRounded(m.MonetaryValue, cur)
}

func (s *Seller) quote(rs ratedShipment, country string) (domain.RateQuote, error) {
	name := serviceNames[rs.Service.Code]
	if name == "" {
		name = strings.TrimSpace(rs.Service.Description)
	}
	if name == "" {
		name = "Service " + rs.Service.Code
	}
	charge := rs.TotalCharges
	if rs.NegotiatedRateCharges != nil && rs.NegotiatedRateCharges.TotalCharge.MonetaryValue != "" {
		charge = rs.NegotiatedRateCharges.TotalCharge // the account's own rates
	}
	price, err := money(charge)
	if err != nil {
		return domain.RateQuote{}, fmt.Errorf("%s: UPS's price %q %q is not an amount", name, charge.MonetaryValue, charge.CurrencyCode)
	}
	q := domain.RateQuote{Carrier: "UPS", Service: name, Price: price, RateRef: rs.Service.Code}
	if g := rs.GuaranteedDelivery; g != nil && g.BusinessDaysInTransit != "" {
		q.TransitDays, _ = strconv.Atoi(g.BusinessDaysInTransit)
		q.Guaranteed = true
	}
	if t := rs.TimeInTransit; t != nil {
		est := t.ServiceSummary.EstimatedArrival
		if days, err := strconv.Atoi(est.BusinessDaysInTransit); err == nil && q.TransitDays == 0 {
			q.TransitDays = days
		}
		if len(est.Arrival.Date) == 8 {
			hms, ok := hhmmss(est.Arrival.Time)
			if !ok {
				hms = "235900"
			}
			q.DeliveryBy = arrival(est.Arrival.Date+hms, country)
		}
		if t.ServiceSummary.GuaranteedIndicator != nil {
			q.Guaranteed = true
		}
	}
	return q, nil
}

// arrival is a UPS local date and time ("20261209103000") at the
// receiver's: read in its country's zone where it has one.
func arrival(stamp, country string) time.Time {
	loc := track.CountryZone(country)
	if loc == nil {
		loc = time.UTC
	}
	t, err := time.ParseInLocation("20060102150405", stamp, loc)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

type shipResponse struct {
	ShipmentResponse struct {
		ShipmentResults struct {
			ShipmentIdentificationNumber string `json:"ShipmentIdentificationNumber"`
			ShipmentCharges              *struct {
				TotalCharges upsMoney `json:"TotalCharges"`
			} `json:"ShipmentCharges"`
			NegotiatedRateCharges *struct {
				TotalCharge upsMoney `json:"TotalCharge"`
			} `json:"NegotiatedRateCharges"`
			PackageResults track.List[struct {
				TrackingNumber string `json:"TrackingNumber"`
				ShippingLabel  struct {
					ImageFormat  upsCode `json:"ImageFormat"`
					GraphicImage string  `json:"GraphicImage"`
				} `json:"ShippingLabel"`
			}] `json:"PackageResults"`
		} `json:"ShipmentResults"`
	} `json:"ShipmentResponse"`
}

// Buy ships the quoted shipment with the quote's service: UPS answers with
// the 1Z tracking number and the label. It is sent once: when no answer
// comes, the error wraps domain.ErrPurchaseUncertain.
func (s *Seller) Buy(ctx context.Context, q domain.RateQuote) (domain.Label, error) {
	sh, ok := s.quoted.Get(q.ShipmentRef)
	if !ok {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "the UPS quote %s was made by another run; ask for rates again", q.ShipmentRef)
	}
	if sh.ShipTo.Phone == nil && sh.declared {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "UPS needs the recipient's phone number for %s (it leaves the customs area)", sh.parcel)
	}
	if sh.Shipper.Phone == nil {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "UPS needs the warehouse's phone number; add it to the warehouse's address")
	}
	ship := sh
	ship.PaymentInformation = payment(s.Account)
	ship.Service = &upsCode{Code: q.RateRef, Description: q.Service}
	ship.Package.Packaging = &upsCode{Code: "02"}
	ship.ShipmentRatingOpts = &struct {
		NegotiatedRatesIndicator string `json:"NegotiatedRatesIndicator"`
	}{"Y"}
	body := map[string]any{"ShipmentRequest": map[string]any{
		"Request":            map[string]any{"RequestOption": "nonvalidate", "TransactionReference": map[string]string{"CustomerContext": q.ShipmentRef}},
		"Shipment":           ship,
		"LabelSpecification": map[string]any{"LabelImageFormat": upsCode{Code: s.Image}, "LabelStockSize": map[string]string{"Height": "6", "Width": "4"}},
	}}
	resp, err := s.send(ctx, s.Once, http.MethodPost, "/api/shipments/"+APIVersion+"/ship", body)
	if err != nil {
		return domain.Label{}, track.PurchaseFailed(ctx, err, "UPS "+q.Service+", reference "+q.ShipmentRef)
	}
	var r shipResponse
	if err := decode(resp, "ShipmentResponse", &r, "the shipment of "+sh.parcel); err != nil {
		return domain.Label{}, err
	}
	s.quoted.Spend(q.ShipmentRef)
	res := r.ShipmentResponse.ShipmentResults
	l := domain.Label{ShipmentRef: q.ShipmentRef, Carrier: "UPS", Service: q.Service, Cost: q.Price}
	if len(res.PackageResults) == 0 || res.PackageResults[0].TrackingNumber == "" {
		return l, domain.Errorf(domain.EINVALID, "UPS answered the shipment of %s without a tracking number", sh.parcel)
	}
	pkg := res.PackageResults[0]
	l.Tracking = pkg.TrackingNumber
	// What the account pays: its negotiated charge where UPS gives one.
	var charged *upsMoney
	switch {
	case res.NegotiatedRateCharges != nil && res.NegotiatedRateCharges.TotalCharge.MonetaryValue != "":
		charged = &res.NegotiatedRateCharges.TotalCharge
	case res.ShipmentCharges != nil:
		charged = &res.ShipmentCharges.TotalCharges
	}
	if charged != nil {
		if cost, err := money(*charged); err == nil && cost.Amount > 0 {
			l.Cost = cost
		}
	}
	if err := setImage(&l, pkg.ShippingLabel.ImageFormat.Code, pkg.ShippingLabel.GraphicImage); err != nil {
		return l, err
	}
	return l, nil
}

// setImage keeps a label image UPS sent as base64.
func setImage(l *domain.Label, format, image string) error {
	if image == "" {
		return nil
	}
	file, err := base64.StdEncoding.DecodeString(image)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "UPS sold %s, but its label is not base64: %v", l.Tracking, err)
	}
	l.File, l.Format = file, strings.ToUpper(format)
	return nil
}

// Bought asks UPS whether a shipment was made under the reference (the
// answer to a purchase whose reply was lost): UPS tracks packages by their
// reference number from the moment their label is made.
func (s *Seller) Bought(ctx context.Context, ref string) (domain.Label, bool, error) {
	now := s.Now().UTC()
	resp, err := s.send(ctx, s.API, http.MethodGet, "/api/track/v1/reference/details/"+url.PathEscape(ref), url.Values{
		"locale": {"en_US"}, "shipperNum": {s.Account}, "fromPickUpDate": {now.AddDate(0, 0, -7).Format("20060102")},
		"toPickUpDate": {now.AddDate(0, 0, 1).Format("20060102")}, "refNumType": {"SmallPackage"}})
	if err != nil {
		return domain.Label{}, false, err
	}
	if resp.StatusCode() == http.StatusNotFound {
		return domain.Label{}, false, nil
	}
	var r struct {
		TrackResponse struct {
			Shipment []struct {
				Package []struct {
					TrackingNumber string `json:"trackingNumber"`
				} `json:"package"`
			} `json:"shipment"`
		} `json:"trackResponse"`
	}
	if err := decode(resp, "trackResponse", &r, "the look-up of reference "+ref); err != nil {
		return domain.Label{}, false, err
	}
	for _, sh := range r.TrackResponse.Shipment {
		for _, p := range sh.Package {
			if p.TrackingNumber != "" {
				return domain.Label{ShipmentRef: ref, Carrier: "UPS", Tracking: p.TrackingNumber}, true, nil
			}
		}
	}
	return domain.Label{}, false, nil
}

// Void cancels the label's shipment with UPS, by its tracking number
// (within UPS's void window): UPS answers that it is voided, or why not.
func (s *Seller) Void(ctx context.Context, l domain.Label) (domain.Label, error) {
	id := l.Tracking // a one-package shipment's identification number is its 1Z number
	resp, err := s.send(ctx, s.API, http.MethodDelete, "/api/shipments/"+APIVersion+"/void/cancel/"+url.PathEscape(id), nil)
	if err != nil {
		return l, err
	}
	var r struct {
		VoidShipmentResponse struct {
			SummaryResult struct {
				Status upsCode `json:"Status"`
			} `json:"SummaryResult"`
		} `json:"VoidShipmentResponse"`
	}
	if resp.StatusCode() >= 300 {
		err := refused(resp, "the void of "+id)
		l.Refund = "rejected"
		return l, err
	}
	if err := decode(resp, "VoidShipmentResponse", &r, "the void of "+id); err != nil {
		return l, err
	}
	if r.VoidShipmentResponse.SummaryResult.Status.Code != "1" {
		l.Refund = "rejected"
		return l, nil
	}
	l.Refund = "voided"
	return l, nil
}

// LabelFile is the label UPS sent with the shipment, or, for one found by
// its reference, the label UPS recovers by its tracking number.
func (s *Seller) LabelFile(ctx context.Context, l domain.Label) ([]byte, error) {
	if len(l.File) > 0 {
		return l.File, nil
	}
	body := map[string]any{"LabelRecoveryRequest": map[string]any{"LabelSpecification": map[string]any{"LabelImageFormat": upsCode{Code: s.Image},
		"LabelStockSize": map[string]string{"Height": "6", "Width": "4"}},
		"TrackingNumber": l.Tracking}}
	resp, err := s.send(ctx, s.API, http.MethodPost, "/api/labels/v1/recovery", body)
	if err != nil {
		return nil, err
	}
	var r struct {
		LabelRecoveryResponse struct {
			LabelResults track.List[struct {
				LabelImage struct {
					LabelImageFormat upsCode `json:"LabelImageFormat"`
					GraphicImage     string  `json:"GraphicImage"`
				} `json:"LabelImage"`
			}] `json:"LabelResults"`
		} `json:"LabelRecoveryResponse"`
	}
	if err := decode(resp, "LabelRecoveryResponse", &r, "the label of "+l.Tracking); err != nil {
		return nil, err
	}
	if len(r.LabelRecoveryResponse.LabelResults) == 0 {
		return nil, domain.Errorf(domain.EINVALID, "UPS recovered no label for %s", l.Tracking)
	}
	img := r.LabelRecoveryResponse.LabelResults[0].LabelImage
	if err := setImage(&l, img.LabelImageFormat.Code, img.GraphicImage); err != nil {
		return nil, err
	}
	return l.File, nil
}
