package usps

// USPS as a shipping account (issue 17), for parcels from the United
// States to US addresses: the prices of Ground Advantage, Priority Mail and
// Priority Mail Express (Domestic Prices API v3, POST
// /prices/v3/total-rates/search), the label of one (Domestic Labels API
// v3, POST /labels/v3/label) paid with a payment authorization token
// (Payments API v3, POST /payments/v3/payment-authorization: the account's
// EPS account pays, its CRID and MID own the label) and sent with an
// idempotency key made from Portolan's reference — USPS returns the label
// already made for that key instead of charging again, and a lost answer
// is asked about by that key (POST /labels/v3/label-reprint) — and the
// cancel of a label (DELETE /labels/v3/label/{number}). Shapes: USPS's own
// OpenAPI documents (domestic-labels 3.9.13, domestic-prices 3.4.30,
// payments 3.1.20), as kept in karrioapi/karrio at
// modules/connectors/usps/vendor/.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/internal/track"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Seller is a USPS account that prices domestic parcels and buys labels.
type Seller struct {
	// Account is the EPS account labels are paid from; Image PNG, or
	// ZPL203DPI for a thermal printer.
	track.OAuthSeller
	crid, mid    string
	mu           sync.Mutex
	payment      string                     // the payment authorization token…
	paymentUntil time.Time                  // …and until when it is used (USPS: eight hours)
	quoted       track.Quoted[labelRequest] // by reference and mail class
}

// NewSeller makes a shipping client for the account; now is Portolan's clock.
func NewSeller(a domain.CarrierAccount, now func() time.Time) (*Seller, error) {
	if strings.TrimSpace(a.Number) == "" || strings.TrimSpace(a.CRID) == "" || strings.TrimSpace(a.MID) == "" {
		return nil, domain.Errorf(domain.EINVALID, "USPS labels are paid from an EPS account and owned by a CRID and MID: add them to the account %q", a.Name)
	}
	c, err := New(a)
	if err != nil {
		return nil, err
	}
	base, err := track.NewOAuthSeller(a, c.token, now, "PNG", "ZPL203DPI")
	if err != nil {
		return nil, err
	}
	return &Seller{OAuthSeller: base, crid: a.CRID, mid: a.MID}, nil
}

var _ domain.LabelSeller = (*Seller)(nil)

func (s *Seller) post(ctx context.Context, rc *rest.Client, path string, body any, headers map[string]string) (*resty.Response, error) {
	return s.Token.Do(ctx, func(tok string) (*resty.Response, error) {
		return rc.PostJSON(ctx, path, body, func(r *resty.Request) { r.SetAuthToken(tok).SetHeaders(headers) })
	})
}

// refused is USPS's refusal in its own words ({"error":{"code","message","errors":[{"detail"}]}}).
func refused(resp *resty.Response, what string) error {
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Errors  []struct {
				Title  string `json:"title"`
				Detail string `json:"detail"`
			} `json:"errors"`
		} `json:"error"`
	}
	_ = json.Unmarshal(resp.Body(), &e)
	var details []string
	for _, x := range e.Error.Errors {
		details = append(details, x.Detail)
	}
	return track.Refused("USPS", what, resp.StatusCode(), e.Error.Message, details...)
}

type rateOption struct {
	TotalPrice json.Number `json:"totalPrice"`
	Rates      []struct {
		MailClass          string `json:"mailClass"`
		Description        string `json:"description"`
		RateIndicator      string `json:"rateIndicator"`
		ProcessingCategory string `json:"processingCategory"`
		Zone               string `json:"zone"`
	} `json:"rates"`
}

// mailClasses are the services quoted, with the names USPS gives them.
var mailClasses = []struct{ class, name string }{
	{"USPS_GROUND_ADVANTAGE", "Ground Advantage"}, {"PRIORITY_MAIL", "Priority Mail"}, {"PRIORITY_MAIL_EXPRESS", "Priority Mail Express"},
}

// domestic: USPS's domestic APIs serve the US and its territories.
func domestic(c domain.Country) bool {
	switch c {
	case "US", "PR", "VI", "GU", "AS", "MP", "UM":
		return true
	}
	return false
}

type address struct {
	FirstName        string `json:"firstName,omitempty"`
	LastName         string `json:"lastName,omitempty"`
	Firm             string `json:"firm,omitempty"`
	StreetAddress    string `json:"streetAddress"`
	SecondaryAddress string `json:"secondaryAddress,omitempty"`
	City             string `json:"city"`
	State            string `json:"state"`
	ZIPCode          string `json:"ZIPCode"`
	Phone            string `json:"phone,omitempty"`
	Email            string `json:"email,omitempty"`
}

func uspsAddress(a domain.Address) address {
	first, last := a.Name, ""
	if i := strings.LastIndex(strings.TrimSpace(a.Name), " "); i > 0 {
		first, last = strings.TrimSpace(a.Name[:i]), strings.TrimSpace(a.Name[i+1:])
	}
	zip := a.PostalCode
	if len(zip) > 5 && zip[5] == '-' {
		zip = zip[:5]
	}
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, a.Phone)
	if len(digits) == 11 && digits[0] == '1' {
		digits = digits[1:]
	}
	return address{FirstName: first, LastName: last, Firm: a.Company, StreetAddress: a.Line1, SecondaryAddress: a.Line2, City: a.City,
		State: a.Region, ZIPCode: zip, Phone: digits, Email: a.Email}
}

type packageDescription struct {
	MailClass                    string   `json:"mailClass"`
	RateIndicator                string   `json:"rateIndicator"`
	WeightUOM                    string   `json:"weightUOM"`
	Weight                       float64  `json:"weight"`
	DimensionsUOM                string   `json:"dimensionsUOM"`
	Length                       float64  `json:"length"`
	Height                       float64  `json:"height"`
	Width                        float64  `json:"width"`
	ProcessingCategory           string   `json:"processingCategory"`
	MailingDate                  string   `json:"mailingDate"`
	ExtraServices                []string `json:"extraServices"`
	DestinationEntryFacilityType string   `json:"destinationEntryFacilityType"`
	CustomerReference            []struct {
		ReferenceNumber string `json:"referenceNumber"`
	} `json:"customerReference,omitempty"`
}

// labelRequest is POST /labels/v3/label's body.
type labelRequest struct {
	ImageInfo struct {
		ImageType     string `json:"imageType"`
		LabelType     string `json:"labelType"`
		ReceiptOption string `json:"receiptOption"`
	} `json:"imageInfo"`
	ToAddress          address            `json:"toAddress"`
	FromAddress        address            `json:"fromAddress"`
	PackageDescription packageDescription `json:"packageDescription"`

	parcel string
}

func inches(mm domain.Millimetres) float64 { return math.Ceil(float64(mm)/25.4*10) / 10 }
func pounds(g domain.Grams) float64        { return math.Ceil(float64(g)/453.59237*100) / 100 }

// Quote prices the parcel with each USPS mail class, for the account's EPS
// rates. USPS's domestic APIs serve parcels from the US to US addresses.
func (s *Seller) Quote(ctx context.Context, p domain.PackedParcel, settings domain.ShippingSettings, reference string) ([]domain.RateQuote, []domain.RateProblem, error) {
	if err := domain.CheckQuotable(p); err != nil {
		return nil, nil, err
	}
	if !domestic(p.Warehouse.Address.Country) {
		return nil, []domain.RateProblem{{Carrier: "USPS", Message: "USPS carries parcels from the United States only"}}, nil
	}
	if !domestic(p.ShipTo.Country) {
		return nil, []domain.RateProblem{{Carrier: "USPS", Message: "USPS labels abroad are not bought through USPS's own API here: " +
			"an EasyPost account quotes USPS's international services"}}, nil
	}
	ref := track.Reference(reference, s.Now())
	d := p.Box.Dimensions
	mailing := s.Now().UTC().Format(time.DateOnly)
	var quotes []domain.RateQuote
	var problems []domain.RateProblem
	best := map[string]labelRequest{}
	for _, mc := range mailClasses {
		body := map[string]any{"originZIPCode": uspsAddress(p.Warehouse.Address).ZIPCode, "destinationZIPCode": uspsAddress(p.ShipTo).ZIPCode,
			"weight": pounds(p.Weight), "length": inches(d.Length), "width": inches(d.Width), "height": inches(d.Height),
			"mailClass": mc.class, "priceType": "COMMERCIAL", "mailingDate": mailing, "accountType": "EPS", "accountNumber": s.Account}
		resp, err := s.post(ctx, s.API, "/prices/v3/total-rates/search", body, nil)
		if err != nil {
			return nil, nil, err
		}
		if resp.StatusCode() >= 300 {
			problems = append(problems, domain.RateProblem{Carrier: "USPS", Message: mc.name + ": " + refused(resp, "the price").Error()})
			continue
		}
		var r struct {
			RateOptions []rateOption `json:"rateOptions"`
		}
		if err := json.Unmarshal(resp.Body(), &r); err != nil || !track.HasKey(resp.Body(), "rateOptions") {
			return nil, nil, domain.Errorf(domain.EINVALID, "USPS's answer to the price of %s is not the JSON its Prices API documents", mc.name)
		}
		// The cheapest way of the class (its rate indicator and category).
		var pick *rateOption
		var pickPrice domain.Money
		for i, o := range r.RateOptions {
			price, err := domain.ParseMoneyRounded(o.TotalPrice.String(), "USD")
			if err != nil || len(o.Rates) == 0 {
				continue
			}
			if pick == nil || price.Amount < pickPrice.Amount {
				pick, pickPrice = &r.RateOptions[i], price
			}
		}
		if pick == nil {
			problems = append(problems, domain.RateProblem{Carrier: "USPS", Message: mc.name + ": USPS gave no price"})
			continue
		}
		rate := pick.Rates[0]
		lr := labelRequest{ToAddress: uspsAddress(p.ShipTo), FromAddress: uspsAddress(p.Warehouse.Address), parcel: fmt.Sprintf("parcel %d of %s", p.Seq, p.Number)}
		lr.ImageInfo.ImageType, lr.ImageInfo.LabelType, lr.ImageInfo.ReceiptOption = s.Image, "4X6LABEL", "NONE"
		lr.PackageDescription = packageDescription{MailClass: mc.class, RateIndicator: rate.RateIndicator, WeightUOM: "lb", Weight: pounds(p.Weight),
			DimensionsUOM: "in", Length: inches(d.Length), Width: inches(d.Width), Height: inches(d.Height), ProcessingCategory: rate.ProcessingCategory,
			MailingDate: mailing, ExtraServices: []string{}, DestinationEntryFacilityType: "NONE"}
		lr.PackageDescription.CustomerReference = []struct {
			ReferenceNumber string `json:"referenceNumber"`
		}{{ref}}
		best[mc.class] = lr
		// Priority Mail Express is USPS's money-back guaranteed service.
		quotes = append(quotes, domain.RateQuote{Carrier: "USPS", Service: mc.name, Price: pickPrice, RateRef: mc.class, ShipmentRef: ref,
			Guaranteed: mc.class == "PRIORITY_MAIL_EXPRESS"})
	}
	for class, lr := range best {
		s.quoted.Put(ref+"/"+class, lr)
	}
	return quotes, problems, nil
}

// idempotencyKey is the UUID a purchase is sent under, made from its
// reference: the same reference is the same key, so USPS returns the label
// it made instead of charging again, and can be asked for it.
func idempotencyKey(ref string) string {
	h := sha1.Sum([]byte("portolan/usps/" + ref))
	h[6] = h[6]&0x0f | 0x50 // version 5 (name-based)
	h[8] = h[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// paymentToken is the payment authorization the Labels API requires,
// asked for again after seven of its eight hours.
func (s *Seller) paymentToken(ctx context.Context) (string, error) {
	s.mu.Lock()
	if s.payment != "" && s.Now().Before(s.paymentUntil) {
		defer s.mu.Unlock()
		return s.payment, nil
	}
	s.mu.Unlock()
	body := map[string]any{"roles": []map[string]string{
		{"roleName": "PAYER", "CRID": s.crid, "MID": s.mid, "manifestMID": s.mid, "accountType": "EPS", "accountNumber": s.Account},
		{"roleName": "LABEL_OWNER", "CRID": s.crid, "MID": s.mid, "manifestMID": s.mid},
	}}
	resp, err := s.post(ctx, s.API, "/payments/v3/payment-authorization", body, nil)
	if err != nil {
		return "", err
	}
	if resp.StatusCode() >= 300 {
		return "", refused(resp, "the payment authorization of EPS account "+s.Account)
	}
	var r struct {
		PaymentAuthorizationToken string `json:"paymentAuthorizationToken"`
	}
	if err := json.Unmarshal(resp.Body(), &r); err != nil || r.PaymentAuthorizationToken == "" {
		return "", domain.Errorf(domain.EINVALID, "USPS's payment authorization is not the JSON its Payments API documents")
	}
	s.mu.Lock()
	s.payment, s.paymentUntil = r.PaymentAuthorizationToken, s.Now().Add(7*time.Hour)
	s.mu.Unlock()
	return r.PaymentAuthorizationToken, nil
}

// Buy buys the quoted label. It is sent once, under the quote's idempotency
// key: when no answer comes, the error wraps domain.ErrPurchaseUncertain.
func (s *Seller) Buy(ctx context.Context, q domain.RateQuote) (domain.Label, error) {
	lr, ok := s.quoted.Get(q.ShipmentRef + "/" + q.RateRef)
	if !ok {
		return domain.Label{}, domain.Errorf(domain.EINVALID, "the USPS quote %s was made by another run; ask for rates again", q.ShipmentRef)
	}
	pay, err := s.paymentToken(ctx)
	if err != nil {
		return domain.Label{}, err
	}
	headers := map[string]string{"X-Payment-Authorization-Token": pay, "X-Idempotency-Key": idempotencyKey(q.ShipmentRef), "Accept": "application/json"}
	resp, err := s.post(ctx, s.Once, "/labels/v3/label", lr, headers)
	if err != nil {
		return domain.Label{}, track.PurchaseFailed(ctx, err, "USPS "+q.Service+", reference "+q.ShipmentRef)
	}
	if resp.StatusCode() >= 300 {
		return domain.Label{}, refused(resp, "the label of "+lr.parcel)
	}
	l, err := readLabel(resp, "the label of "+lr.parcel)
	if err != nil {
		return l, err
	}
	for _, mc := range mailClasses {
		s.quoted.Spend(q.ShipmentRef + "/" + mc.class)
	}
	l.ShipmentRef, l.Carrier, l.Service = q.ShipmentRef, "USPS", q.Service
	if l.Cost.Amount == 0 {
		l.Cost = q.Price
	}
	return l, nil
}

// readLabel reads the Labels API's multipart answer: the labelMetadata part
// (JSON: the tracking number, the postage) and the labelImage part (base64).
func readLabel(resp *resty.Response, what string) (domain.Label, error) {
	var l domain.Label
	_, params, err := mime.ParseMediaType(resp.Header().Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return l, domain.Errorf(domain.EINVALID, "USPS's answer to %s is not the multipart answer its Labels API documents", what)
	}
	mr := multipart.NewReader(bytes.NewReader(resp.Body()), params["boundary"])
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return l, domain.Errorf(domain.EINVALID, "USPS's answer to %s is not readable multipart: %v", what, err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return l, err
		}
		switch part.FormName() {
		case "labelMetadata":
			var m struct {
				TrackingNumber string      `json:"trackingNumber"`
				Postage        json.Number `json:"postage"`
			}
			if err := json.Unmarshal(data, &m); err != nil {
				return l, domain.Errorf(domain.EINVALID, "USPS's label metadata for %s is not JSON: %v", what, err)
			}
			l.Tracking = m.TrackingNumber
			if cost, err := domain.ParseMoneyRounded(m.Postage.String(), "USD"); err == nil {
				l.Cost = cost
			}
		case "labelImage":
			file, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
			if err != nil {
				return l, domain.Errorf(domain.EINVALID, "USPS's label image for %s is not base64: %v", what, err)
			}
			// The part may say only application/octet-stream: the file says what it is.
			l.File, l.Format = file, domain.FileFormat(file)
		}
	}
	if l.Tracking == "" {
		return l, domain.Errorf(domain.EINVALID, "USPS answered %s without a tracking number", what)
	}
	return l, nil
}

// Bought asks USPS for the label made under the reference's idempotency key
// (the answer to a purchase whose reply was lost): a reprint of it, or
// "not found" when none was made.
func (s *Seller) Bought(ctx context.Context, ref string) (domain.Label, bool, error) {
	pay, err := s.paymentToken(ctx)
	if err != nil {
		return domain.Label{}, false, err
	}
	body := map[string]any{"imageInfo": map[string]string{"imageType": s.Image, "labelType": "4X6LABEL"}}
	resp, err := s.post(ctx, s.API, "/labels/v3/label-reprint", body,
		map[string]string{"X-Payment-Authorization-Token": pay, "X-Idempotency-Key": idempotencyKey(ref), "Accept": "application/json"})
	if err != nil {
		return domain.Label{}, false, err
	}
	if resp.StatusCode() == http.StatusNotFound {
		return domain.Label{}, false, nil
	}
	if resp.StatusCode() >= 300 {
		return domain.Label{}, false, refused(resp, "the look-up of reference "+ref)
	}
	l, err := readLabel(resp, "reference "+ref)
	if err != nil {
		return l, false, err
	}
	l.ShipmentRef, l.Carrier = ref, "USPS"
	return l, true, nil
}

// Void cancels the label with USPS: canceled outright, or a refund
// requested for one already manifested.
func (s *Seller) Void(ctx context.Context, l domain.Label) (domain.Label, error) {
	resp, err := s.Token.Do(ctx, func(tok string) (*resty.Response, error) {
		return s.API.Delete(ctx, "/labels/v3/label/"+url.PathEscape(l.Tracking), nil, func(r *resty.Request) { r.SetAuthToken(tok) })
	})
	if err != nil {
		return l, err
	}
	if resp.StatusCode() >= 300 {
		return l, refused(resp, "the cancel of "+l.Tracking)
	}
	var r struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(resp.Body(), &r); err != nil || r.Status == "" {
		return l, domain.Errorf(domain.EINVALID, "USPS's answer to the cancel of %s is not the JSON its Labels API documents", l.Tracking)
	}
	switch r.Status {
	case "CANCELED":
		l.Refund = "canceled"
	case "DISPUTED":
		l.Refund = "submitted" // manifested: a refund request was opened
	default:
		l.Refund = strings.ToLower(r.Status)
	}
	return l, nil
}

// LabelFile is the label USPS sent with the purchase.
func (s *Seller) LabelFile(ctx context.Context, l domain.Label) ([]byte, error) {
	if len(l.File) > 0 {
		return l.File, nil
	}
	return nil, domain.Errorf(domain.EINVALID, "USPS sent no label image for %s; reprint it from USPS Ship", l.Tracking)
}
