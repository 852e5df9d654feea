package easypost

// EasyPost as a shipping account (issue 17's first carrier): a shipment is
// created with the parcel, its addresses and, across a customs border, its
// customs declaration — EasyPost answers with a rate from every carrier the
// account connects; buying one of its rates buys the shipment's label.
// Shapes: EasyPost/examples, official/docs/curl/current/shipments/
// (create.sh, buy.sh, retrieve.sh), shipping-refund/refund.sh,
// tax-identifiers/create.sh, and the responses beside them
// (official/docs/responses/shipments/shipments-{create,buy}.json,
// shipping-refund/shipping-refund-refund.json).

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Seller is an EasyPost account that quotes parcels and sells labels.
type Seller struct {
	rc *rest.Client // quotes, look-ups and voids: retried like every call
	// buy is tried once: an answer lost after EasyPost sold the label must
	// not be sent again blindly (Bought tells what happened).
	buy *rest.Client
	key string
	zpl bool // labels in ZPL, for a thermal printer
}

// NewSeller makes a shipping client for the account.
func NewSeller(a domain.CarrierAccount) (*Seller, error) {
	rc, buy, err := track.SellerREST(a)
	if err != nil {
		return nil, err
	}
	return &Seller{rc: rc, buy: buy, key: a.Key, zpl: a.ZPL}, nil
}

var _ domain.LabelSeller = (*Seller)(nil)

type epAddress struct {
	Name    string `json:"name,omitempty"`
	Company string `json:"company,omitempty"`
	Street1 string `json:"street1"`
	Street2 string `json:"street2,omitempty"`
	City    string `json:"city"`
	State   string `json:"state,omitempty"`
	Zip     string `json:"zip"`
	Country string `json:"country"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
}

func address(a domain.Address) epAddress {
	return epAddress{Name: a.Name, Company: a.Company, Street1: a.Line1, Street2: a.Line2, City: a.City, State: a.Region,
		Zip: a.PostalCode, Country: string(a.Country), Phone: a.Phone, Email: a.Email}
}

type epRate struct {
	ID                     string  `json:"id"`
	Service                string  `json:"service"`
	Carrier                string  `json:"carrier"`
	Rate                   string  `json:"rate"`
	Currency               string  `json:"currency"`
	DeliveryDays           *int    `json:"delivery_days"`
	EstDeliveryDays        *int    `json:"est_delivery_days"`
	DeliveryDate           *string `json:"delivery_date"`
	DeliveryDateGuaranteed bool    `json:"delivery_date_guaranteed"`
	ShipmentID             string  `json:"shipment_id"`
}

type epShipment struct {
	ID           string    `json:"id"`
	Object       string    `json:"object"`
	TrackingCode *string   `json:"tracking_code"`
	Rates        []epRate  `json:"rates"`
	SelectedRate *epRate   `json:"selected_rate"`
	RefundStatus *string   `json:"refund_status"`
	Messages     []message `json:"messages"`
	PostageLabel *struct {
		LabelURL      string  `json:"label_url"`
		LabelFileType string  `json:"label_file_type"`
		LabelPDFURL   *string `json:"label_pdf_url"`
		LabelZPLURL   *string `json:"label_zpl_url"`
	} `json:"postage_label"`
}

// message is a carrier's note on a shipment: a rate it could not give.
type message struct {
	Carrier string          `json:"carrier"`
	Message json.RawMessage `json:"message"` // a string, or an object for some carriers
	Type    string          `json:"type"`
}

// Inches and ounces are what EasyPost's parcel takes.
func inches(mm domain.Millimetres) float64 { return math.Ceil(float64(mm)/25.4*10) / 10 }
func ounces(g domain.Grams) float64        { return math.Ceil(float64(g)/28.349523125*10) / 10 }

// Quote creates the parcel's shipment at EasyPost and returns its rates,
// in EasyPost's order, and the carriers' reasons for the services they did
// not quote. reference is Portolan's own (the parcel's) and is kept on the
// shipment.
func (s *Seller) Quote(ctx context.Context, p domain.PackedParcel, settings domain.ShippingSettings, reference string) ([]domain.RateQuote, []domain.RateProblem, error) {
	if err := domain.CheckQuotable(p); err != nil {
		return nil, nil, err
	}
	d := p.Box.Dimensions
	shipment := map[string]any{
		"reference":    reference,
		"to_address":   address(p.ShipTo),
		"from_address": address(p.Warehouse.Address),
		"parcel": map[string]float64{"length": inches(d.Length), "width": inches(d.Width), "height": inches(d.Height),
			"weight": ounces(p.Weight)},
	}
	if s.zpl {
		// The label is made in ZPL for a thermal printer (label_zpl_url).
		shipment["options"] = map[string]string{"label_format": "ZPL"}
	}
	if p.NeedsCustoms() {
		customs, err := customsInfo(p)
		if err != nil {
			return nil, nil, err
		}
		shipment["customs_info"] = customs
		var ids []map[string]string
		from := string(p.Warehouse.Address.Country)
		for _, id := range []struct{ kind, value string }{{"EORI", settings.EORI}, {"IOSS", settings.IOSS}} {
			if id.value != "" {
				ids = append(ids, map[string]string{"entity": "SENDER", "tax_id": id.value, "tax_id_type": id.kind, "issuing_country": from})
			}
		}
		if ids != nil {
			shipment["tax_identifiers"] = ids
		}
	}
	resp, err := s.rc.PostJSON(ctx, "/v2/shipments", map[string]any{"shipment": shipment}, s.auth)
	if err != nil {
		return nil, nil, err
	}
	sh, err := s.shipment(resp.StatusCode(), resp.Body(), "the rates for parcel "+strconv.Itoa(p.Seq)+" of "+p.Number)
	if err != nil {
		return nil, nil, err
	}
	var quotes []domain.RateQuote
	for _, r := range sh.Rates {
		q, err := quote(r, sh.ID)
		if err != nil {
			return nil, nil, err
		}
		quotes = append(quotes, q)
	}
	var problems []domain.RateProblem
	for _, m := range sh.Messages {
		problems = append(problems, domain.RateProblem{Carrier: m.Carrier, Message: messageText(m.Message)})
	}
	return quotes, problems, nil
}

func messageText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// customsInfo is the parcel's customs declaration: a line per product
// with its HS code, origin, quantity, value and weight.
func customsInfo(p domain.PackedParcel) (map[string]any, error) {
	if err := domain.CheckDeclarable(p); err != nil {
		return nil, err
	}
	var items []map[string]any
	for _, l := range p.Lines {
		value, err := l.UnitPrice.Mul(l.Qty)
		if err != nil {
			return nil, err
		}
		desc := l.Description
		if desc == "" {
			desc = l.Name
		}
		items = append(items, map[string]any{"description": desc, "quantity": int64(l.Qty), "value": value.Decimal(),
			"currency": string(value.Currency), "weight": ounces(l.UnitWeight * domain.Grams(l.Qty)),
			"hs_tariff_number": strings.NewReplacer(".", "", " ", "").Replace(l.HSCode), "origin_country": string(l.Origin), "code": l.SKU})
	}
	signer := p.Warehouse.Address.Name
	if signer == "" {
		signer = p.Warehouse.Address.Company
	}
	return map[string]any{"contents_type": "merchandise", "customs_certify": true, "customs_signer": signer,
		"non_delivery_option": "return", "restriction_type": "none", "customs_items": items}, nil
}

func quote(r epRate, shipmentID string) (domain.RateQuote, error) {
	cur, err := domain.ParseCurrency(r.Currency)
	if err != nil {
		return domain.RateQuote{}, domain.Errorf(domain.EINVALID, "EasyPost quoted %s %s in %q, not a currency: %v", r.Carrier, r.Service, r.Currency, err)
	}
	price, err := domain.ParseMoneyRounded(r.Rate, cur)
	if err != nil {
		return domain.RateQuote{}, domain.Errorf(domain.EINVALID, "EasyPost quoted %s %s at %q, not an amount: %v", r.Carrier, r.Service, r.Rate, err)
	}
	q := domain.RateQuote{Carrier: r.Carrier, Service: r.Service, Price: price, Guaranteed: r.DeliveryDateGuaranteed,
		ShipmentRef: shipmentID, RateRef: r.ID}
	switch {
	case r.DeliveryDays != nil:
		q.TransitDays = *r.DeliveryDays
	case r.EstDeliveryDays != nil:
		q.TransitDays = *r.EstDeliveryDays
	}
	if r.DeliveryDate != nil {
		q.DeliveryBy = track.ParseTime(*r.DeliveryDate)
	}
	if q.ShipmentRef == "" {
		q.ShipmentRef = r.ShipmentID
	}
	return q, nil
}

// Buy buys the quote's label. It is sent once: when no answer comes, the
// error wraps domain.ErrPurchaseUncertain and Bought must be asked before
// anything else is bought for the parcel (EasyPost refuses to buy a
// shipment twice, but a new quote is a new shipment).
func (s *Seller) Buy(ctx context.Context, q domain.RateQuote) (domain.Label, error) {
	resp, err := s.buy.PostJSON(ctx, "/v2/shipments/"+url.PathEscape(q.ShipmentRef)+"/buy", map[string]any{"rate": map[string]string{"id": q.RateRef}}, s.auth)
	if err != nil {
		return domain.Label{}, track.PurchaseFailed(ctx, err, q.Carrier+" "+q.Service+", shipment "+q.ShipmentRef)
	}
	sh, err := s.shipment(resp.StatusCode(), resp.Body(), "the purchase of "+q.Carrier+" "+q.Service)
	if err != nil {
		return domain.Label{}, err
	}
	l, bought, err := label(sh)
	if err == nil && !bought {
		err = domain.Errorf(domain.EINVALID, "EasyPost answered the purchase of %s %s without a label or tracking number", q.Carrier, q.Service)
	}
	return l, err
}

// Bought asks EasyPost whether the shipment's label was bought, and
// returns it if so: the answer to a purchase whose reply was lost.
func (s *Seller) Bought(ctx context.Context, shipmentRef string) (domain.Label, bool, error) {
	resp, err := s.rc.Get(ctx, "/v2/shipments/"+url.PathEscape(shipmentRef), nil, s.auth)
	if err != nil {
		return domain.Label{}, false, err
	}
	sh, err := s.shipment(resp.StatusCode(), resp.Body(), "shipment "+shipmentRef)
	if err != nil {
		return domain.Label{}, false, err
	}
	return label(sh)
}

// Void asks EasyPost to refund the shipment's label; the label's Refund
// says what the carrier answered ("submitted" until it decides).
func (s *Seller) Void(ctx context.Context, bought domain.Label) (domain.Label, error) {
	shipmentRef := bought.ShipmentRef
	resp, err := s.rc.PostJSON(ctx, "/v2/shipments/"+url.PathEscape(shipmentRef)+"/refund", map[string]any{}, s.auth)
	if err != nil {
		return domain.Label{}, err
	}
	sh, err := s.shipment(resp.StatusCode(), resp.Body(), "the void of shipment "+shipmentRef)
	if err != nil {
		return domain.Label{}, err
	}
	l, _, err := label(sh)
	if err == nil && l.Refund == "" {
		err = domain.Errorf(domain.EINVALID, "EasyPost answered the void of shipment %s without a refund status", shipmentRef)
	}
	return l, err
}

func (s *Seller) auth(r *resty.Request) { r.SetBasicAuth(s.key, "") }

// shipment reads a Shipment, or EasyPost's error in its own words.
func (s *Seller) shipment(status int, body []byte, what string) (epShipment, error) {
	if status >= 300 {
		var e errorBody
		_ = json.Unmarshal(body, &e)
		return epShipment{}, track.Refused("EasyPost", what, status, e.Error.Message, fieldErrors(e.Error.Errors))
	}
	var sh epShipment
	if err := json.Unmarshal(body, &sh); err != nil || sh.ID == "" {
		return epShipment{}, domain.Errorf(domain.EINVALID, "EasyPost's answer to %s is not the shipment its API documents", what)
	}
	return sh, nil
}

// fieldErrors lists the inner errors, which are objects or plain strings.
func fieldErrors(raw json.RawMessage) string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return ""
	}
	var out []string
	for _, item := range list {
		var f struct{ Field, Message string }
		var text string
		switch {
		case json.Unmarshal(item, &text) == nil:
			out = append(out, text)
		case json.Unmarshal(item, &f) == nil && f.Message != "":
			out = append(out, strings.TrimSpace(f.Field+" "+f.Message))
		}
	}
	return strings.Join(out, "; ")
}

// label is the shipment's label, and whether it was bought.
func label(sh epShipment) (domain.Label, bool, error) {
	l := domain.Label{ShipmentRef: sh.ID}
	if sh.RefundStatus != nil {
		l.Refund = *sh.RefundStatus
	}
	if sh.TrackingCode == nil || *sh.TrackingCode == "" || sh.SelectedRate == nil || sh.PostageLabel == nil {
		return l, false, nil
	}
	q, err := quote(*sh.SelectedRate, sh.ID)
	if err != nil {
		return l, true, err
	}
	l.Carrier, l.Service, l.Tracking, l.Cost = q.Carrier, q.Service, *sh.TrackingCode, q.Price
	pl := sh.PostageLabel
	l.URL, l.Format = pl.LabelURL, strings.ToUpper(strings.TrimPrefix(pl.LabelFileType, "image/"))
	switch {
	case pl.LabelZPLURL != nil && *pl.LabelZPLURL != "":
		l.URL, l.Format = *pl.LabelZPLURL, "ZPL"
	case pl.LabelPDFURL != nil && *pl.LabelPDFURL != "":
		l.URL, l.Format = *pl.LabelPDFURL, "PDF"
	}
	if strings.Contains(l.Format, "PDF") {
		l.Format = "PDF"
	}
	return l, true, nil
}

// LabelFile fetches the label's file from EasyPost's file host.
func (s *Seller) LabelFile(ctx context.Context, l domain.Label) ([]byte, error) {
	if l.URL == "" {
		return nil, domain.Errorf(domain.EINVALID, "EasyPost gave label %s no address", l.Tracking)
	}
	return rest.FetchFile(ctx, l.URL)
}
