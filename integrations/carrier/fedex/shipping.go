package fedex

// FedEx as a shipping account (issue 17): rates and transit times for every
// service that serves the route (POST /rate/v1/rates/quotes), the shipment
// of one with its 4x6 PNG label and, across a customs border, its
// commodities — with Electronic Trade Documents where the account has
// them: FedEx makes the commercial invoice and sends it to customs (POST
// /ship/v1/shipments) — the cancel of a label (PUT
// /ship/v1/shipments/cancel) and a lost answer found by Portolan's
// reference (POST /track/v1/referencenumbers). Shapes: FedEx's own API
// documents (Rates and Transit Times API, Ship API, Basic Integrated
// Visibility), as kept in karrioapi/karrio at
// modules/connectors/fedex/vendor/{rate-api,ship-api,track}.json.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Seller is a FedEx account that quotes parcels and sells labels.
type Seller struct {
	track.OAuthSeller      // Image: PNG, or ZPLII for a thermal printer
	paperless         bool // Electronic Trade Documents

	quoted track.Quoted[fxShipment] // quoted, not yet bought, by reference
}

// NewSeller makes a shipping client for the account; now is Portolan's clock.
func NewSeller(a domain.CarrierAccount, now func() time.Time) (*Seller, error) {
	if strings.TrimSpace(a.Number) == "" {
		return nil, domain.Errorf(domain.EINVALID, "FedEx labels are billed to the account number: add it to the account %q", a.Name)
	}
	c, err := New(a)
	if err != nil {
		return nil, err
	}
	base, err := track.NewOAuthSeller(a, c.token, now, "PNG", "ZPLII")
	if err != nil {
		return nil, err
	}
	return &Seller{OAuthSeller: base, paperless: a.Paperless}, nil
}

var _ domain.LabelSeller = (*Seller)(nil)

func (s *Seller) send(ctx context.Context, rc *rest.Client, method, path string, body any) (*resty.Response, error) {
	return s.Token.Do(ctx, func(tok string) (*resty.Response, error) {
		auth := func(r *resty.Request) { r.SetAuthToken(tok).SetHeader("X-locale", "en_US") }
		if method == http.MethodPut {
			return rc.PutJSON(ctx, path, body, auth)
		}
		return rc.PostJSON(ctx, path, body, auth)
	})
}

// The parts of a requested shipment that only a purchase fills in.
type (
	fxPayment struct {
		PaymentType string `json:"paymentType"`
	}
	fxLabelSpec struct {
		ImageType      string `json:"imageType"`
		LabelStockType string `json:"labelStockType"`
	}
	fxSpecialServices struct {
		SpecialServiceTypes []string `json:"specialServiceTypes"`
		ETDDetail           struct {
			RequestedDocumentTypes []string `json:"requestedDocumentTypes"`
		} `json:"etdDetail"`
	}
	fxDocumentSpec struct {
		ShippingDocumentTypes   []string `json:"shippingDocumentTypes"`
		CommercialInvoiceDetail struct {
			DocumentFormat struct {
				DocType   string `json:"docType"`
				StockType string `json:"stockType"`
			} `json:"documentFormat"`
		} `json:"commercialInvoiceDetail"`
	}
)

// decode reads FedEx's answer into v (holding "output"), or its refusal.
func decode(resp *resty.Response, v any, what string) error {
	return track.Decode(resp, "FedEx", "output", what, v, refused)
}

// refused is FedEx's refusal in its own words ({"errors":[{"code","message"}]}).
func refused(resp *resty.Response, what string) error {
	var e struct {
		Errors []struct{ Code, Message string } `json:"errors"`
	}
	_ = json.Unmarshal(resp.Body(), &e)
	var msgs []string
	for _, x := range e.Errors {
		msgs = append(msgs, strings.TrimSpace(x.Code+": "+x.Message))
	}
	return track.Refused("FedEx", what, resp.StatusCode(), strings.Join(msgs, "; "))
}

type fxAddress struct {
	StreetLines         []string `json:"streetLines"`
	City                string   `json:"city"`
	StateOrProvinceCode string   `json:"stateOrProvinceCode,omitempty"`
	PostalCode          string   `json:"postalCode,omitempty"`
	CountryCode         string   `json:"countryCode"`
}

type fxContact struct {
	PersonName   string `json:"personName"`
	CompanyName  string `json:"companyName,omitempty"`
	PhoneNumber  string `json:"phoneNumber"`
	EmailAddress string `json:"emailAddress,omitempty"`
}

type fxTIN struct {
	Number  string `json:"number"`
	TINType string `json:"tinType"`
}

type fxParty struct {
	Address fxAddress  `json:"address"`
	Contact *fxContact `json:"contact,omitempty"`
	TINs    []fxTIN    `json:"tins,omitempty"`
}

type fxWeight struct {
	Units string  `json:"units"` // KG or LB
	Value float64 `json:"value"`
}

type fxDimensions struct {
	Length int64  `json:"length"`
	Width  int64  `json:"width"`
	Height int64  `json:"height"`
	Units  string `json:"units"` // CM or IN
}

type fxReference struct {
	CustomerReferenceType string `json:"customerReferenceType"`
	Value                 string `json:"value"`
}

type fxPackage struct {
	Weight             fxWeight      `json:"weight"`
	Dimensions         fxDimensions  `json:"dimensions"`
	CustomerReferences []fxReference `json:"customerReferences,omitempty"`
}

type fxMoney struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

type fxCommodity struct {
	Description          string   `json:"description"`
	Quantity             int64    `json:"quantity"`
	QuantityUnits        string   `json:"quantityUnits"`
	Weight               fxWeight `json:"weight"`
	UnitPrice            fxMoney  `json:"unitPrice"`
	CustomsValue         fxMoney  `json:"customsValue"`
	HarmonizedCode       string   `json:"harmonizedCode"`
	CountryOfManufacture string   `json:"countryOfManufacture"`
	NumberOfPieces       int64    `json:"numberOfPieces"`
}

type fxCustoms struct {
	DutiesPayment struct {
		PaymentType string `json:"paymentType"` // SENDER (DDP) or RECIPIENT
	} `json:"dutiesPayment"`
	CommercialInvoice *struct {
		TermsOfSale string `json:"termsOfSale"`
	} `json:"commercialInvoice,omitempty"`
	TotalCustomsValue *fxMoney      `json:"totalCustomsValue,omitempty"`
	Commodities       []fxCommodity `json:"commodities"`
}

// fxShipment is the requestedShipment of both a rate and a ship request.
type fxShipment struct {
	Shipper                       fxParty            `json:"shipper"`
	Recipient                     *fxParty           `json:"recipient,omitempty"`  // the Rate API's
	Recipients                    []fxParty          `json:"recipients,omitempty"` // the Ship API's
	ShipDateStamp                 string             `json:"shipDateStamp,omitempty"`
	ShipDatestamp                 string             `json:"shipDatestamp,omitempty"` // the Ship API writes it so
	PickupType                    string             `json:"pickupType"`
	ServiceType                   string             `json:"serviceType,omitempty"`
	PackagingType                 string             `json:"packagingType"`
	RateRequestType               []string           `json:"rateRequestType,omitempty"`
	ShippingChargesPay            *fxPayment         `json:"shippingChargesPayment,omitempty"`
	LabelSpecification            *fxLabelSpec       `json:"labelSpecification,omitempty"`
	CustomsClearanceDetail        *fxCustoms         `json:"customsClearanceDetail,omitempty"`
	ShipmentSpecialServices       *fxSpecialServices `json:"shipmentSpecialServices,omitempty"`
	ShippingDocumentSpecification *fxDocumentSpec    `json:"shippingDocumentSpecification,omitempty"`
	RequestedPackageLineItems     []fxPackage        `json:"requestedPackageLineItems"`

	parcel, country string
}

// usUnits: parcels from the United States and Puerto Rico go in pounds and
// inches, the rest in kilograms and centimetres.
func usUnits(c domain.Country) bool { return c == "US" || c == "PR" }

func fxAddr(a domain.Address) fxAddress {
	lines := []string{a.Line1}
	if a.Line2 != "" {
		lines = append(lines, a.Line2)
	}
	out := fxAddress{StreetLines: lines, City: a.City, PostalCode: a.PostalCode, CountryCode: string(a.Country)}
	if len(a.Region) <= 2 { // FedEx takes state and province codes
		out.StateOrProvinceCode = a.Region
	}
	return out
}

func fxPartyOf(a domain.Address) fxParty {
	name := a.Name
	if name == "" {
		name = a.Company
	}
	return fxParty{Address: fxAddr(a), Contact: &fxContact{PersonName: name, CompanyName: a.Company, PhoneNumber: a.Phone, EmailAddress: a.Email}}
}

func (s *Seller) shipment(p domain.PackedParcel, settings domain.ShippingSettings, ref string) (fxShipment, error) {
	sh := fxShipment{parcel: fmt.Sprintf("parcel %d of %s", p.Seq, p.Number), country: string(p.ShipTo.Country),
		PickupType: "DROPOFF_AT_FEDEX_LOCATION", PackagingType: "YOUR_PACKAGING"}
	sh.Shipper = fxPartyOf(p.Warehouse.Address)
	to := fxPartyOf(p.ShipTo)
	sh.Recipients = []fxParty{to}
	d := p.Box.Dimensions
	weight := func(g domain.Grams) fxWeight {
		if usUnits(p.Warehouse.Address.Country) {
			return fxWeight{Units: "LB", Value: math.Ceil(float64(g)/453.59237*10) / 10}
		}
		return fxWeight{Units: "KG", Value: math.Ceil(float64(g)/100) / 10}
	}
	pk := fxPackage{Weight: weight(p.Weight), CustomerReferences: []fxReference{{CustomerReferenceType: "CUSTOMER_REFERENCE", Value: ref}}}
	if usUnits(p.Warehouse.Address.Country) {
		in := func(mm domain.Millimetres) int64 { return int64(math.Ceil(float64(mm) / 25.4)) }
		pk.Dimensions = fxDimensions{Length: in(d.Length), Width: in(d.Width), Height: in(d.Height), Units: "IN"}
	} else {
		cm := func(mm domain.Millimetres) int64 { return int64(math.Ceil(float64(mm) / 10)) }
		pk.Dimensions = fxDimensions{Length: cm(d.Length), Width: cm(d.Width), Height: cm(d.Height), Units: "CM"}
	}
	sh.RequestedPackageLineItems = []fxPackage{pk}
	value, customs, err := p.Declared()
	if err != nil || !customs {
		return sh, err
	}
	if settings.EORI != "" {
		sh.Shipper.TINs = []fxTIN{{Number: settings.EORI, TINType: "BUSINESS_UNION"}}
	}
	c := &fxCustoms{TotalCustomsValue: &fxMoney{Amount: json.Number(value.Decimal()), Currency: string(value.Currency)}}
	c.DutiesPayment.PaymentType = "RECIPIENT"
	if strings.EqualFold(settings.Incoterm, "DDP") {
		c.DutiesPayment.PaymentType = "SENDER"
	}
	terms := settings.Incoterm
	if terms == "" {
		terms = "DAP"
	}
	c.CommercialInvoice = &struct {
		TermsOfSale string `json:"termsOfSale"`
	}{terms}
	for _, l := range p.Lines {
		desc := l.Description
		if desc == "" {
			desc = l.Name
		}
		line, err := l.UnitPrice.Mul(l.Qty)
		if err != nil {
			return sh, err
		}
		c.Commodities = append(c.Commodities, fxCommodity{Description: track.Truncate(desc, 450), Quantity: int64(l.Qty), QuantityUnits: "PCS",
			NumberOfPieces: int64(l.Qty), Weight: weight(max(l.UnitWeight*domain.Grams(l.Qty), 100)),
			UnitPrice:      fxMoney{Amount: json.Number(l.UnitPrice.Decimal()), Currency: string(l.UnitPrice.Currency)},
			CustomsValue:   fxMoney{Amount: json.Number(line.Decimal()), Currency: string(line.Currency)},
			HarmonizedCode: strings.NewReplacer(".", "", " ", "").Replace(l.HSCode), CountryOfManufacture: string(l.Origin)})
	}
	sh.CustomsClearanceDetail = c
	return sh, nil
}

type ratedDetail struct {
	RateType       string      `json:"rateType"`
	TotalNetCharge json.Number `json:"totalNetCharge"`
	Currency       string      `json:"currency"`
}

type rateReply struct {
	ServiceType         string        `json:"serviceType"`
	ServiceName         string        `json:"serviceName"`
	RatedShipmentDetail []ratedDetail `json:"ratedShipmentDetails"`
	Commit              *struct {
		DateDetail struct {
			DayCxsFormat string `json:"dayCxsFormat"`
		} `json:"dateDetail"`
	} `json:"commit"`
	OperationalDetail *struct {
		TransitTime                     string `json:"transitTime"`
		IneligibleForMoneyBackGuarantee bool   `json:"ineligibleForMoneyBackGuarantee"`
	} `json:"operationalDetail"`
}

// transitDays reads FedEx's transit time words ("THREE_DAYS").
var transitDays = map[string]int{"ONE_DAY": 1, "TWO_DAYS": 2, "THREE_DAYS": 3, "FOUR_DAYS": 4, "FIVE_DAYS": 5, "SIX_DAYS": 6,
	"SEVEN_DAYS": 7, "EIGHT_DAYS": 8, "NINE_DAYS": 9, "TEN_DAYS": 10, "ELEVEN_DAYS": 11, "TWELVE_DAYS": 12, "THIRTEEN_DAYS": 13,
	"FOURTEEN_DAYS": 14, "FIFTEEN_DAYS": 15, "SIXTEEN_DAYS": 16, "SEVENTEEN_DAYS": 17, "EIGHTEEN_DAYS": 18, "NINETEEN_DAYS": 19,
	"TWENTY_DAYS": 20}

// Quote asks FedEx for every service's rate and transit time. The shipment
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
	rate.Shipper = fxParty{Address: sh.Shipper.Address}
	rate.Recipient, rate.Recipients = &fxParty{Address: sh.Recipients[0].Address}, nil
	rate.ShipDateStamp = s.Now().UTC().Format(time.DateOnly)
	rate.RateRequestType = []string{"ACCOUNT", "LIST"}
	rate.RequestedPackageLineItems = []fxPackage{{Weight: sh.RequestedPackageLineItems[0].Weight, Dimensions: sh.RequestedPackageLineItems[0].Dimensions}}
	body := map[string]any{"accountNumber": map[string]string{"value": s.Account}, "requestedShipment": rate,
		"rateRequestControlParameters": map[string]bool{"returnTransitTimes": true}}
	resp, err := s.send(ctx, s.API, http.MethodPost, "/rate/v1/rates/quotes", body)
	if err != nil {
		return nil, nil, err
	}
	var r struct {
		Output struct {
			RateReplyDetails []rateReply `json:"rateReplyDetails"`
			Alerts           []struct {
				Message string `json:"message"`
			} `json:"alerts"`
		} `json:"output"`
	}
	if err := decode(resp, &r, "the rates for "+sh.parcel); err != nil {
		return nil, nil, err
	}
	var quotes []domain.RateQuote
	var problems []domain.RateProblem
	for _, a := range r.Output.Alerts {
		problems = append(problems, domain.RateProblem{Carrier: "FedEx", Message: a.Message})
	}
	for _, rr := range r.Output.RateReplyDetails {
		q, err := quote(rr, sh.country)
		if err != nil {
			problems = append(problems, domain.RateProblem{Carrier: "FedEx", Message: err.Error()})
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

// quote reads a service's rate: the account's (ACCOUNT), else the list price.
func quote(rr rateReply, country string) (domain.RateQuote, error) {
	name := strings.TrimSpace(strings.TrimPrefix(rr.ServiceName, "FedEx "))
	if name == "" {
		name = rr.ServiceType
	}
	var pick *ratedDetail
	for i, d := range rr.RatedShipmentDetail {
		if d.Currency == "" || d.TotalNetCharge == "" {
			continue
		}
		if pick == nil || d.RateType == "ACCOUNT" && pick.RateType != "ACCOUNT" {
			pick = &rr.RatedShipmentDetail[i]
		}
	}
	if pick == nil {
		return domain.RateQuote{}, fmt.Errorf("%s: FedEx gave no price", name)
	}
	cur, err := domain.ParseCurrency(pick.Currency)
	if err != nil {
		return domain.RateQuote{}, fmt.Errorf("%s: FedEx priced it in %q", name, pick.Currency)
	}
	price, err := domain.ParseMoneyRounded(pick.TotalNetCharge.String(), cur)
	if err != nil {
		return domain.RateQuote{}, fmt.Errorf("%s: FedEx's price %q is not an amount", name, pick.TotalNetCharge)
	}
	q := domain.RateQuote{Carrier: "FedEx", Service: name, Price: price, RateRef: rr.ServiceType}
	if od := rr.OperationalDetail; od != nil {
		q.TransitDays = transitDays[od.TransitTime]
		// A committed delivery FedEx backs with its money-back guarantee.
		q.Guaranteed = rr.Commit != nil && rr.Commit.DateDetail.DayCxsFormat != "" && !od.IneligibleForMoneyBackGuarantee
	}
	if rr.Commit != nil && rr.Commit.DateDetail.DayCxsFormat != "" {
		loc := track.CountryZone(country)
		if loc == nil {
			loc = time.UTC
		}
		if t, ok := track.WallClock(rr.Commit.DateDetail.DayCxsFormat, loc); ok {
			q.DeliveryBy = t
		}
	}
	return q, nil
}

// Buy ships the quoted shipment with the quote's service: FedEx answers
// with the tracking number and the label. It is sent once: when no answer
// comes, the error wraps domain.ErrPurchaseUncertain.
func (s *Seller) Buy(ctx context.Context, q domain.RateQuote) (domain.Label, error) {
	sh, ok := s.quoted.Get(q.ShipmentRef)
	if !ok {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "the FedEx quote %s was made by another run; ask for rates again", q.ShipmentRef)
	}
	if strings.TrimSpace(sh.Recipients[0].Contact.PhoneNumber) == "" {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "FedEx needs the recipient's phone number for %s; add it to the order's address", sh.parcel)
	}
	if strings.TrimSpace(sh.Shipper.Contact.PhoneNumber) == "" {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "FedEx needs the warehouse's phone number; add it to the warehouse's address")
	}
	ship := sh
	ship.ServiceType = q.RateRef
	ship.ShipDatestamp = s.Now().UTC().Format(time.DateOnly)
	ship.ShippingChargesPay = &fxPayment{PaymentType: "SENDER"}
	ship.LabelSpecification = &fxLabelSpec{ImageType: s.Image, LabelStockType: "STOCK_4X6"}
	if sh.CustomsClearanceDetail != nil && s.paperless {
		// Electronic Trade Documents: FedEx makes the commercial invoice
		// from the commodities and sends it to customs itself.
		ship.ShipmentSpecialServices = &fxSpecialServices{SpecialServiceTypes: []string{"ELECTRONIC_TRADE_DOCUMENTS"}}
		ship.ShipmentSpecialServices.ETDDetail.RequestedDocumentTypes = []string{"COMMERCIAL_INVOICE"}
		ship.ShippingDocumentSpecification = &fxDocumentSpec{ShippingDocumentTypes: []string{"COMMERCIAL_INVOICE"}}
		ship.ShippingDocumentSpecification.CommercialInvoiceDetail.DocumentFormat.DocType = "PDF"
		ship.ShippingDocumentSpecification.CommercialInvoiceDetail.DocumentFormat.StockType = "PAPER_LETTER"
	}
	body := map[string]any{"labelResponseOptions": "LABEL", "accountNumber": map[string]string{"value": s.Account}, "requestedShipment": ship}
	resp, err := s.send(ctx, s.Once, http.MethodPost, "/ship/v1/shipments", body)
	if err != nil {
		return domain.Label{}, track.PurchaseFailed(ctx, err, "FedEx "+q.Service+", reference "+q.ShipmentRef)
	}
	var r struct {
		Output struct {
			TransactionShipments []struct {
				MasterTrackingNumber string `json:"masterTrackingNumber"`
				PieceResponses       []struct {
					TrackingNumber   string      `json:"trackingNumber"`
					NetChargeAmount  json.Number `json:"netChargeAmount"`
					PackageDocuments []struct {
						ContentType  string `json:"contentType"`
						DocType      string `json:"docType"`
						EncodedLabel string `json:"encodedLabel"`
					} `json:"packageDocuments"`
				} `json:"pieceResponses"`
				CompletedShipmentDetail struct {
					ShipmentRating struct {
						ShipmentRateDetails []ratedDetail `json:"shipmentRateDetails"`
					} `json:"shipmentRating"`
				} `json:"completedShipmentDetail"`
			} `json:"transactionShipments"`
		} `json:"output"`
	}
	if err := decode(resp, &r, "the shipment of "+sh.parcel); err != nil {
		return domain.Label{}, err
	}
	s.quoted.Spend(q.ShipmentRef)
	l := domain.Label{ShipmentRef: q.ShipmentRef, Carrier: "FedEx", Service: q.Service, Cost: q.Price}
	if len(r.Output.TransactionShipments) == 0 || len(r.Output.TransactionShipments[0].PieceResponses) == 0 {
		return l, domain.Errorf(domain.EINVALID, "FedEx answered the shipment of %s without a tracking number", sh.parcel)
	}
	ts := r.Output.TransactionShipments[0]
	piece := ts.PieceResponses[0]
	l.Tracking = piece.TrackingNumber
	if l.Tracking == "" {
		l.Tracking = ts.MasterTrackingNumber
	}
	for _, d := range ts.CompletedShipmentDetail.ShipmentRating.ShipmentRateDetails {
		if d.Currency == string(q.Price.Currency) {
			if cost, err := domain.ParseMoneyRounded(d.TotalNetCharge.String(), q.Price.Currency); err == nil && cost.Amount > 0 {
				l.Cost = cost
				break
			}
		}
	}
	for _, d := range piece.PackageDocuments {
		if d.EncodedLabel == "" || (d.ContentType != "" && d.ContentType != "LABEL") {
			continue
		}
		file, err := base64.StdEncoding.DecodeString(d.EncodedLabel)
		if err != nil {
			return l, domain.Errorf(domain.EINVALID, "FedEx sold %s, but its label is not base64: %v", l.Tracking, err)
		}
		l.File, l.Format = file, strings.TrimSuffix(strings.ToUpper(d.DocType), "II") // ZPLII is ZPL
		break
	}
	return l, nil
}

// Bought asks FedEx whether a shipment was made under the reference (the
// answer to a purchase whose reply was lost), over the last week.
func (s *Seller) Bought(ctx context.Context, ref string) (domain.Label, bool, error) {
	now := s.Now().UTC()
	body := map[string]any{"includeDetailedScans": false, "referencesInformation": map[string]string{"type": "CUSTOMER_REFERENCE", "value": ref,
		"accountNumber": s.Account, "shipDateBegin": now.AddDate(0, 0, -7).Format(time.DateOnly), "shipDateEndDate": now.AddDate(0, 0, 1).Format(time.DateOnly)}}
	resp, err := s.send(ctx, s.API, http.MethodPost, "/track/v1/referencenumbers", body)
	if err != nil {
		return domain.Label{}, false, err
	}
	if resp.StatusCode() == http.StatusNotFound {
		return domain.Label{}, false, nil
	}
	var r struct {
		Output struct {
			CompleteTrackResults []struct {
				TrackResults []result `json:"trackResults"`
			} `json:"completeTrackResults"`
		} `json:"output"`
	}
	if err := decode(resp, &r, "the look-up of reference "+ref); err != nil {
		return domain.Label{}, false, err
	}
	for _, c := range r.Output.CompleteTrackResults {
		for _, t := range c.TrackResults {
			if n := t.TrackingNumberInfo.TrackingNumber; n != "" && t.Error == nil {
				return domain.Label{ShipmentRef: ref, Carrier: "FedEx", Tracking: n}, true, nil
			}
		}
	}
	return domain.Label{}, false, nil
}

// Void cancels the label's shipment with FedEx by its tracking number;
// FedEx says whether it was cancelled.
func (s *Seller) Void(ctx context.Context, l domain.Label) (domain.Label, error) {
	body := map[string]any{"accountNumber": map[string]string{"value": s.Account}, "trackingNumber": l.Tracking, "deletionControl": "DELETE_ALL_PACKAGES"}
	resp, err := s.send(ctx, s.API, http.MethodPut, "/ship/v1/shipments/cancel", body)
	if err != nil {
		return l, err
	}
	var r struct {
		Output struct {
			CancelledShipment bool   `json:"cancelledShipment"`
			Message           string `json:"message"`
		} `json:"output"`
	}
	if err := decode(resp, &r, "the cancel of "+l.Tracking); err != nil {
		return l, err
	}
	if !r.Output.CancelledShipment {
		l.Refund = "rejected"
		return l, nil
	}
	l.Refund = "cancelled"
	return l, nil
}

// LabelFile is the label FedEx sent with the shipment; one found by its
// reference has none to fetch again.
func (s *Seller) LabelFile(ctx context.Context, l domain.Label) ([]byte, error) {
	if len(l.File) > 0 {
		return l.File, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "FedEx sends a label only in its answer to the purchase; print %s from FedEx Ship Manager", l.Tracking)
}
