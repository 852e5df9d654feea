package dhlexpress

// DHL Express as a shipping account (issue 17): the rates of a packed
// parcel, its shipment bought with one of them — DHL answers with the
// waybill number and the label as a base64 PDF — and, across a customs
// border, the export declaration sent with it (paperless trade where the
// account has it). Shapes: DHL's OpenAPI document, version 3.1.1: the
// examples nonDocInternationalShipmentRates(+Response),
// nonDocInternationalShipmentRequest(+Response), pltShipmentRequest and the
// tracking response of GET /shipments/{shipmentTrackingNumber}/tracking.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
)

type postalAddress struct {
	PostalCode   string `json:"postalCode"`
	CityName     string `json:"cityName"`
	CountryCode  string `json:"countryCode"`
	ProvinceCode string `json:"provinceCode,omitempty"`
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2,omitempty"`
}

type contact struct {
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone"`
	CompanyName string `json:"companyName"`
	FullName    string `json:"fullName"`
}

type registration struct {
	TypeCode          string `json:"typeCode"`
	Number            string `json:"number"`
	IssuerCountryCode string `json:"issuerCountryCode"`
}

type party struct {
	PostalAddress       postalAddress  `json:"postalAddress"`
	ContactInformation  contact        `json:"contactInformation"`
	RegistrationNumbers []registration `json:"registrationNumbers,omitempty"`
}

type dimensions struct {
	Length int64 `json:"length"`
	Width  int64 `json:"width"`
	Height int64 `json:"height"`
}

type reference struct {
	Value    string `json:"value"`
	TypeCode string `json:"typeCode"`
}

type pkg struct {
	Weight             float64     `json:"weight"` // kilograms (unitOfMeasurement metric)
	Dimensions         dimensions  `json:"dimensions"`
	CustomerReferences []reference `json:"customerReferences,omitempty"`
}

type account struct {
	TypeCode string `json:"typeCode"`
	Number   string `json:"number"`
}

type amount struct {
	TypeCode string      `json:"typeCode"`
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

type rateRequest struct {
	CustomerDetails struct {
		ShipperDetails  postalAddress `json:"shipperDetails"`
		ReceiverDetails postalAddress `json:"receiverDetails"`
	} `json:"customerDetails"`
	Accounts                   []account `json:"accounts"`
	PlannedShippingDateAndTime string    `json:"plannedShippingDateAndTime"`
	UnitOfMeasurement          string    `json:"unitOfMeasurement"`
	IsCustomsDeclarable        bool      `json:"isCustomsDeclarable"`
	MonetaryAmount             []amount  `json:"monetaryAmount,omitempty"`
	EstimatedDeliveryDate      struct {
		IsRequested bool   `json:"isRequested"`
		TypeCode    string `json:"typeCode"`
	} `json:"estimatedDeliveryDate"`
	NextBusinessDay bool  `json:"nextBusinessDay"`
	Packages        []pkg `json:"packages"`
}

type price struct {
	CurrencyType  string      `json:"currencyType"`
	PriceCurrency string      `json:"priceCurrency"`
	Price         json.Number `json:"price"`
}

type product struct {
	ProductName          string  `json:"productName"`
	ProductCode          string  `json:"productCode"`
	TotalPrice           []price `json:"totalPrice"`
	DeliveryCapabilities struct {
		DeliveryTypeCode             string      `json:"deliveryTypeCode"`
		EstimatedDeliveryDateAndTime string      `json:"estimatedDeliveryDateAndTime"`
		TotalTransitDays             json.Number `json:"totalTransitDays"`
	} `json:"deliveryCapabilities"`
}

type ratesResponse struct {
	Products []product `json:"products"`
	Warnings []string  `json:"warnings"`
}

type lineItem struct {
	Number   int         `json:"number"`
	Desc     string      `json:"description"`
	Price    json.Number `json:"price"` // the unit price, in the declared value's currency
	Quantity struct {
		Value             int64  `json:"value"`
		UnitOfMeasurement string `json:"unitOfMeasurement"`
	} `json:"quantity"`
	CommodityCodes      []reference `json:"commodityCodes"`
	ExportReasonType    string      `json:"exportReasonType"`
	ManufacturerCountry string      `json:"manufacturerCountry"`
	Weight              struct {
		NetValue   float64 `json:"netValue"`
		GrossValue float64 `json:"grossValue"`
	} `json:"weight"`
}

type exportDeclaration struct {
	LineItems []lineItem `json:"lineItems"`
	Invoice   struct {
		Number string `json:"number"`
		Date   string `json:"date"`
	} `json:"invoice"`
	ExportReason     string `json:"exportReason"`
	ExportReasonType string `json:"exportReasonType"`
}

type content struct {
	Packages              []pkg              `json:"packages"`
	IsCustomsDeclarable   bool               `json:"isCustomsDeclarable"`
	DeclaredValue         json.Number        `json:"declaredValue,omitempty"`
	DeclaredValueCurrency string             `json:"declaredValueCurrency,omitempty"`
	ExportDeclaration     *exportDeclaration `json:"exportDeclaration,omitempty"`
	Description           string             `json:"description"`
	Incoterm              string             `json:"incoterm"`
	UnitOfMeasurement     string             `json:"unitOfMeasurement"`
}

type imageOption struct {
	TypeCode    string `json:"typeCode"`
	IsRequested bool   `json:"isRequested"`
	InvoiceType string `json:"invoiceType,omitempty"`
}

type serviceCode struct {
	ServiceCode string `json:"serviceCode"`
}

// shipmentRequest is POST /shipments's body, all but the product, which
// the quote bought names.
type shipmentRequest struct {
	PlannedShippingDateAndTime string `json:"plannedShippingDateAndTime"`
	Pickup                     struct {
		IsRequested bool `json:"isRequested"`
	} `json:"pickup"`
	ProductCode           string        `json:"productCode"`
	Accounts              []account     `json:"accounts"`
	ValueAddedServices    []serviceCode `json:"valueAddedServices,omitempty"`
	OutputImageProperties struct {
		EncodingFormat                    string        `json:"encodingFormat"`
		ImageOptions                      []imageOption `json:"imageOptions"`
		SplitTransportAndWaybillDocLabels bool          `json:"splitTransportAndWaybillDocLabels"`
		AllDocumentsInOneImage            bool          `json:"allDocumentsInOneImage"`
	} `json:"outputImageProperties"`
	CustomerReferences []reference `json:"customerReferences"`
	CustomerDetails    struct {
		ShipperDetails  party `json:"shipperDetails"`
		ReceiverDetails party `json:"receiverDetails"`
	} `json:"customerDetails"`
	Content content `json:"content"`
	// GetRateEstimates asks for the shipment's charges in the answer: the
	// cost billing expects.
	GetRateEstimates bool `json:"getRateEstimates"`

	parcel string // "parcel 1 of #1001", for messages
}

type document struct {
	ImageFormat string `json:"imageFormat"`
	Content     string `json:"content"`
	TypeCode    string `json:"typeCode"`
}

type shipmentResponse struct {
	ShipmentTrackingNumber string     `json:"shipmentTrackingNumber"`
	Documents              []document `json:"documents"`
	ShipmentCharges        []price    `json:"shipmentCharges"`
	Warnings               []string   `json:"warnings"`
}

// kilograms is the weight as MyDHL takes it: kilograms, to the gram.
func kilograms(g domain.Grams) float64 { return float64(g) / 1000 }

// centimetres rounds up: DHL prices the box it is told, never a smaller one.
func centimetres(mm domain.Millimetres) int64 { return int64(math.Ceil(float64(mm) / 10)) }

func address(a domain.Address) postalAddress {
	out := postalAddress{PostalCode: a.PostalCode, CityName: a.City, CountryCode: string(a.Country), AddressLine1: a.Line1, AddressLine2: a.Line2}
	if len(a.Region) <= 35 {
		out.ProvinceCode = a.Region
	}
	return out
}

func partyOf(a domain.Address) party {
	company := a.Company
	if company == "" {
		company = a.Name // a private person is their own "company" to DHL
	}
	name := a.Name
	if name == "" {
		name = a.Company
	}
	return party{PostalAddress: address(a), ContactInformation: contact{Email: a.Email, Phone: a.Phone, CompanyName: company, FullName: name}}
}

// plannedTime is when the parcel is handed over as DHL writes it: the
// clock at the warehouse with its offset. The shipment's is
// "2026-12-07T10:00:00 GMT+01:00" (DHL's example, and the format its
// refusal asks for); the rate request's example has no space.
func (c *Client) plannedTime(w domain.Warehouse) string {
	t := c.now().In(w.Zone()).Add(10 * time.Minute).Truncate(time.Minute)
	return t.Format("2006-01-02T15:04:05") + " GMT" + t.Format("-07:00")
}

// Quote asks DHL Express for the rates of the parcel's shipment. The
// shipment itself is created only when a rate is bought (Buy), under the
// quote's ShipmentRef.
func (c *Client) Quote(ctx context.Context, p domain.PackedParcel, settings domain.ShippingSettings, ref string) ([]domain.RateQuote, []domain.RateProblem, error) {
	if err := domain.CheckQuotable(p); err != nil {
		return nil, nil, err
	}
	sr, err := c.shipment(p, settings, track.Reference(ref, c.now()))
	if err != nil {
		return nil, nil, err
	}
	var rr rateRequest
	rr.CustomerDetails.ShipperDetails = sr.CustomerDetails.ShipperDetails.PostalAddress
	rr.CustomerDetails.ReceiverDetails = sr.CustomerDetails.ReceiverDetails.PostalAddress
	rr.Accounts, rr.PlannedShippingDateAndTime = sr.Accounts, strings.Replace(sr.PlannedShippingDateAndTime, " GMT", "GMT", 1)
	rr.UnitOfMeasurement, rr.IsCustomsDeclarable, rr.NextBusinessDay = "metric", sr.Content.IsCustomsDeclarable, true
	rr.EstimatedDeliveryDate.IsRequested, rr.EstimatedDeliveryDate.TypeCode = true, "QDDC"
	if sr.Content.IsCustomsDeclarable {
		rr.MonetaryAmount = []amount{{TypeCode: "declaredValue", Value: sr.Content.DeclaredValue, Currency: sr.Content.DeclaredValueCurrency}}
	}
	rr.Packages = []pkg{{Weight: sr.Content.Packages[0].Weight, Dimensions: sr.Content.Packages[0].Dimensions}}
	resp, err := c.rc.PostJSON(ctx, "/rates", rr, c.auth)
	if err != nil {
		return nil, nil, err
	}
	var body ratesResponse
	if err := decode(resp, "products", &body, "the rates for "+sr.parcel); err != nil {
		return nil, nil, err
	}
	var quotes []domain.RateQuote
	var problems []domain.RateProblem
	for _, w := range body.Warnings {
		problems = append(problems, domain.RateProblem{Carrier: Carrier, Message: w})
	}
	for _, pr := range body.Products {
		q, ok, err := quote(pr, sr.CustomerDetails.ReceiverDetails.PostalAddress.CountryCode)
		switch {
		case err != nil:
			return nil, nil, err
		case !ok:
			problems = append(problems, domain.RateProblem{Carrier: Carrier, Message: serviceName(pr.ProductName) + ": DHL gave no price for the account"})
		default:
			q.ShipmentRef = sr.CustomerReferences[0].Value
			quotes = append(quotes, q)
		}
	}
	if len(quotes) > 0 {
		c.quoted.Put(sr.CustomerReferences[0].Value, sr)
	}
	return quotes, problems, nil
}

// serviceName is a product's name as Portolan shows services: "EXPRESS
// WORLDWIDE" → "Express Worldwide".
func serviceName(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// quote reads a product's price: the billing currency's (BILLC), else the
// first one given. ok is false for a product DHL did not price.
func quote(p product, receiverCountry string) (domain.RateQuote, bool, error) {
	var pick *price
	for i, pr := range p.TotalPrice {
		if pr.PriceCurrency == "" || pr.Price == "" || pr.Price == "0" {
			continue
		}
		if pick == nil || pr.CurrencyType == "BILLC" && pick.CurrencyType != "BILLC" {
			pick = &p.TotalPrice[i]
		}
	}
	if pick == nil {
		return domain.RateQuote{}, false, nil
	}
	cur, err := domain.ParseCurrency(pick.PriceCurrency)
	if err != nil {
		return domain.RateQuote{}, false, domain.Errorf(domain.EINVALID, "DHL Express priced %s in %q, not a currency", p.ProductName, pick.PriceCurrency)
	}
	amount, err := domain.ParseMoneyRounded(pick.Price.String(), cur)
	if err != nil {
		return domain.RateQuote{}, false, domain.Errorf(domain.EINVALID, "DHL Express priced %s at %q, not an amount", p.ProductName, pick.Price)
	}
	dc := p.DeliveryCapabilities
	q := domain.RateQuote{Carrier: Carrier, Service: serviceName(p.ProductName), Price: amount, RateRef: p.ProductCode,
		// QDDC is DHL's service commitment (clearance included); QDDF is
		// the fastest it may manage.
		Guaranteed: dc.DeliveryTypeCode == "QDDC"}
	if days, err := dc.TotalTransitDays.Int64(); err == nil {
		q.TransitDays = int(days)
	}
	if dc.EstimatedDeliveryDateAndTime != "" {
		q.DeliveryBy = wallClock(dc.EstimatedDeliveryDateAndTime, receiverCountry)
	}
	return q, true, nil
}

// shipment is the parcel's shipment as MyDHL takes it: its addresses and
// contacts, its package, and across a customs border its export
// declaration (the customs pre-flight runs first: nothing is asked of DHL
// for a parcel that cannot be declared).
func (c *Client) shipment(p domain.PackedParcel, settings domain.ShippingSettings, ref string) (shipmentRequest, error) {
	var sr shipmentRequest
	sr.parcel = fmt.Sprintf("parcel %d of %s", p.Seq, p.Number)
	sr.PlannedShippingDateAndTime = c.plannedTime(p.Warehouse)
	sr.Accounts = []account{{TypeCode: "shipper", Number: c.account}}
	sr.CustomerReferences = []reference{{Value: ref, TypeCode: "CU"}}
	sr.CustomerDetails.ShipperDetails = partyOf(p.Warehouse.Address)
	sr.CustomerDetails.ReceiverDetails = partyOf(p.ShipTo)
	d := p.Box.Dimensions
	sr.Content.Packages = []pkg{{Weight: kilograms(p.Weight), Dimensions: dimensions{centimetres(d.Length), centimetres(d.Width), centimetres(d.Height)},
		CustomerReferences: []reference{{Value: fmt.Sprintf("%s/%d", p.Number, p.Seq), TypeCode: "CU"}}}}
	sr.Content.UnitOfMeasurement = "metric"
	sr.Content.Incoterm = settings.Incoterm
	if sr.Content.Incoterm == "" {
		sr.Content.Incoterm = "DAP"
	}
	sr.OutputImageProperties.EncodingFormat = "pdf"
	if c.zpl {
		sr.OutputImageProperties.EncodingFormat = "zpl" // the label; DHL's invoice and receipt stay PDF
	}
	sr.OutputImageProperties.SplitTransportAndWaybillDocLabels = true
	sr.OutputImageProperties.ImageOptions = []imageOption{{TypeCode: "label", IsRequested: true}, {TypeCode: "waybillDoc", IsRequested: false}}
	sr.GetRateEstimates = true
	var names []string
	for _, l := range p.Lines {
		names = append(names, l.Name)
	}
	sr.Content.Description = track.Truncate(strings.Join(names, ", "), 70)
	value, customs, err := p.Declared()
	if err != nil || !customs {
		return sr, err
	}
	from := string(p.Warehouse.Address.Country)
	for _, id := range []struct{ kind, value string }{{"EOR", settings.EORI}, {"SDT", settings.IOSS}} {
		if id.value != "" {
			sr.CustomerDetails.ShipperDetails.RegistrationNumbers = append(sr.CustomerDetails.ShipperDetails.RegistrationNumbers,
				registration{TypeCode: id.kind, Number: id.value, IssuerCountryCode: from})
		}
	}
	sr.Content.IsCustomsDeclarable = true
	sr.Content.DeclaredValue, sr.Content.DeclaredValueCurrency = json.Number(value.Decimal()), string(value.Currency)
	decl := &exportDeclaration{ExportReason: "Sale", ExportReasonType: "permanent"}
	decl.Invoice.Number = p.Number
	decl.Invoice.Date = c.now().In(time.UTC).Format(time.DateOnly)
	for i, l := range p.Lines {
		desc := l.Description
		if desc == "" {
			desc = l.Name
		}
		item := lineItem{Number: i + 1, Desc: track.Truncate(desc, 512), Price: json.Number(l.UnitPrice.Decimal()), ExportReasonType: "permanent", ManufacturerCountry: string(l.Origin),
			CommodityCodes: []reference{{TypeCode: "outbound", Value: strings.NewReplacer(".", "", " ", "").Replace(l.HSCode)}}}
		item.Quantity.Value, item.Quantity.UnitOfMeasurement = int64(l.Qty), "PCS"
		w := kilograms(l.UnitWeight * domain.Grams(l.Qty))
		item.Weight.NetValue, item.Weight.GrossValue = w, w
		decl.LineItems = append(decl.LineItems, item)
	}
	sr.Content.ExportDeclaration = decl
	if c.paperless {
		// Paperless trade: DHL makes the commercial invoice from the
		// declaration and sends it to customs itself.
		sr.ValueAddedServices = []serviceCode{{ServiceCode: "WY"}}
		sr.OutputImageProperties.ImageOptions = append(sr.OutputImageProperties.ImageOptions,
			imageOption{TypeCode: "invoice", IsRequested: true, InvoiceType: "commercial"})
	}
	return sr, nil
}

// Buy creates the quoted shipment with the quote's product: DHL answers
// with the waybill and the label. It is sent once: when no answer comes,
// the error wraps domain.ErrPurchaseUncertain, and Bought must be asked
// before anything else is bought for the parcel.
func (c *Client) Buy(ctx context.Context, q domain.RateQuote) (domain.Label, error) {
	sr, ok := c.quoted.Get(q.ShipmentRef)
	if !ok {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "the DHL Express quote %s was made by another run; ask for rates again", q.ShipmentRef)
	}
	to := sr.CustomerDetails.ReceiverDetails.ContactInformation
	if strings.TrimSpace(to.Phone) == "" {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "DHL Express needs the recipient's phone number for %s; add it to the order's address", sr.parcel)
	}
	if strings.TrimSpace(sr.CustomerDetails.ShipperDetails.ContactInformation.Phone) == "" {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "DHL Express needs the warehouse's phone number; add it to the warehouse's address")
	}
	sr.ProductCode = q.RateRef
	resp, err := c.buy.PostJSON(ctx, "/shipments", sr, c.auth)
	if err != nil {
		return domain.Label{}, track.PurchaseFailed(ctx, err, Carrier+" "+q.Service+", reference "+q.ShipmentRef)
	}
	var body shipmentResponse
	if err := decode(resp, "shipmentTrackingNumber", &body, "the shipment of "+sr.parcel); err != nil {
		return domain.Label{}, err
	}
	c.quoted.Spend(q.ShipmentRef)
	l := domain.Label{ShipmentRef: q.ShipmentRef, Carrier: Carrier, Service: q.Service, Tracking: body.ShipmentTrackingNumber, Cost: q.Price, Format: "PDF"}
	if body.ShipmentTrackingNumber == "" {
		return l, domain.Errorf(domain.EINVALID, "DHL Express answered the shipment of %s without a waybill number", sr.parcel)
	}
	for _, ch := range body.ShipmentCharges {
		if ch.CurrencyType == "BILLC" && ch.PriceCurrency == string(q.Price.Currency) {
			if cost, err := domain.ParseMoneyRounded(ch.Price.String(), q.Price.Currency); err == nil && cost.Amount > 0 {
				l.Cost = cost
			}
		}
	}
	for _, d := range body.Documents {
		if d.TypeCode == "label" {
			file, err := base64.StdEncoding.DecodeString(d.Content)
			if err != nil {
				return l, domain.Errorf(domain.EINVALID, "DHL Express sold waybill %s, but its label is not base64: %v", l.Tracking, err)
			}
			l.File, l.Format = file, strings.ToUpper(d.ImageFormat)
			break
		}
	}
	return l, nil
}

// Bought asks DHL Express whether a shipment was created under the
// reference (the answer to a purchase whose reply was lost), by tracking
// the account's shipments by that reference over the last week.
func (c *Client) Bought(ctx context.Context, ref string) (domain.Label, bool, error) {
	now := c.now().UTC()
	resp, err := c.rc.Get(ctx, "/tracking", url.Values{"shipmentReference": {ref}, "shipmentReferenceType": {"CU"},
		"shipperAccountNumber": {c.account}, "dateRangeFrom": {now.AddDate(0, 0, -7).Format(time.DateOnly)},
		"dateRangeTo": {now.AddDate(0, 0, 1).Format(time.DateOnly)}, "trackingView": {"shipment-details-only"}, "levelOfDetail": {"shipment"}}, c.auth)
	if err != nil {
		return domain.Label{}, false, err
	}
	if resp.StatusCode() == http.StatusNotFound {
		return domain.Label{}, false, nil
	}
	var body trackingResponse
	if err := decode(resp, "shipments", &body, "the look-up of reference "+ref); err != nil {
		return domain.Label{}, false, err
	}
	for _, sh := range body.Shipments {
		if sh.ShipmentTrackingNumber != "" {
			return domain.Label{ShipmentRef: ref, Carrier: Carrier, Tracking: sh.ShipmentTrackingNumber, Format: "PDF"}, true, nil
		}
	}
	return domain.Label{}, false, nil
}

// Void gives a label up. The MyDHL API has no call to cancel a shipment:
// DHL Express bills a waybill only once the parcel is scanned into its
// network, so a label never handed over is never charged. Portolan
// forgets it; the label itself must be destroyed.
func (c *Client) Void(ctx context.Context, l domain.Label) (domain.Label, error) {
	l.Refund = domain.RefundNotBilled
	return l, nil
}

// LabelFile is the label DHL sent with the shipment: MyDHL serves it only
// in that answer.
func (c *Client) LabelFile(ctx context.Context, l domain.Label) ([]byte, error) {
	if len(l.File) > 0 {
		return l.File, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "DHL Express sends a label only in its answer to the purchase; print waybill %s from MyDHL", l.Tracking)
}
