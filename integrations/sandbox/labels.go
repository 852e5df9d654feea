package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"github.com/portolan/portolan/assets"
	"github.com/portolan/portolan/domain"
)

// The sandbox EasyPost also sells labels (issue 17): POST
// /easypost/v2/shipments quotes a parcel with three services of its carrier
// "SandboxPost", POST …/{id}/buy sells one (once), GET …/{id} tells whether
// it was sold and POST …/{id}/refund voids it, in EasyPost's documented
// shapes. A sold label's tracking number is one the sandbox tracking API
// then moves along, and its image is served under /easypost/labels/.

// SandboxCarrier is the carrier whose labels the sandbox sells.
const SandboxCarrier = "SandboxPost"

type sbRate struct {
	ID                     string `json:"id"`
	Object                 string `json:"object"`
	Mode                   string `json:"mode"`
	Service                string `json:"service"`
	Carrier                string `json:"carrier"`
	Rate                   string `json:"rate"`
	Currency               string `json:"currency"`
	DeliveryDays           int    `json:"delivery_days"`
	EstDeliveryDays        int    `json:"est_delivery_days"`
	DeliveryDateGuaranteed bool   `json:"delivery_date_guaranteed"`
	ShipmentID             string `json:"shipment_id"`
	CarrierAccountID       string `json:"carrier_account_id"`
}

type sbShipment struct {
	id, reference string
	to            []string // the ship-to address's lines, for the label
	rates         []sbRate
	bought        *sbRate
	tracking      string
	refund        string
}

// labelsState is the shipments the sandbox EasyPost has made.
type labelsState struct {
	shipments map[string]*sbShipment
	next      int
	// run makes this server's shipment ids and tracking numbers its own: a
	// sandbox started again knows nothing of the last one's shipments, and
	// must not hand out their ids or numbers again.
	run int64
	// dropPurchases is how many of the next purchases are sold and then
	// answered by dropping the connection (a test of never buying twice).
	dropPurchases int
	sold          int
	// express are the DHL Express shipments made (dhlexpress.go), by reference.
	express map[string]*expressShipment
}

// randomRun is a run's own number, so that a sandbox started again hands
// out none of the last one's ids or numbers.
func randomRun() int64 { return rand.Int64N(90_000) + 10_000 }

// DropNextPurchases makes the next n label purchases succeed at the
// sandbox but lose their answer, as a network failure after the sale would.
func (c *Carriers) DropNextPurchases(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.labels.dropPurchases = n
}

// LabelsSold is how many labels the sandbox sold.
func (c *Carriers) LabelsSold() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.labels.sold
}

func epError(w http.ResponseWriter, status int, code, message string, errs ...any) {
	w.WriteHeader(status)
	if errs == nil {
		errs = []any{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": message, "errors": errs}})
}

// usZIP is a US ZIP code: five digits, or ZIP+4.
var usZIP = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)

func (c *Carriers) shipments(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/easypost/v2/shipments")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.labels.shipments == nil {
		c.labels.shipments = map[string]*sbShipment{}
	}
	if c.labels.run == 0 {
		c.labels.run = randomRun()
	}
	if rest == "" && r.Method == http.MethodPost {
		c.createShipment(w, r)
		return
	}
	id, action, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	sh := c.labels.shipments[id]
	if sh == nil {
		epError(w, http.StatusNotFound, "SHIPMENT.NOT_FOUND", "The requested resource could not be found.")
		return
	}
	switch {
	case action == "" && r.Method == http.MethodGet:
	case action == "buy" && r.Method == http.MethodPost:
		var req struct {
			Rate struct {
				ID string `json:"id"`
			} `json:"rate"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if sh.bought != nil {
			epError(w, http.StatusUnprocessableEntity, "SHIPMENT.POSTAGE.EXISTS", "The shipment already has postage.")
			return
		}
		for i := range sh.rates {
			if sh.rates[i].ID == req.Rate.ID {
				sh.bought = &sh.rates[i]
			}
		}
		if sh.bought == nil {
			epError(w, http.StatusUnprocessableEntity, "SHIPMENT.RATE.INVALID", "Rate not found.")
			return
		}
		c.labels.sold++
		sh.tracking = fmt.Sprintf("EZ%05d%05d", c.labels.run, c.labels.sold)
		c.trackers[sh.tracking] = true
		c.sold(sh.tracking)
		if c.labels.dropPurchases > 0 {
			c.labels.dropPurchases--
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
				return
			}
		}
	case action == "refund" && r.Method == http.MethodPost:
		if sh.bought == nil {
			epError(w, http.StatusUnprocessableEntity, "SHIPMENT.REFUND.UNAVAILABLE", "The shipment has no postage to refund.")
			return
		}
		sh.refund = "submitted"
	default:
		epError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource could not be found.")
		return
	}
	_ = json.NewEncoder(w).Encode(c.shipmentJSON(r, sh))
}

func (c *Carriers) createShipment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Shipment struct {
			Reference string `json:"reference"`
			ToAddress struct {
				Name    string `json:"name"`
				Street1 string `json:"street1"`
				City    string `json:"city"`
				Zip     string `json:"zip"`
				Country string `json:"country"`
			} `json:"to_address"`
			FromAddress struct {
				Country string `json:"country"`
			} `json:"from_address"`
			Parcel struct {
				Weight float64 `json:"weight"` // ounces
			} `json:"parcel"`
			CustomsInfo *struct {
				Items []json.RawMessage `json:"customs_items"`
			} `json:"customs_info"`
		} `json:"shipment"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		epError(w, http.StatusBadRequest, "PARAMETER.INVALID", "The request body is not JSON.")
		return
	}
	s := req.Shipment
	to := s.ToAddress
	switch {
	case strings.TrimSpace(to.Street1) == "" || strings.TrimSpace(to.Country) == "":
		epError(w, http.StatusUnprocessableEntity, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.",
			map[string]any{"field": "street1", "message": "is required", "suggestion": nil})
		return
	case to.Country == "US" && !usZIP.MatchString(strings.TrimSpace(to.Zip)):
		// EasyPost verifies addresses where asked; the sandbox checks what a
		// US address needs most, its ZIP code.
		epError(w, http.StatusUnprocessableEntity, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.",
			map[string]any{"field": "zip", "message": "invalid for the state", "suggestion": nil})
		return
	case s.Parcel.Weight <= 0:
		epError(w, http.StatusUnprocessableEntity, "PARCEL.WEIGHT.INVALID", "Parcel weight must be greater than zero.")
		return
	case domain.CustomsArea(domain.Country(to.Country)) != domain.CustomsArea(domain.Country(s.FromAddress.Country)) &&
		(s.CustomsInfo == nil || len(s.CustomsInfo.Items) == 0):
		epError(w, http.StatusUnprocessableEntity, "SHIPMENT.CUSTOMS_INFO.MISSING", "Customs information is required for international shipments.")
		return
	}
	c.labels.next++
	sh := &sbShipment{id: fmt.Sprintf("shp_sandbox%d_%06d", c.labels.run, c.labels.next), reference: s.Reference,
		to: []string{to.Name, to.Street1, strings.TrimSpace(to.Zip + " " + to.City), to.Country}}
	// Prices in USD from the weight: a base, a rate an ounce, more abroad.
	abroad := to.Country != s.FromAddress.Country
	for i, svc := range []struct {
		name       string
		base, oz   float64
		days       int
		guaranteed bool
	}{{"Economy", 4.10, 0.09, 6, false}, {"Standard", 6.40, 0.14, 3, false}, {"Express", 19.50, 0.31, 1, true}} {
		price := svc.base + svc.oz*s.Parcel.Weight
		if abroad {
			price = price*1.8 + 7
		}
		sh.rates = append(sh.rates, sbRate{ID: fmt.Sprintf("rate_sandbox%d_%06d_%d", c.labels.run, c.labels.next, i), Object: "Rate", Mode: "test",
			Service: svc.name, Carrier: SandboxCarrier, Rate: fmt.Sprintf("%.2f", math.Round(price*100)/100), Currency: "USD",
			DeliveryDays: svc.days, EstDeliveryDays: svc.days, DeliveryDateGuaranteed: svc.guaranteed, ShipmentID: sh.id,
			CarrierAccountID: "ca_sandbox"})
	}
	c.labels.shipments[sh.id] = sh
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(c.shipmentJSON(r, sh))
}

func (c *Carriers) shipmentJSON(r *http.Request, sh *sbShipment) map[string]any {
	out := map[string]any{"id": sh.id, "object": "Shipment", "mode": "test", "reference": sh.reference, "status": "unknown",
		"rates": sh.rates, "messages": []any{}, "tracking_code": nil, "selected_rate": nil, "postage_label": nil, "refund_status": nil}
	if sh.bought != nil {
		out["tracking_code"], out["selected_rate"] = sh.tracking, sh.bought
		out["postage_label"] = map[string]any{"object": "PostageLabel", "label_size": "4x6", "label_file_type": "image/png",
			"label_url": "http://" + r.Host + "/easypost/labels/" + sh.id + ".png", "label_pdf_url": nil, "label_zpl_url": nil}
	}
	if sh.refund != "" {
		out["refund_status"] = sh.refund
	}
	return out
}

// labelImage serves a sold label: a 4×6 inch PNG at 203 dpi, as a
// carrier's would look — the carrier and service, the ship-to address, the
// tracking number and its bars — marked as the sandbox's.
func (c *Carriers) labelImage(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/easypost/labels/"), ".png")
	c.mu.Lock()
	sh := c.labels.shipments[id]
	var tracking, service string
	var to []string
	if sh != nil && sh.bought != nil {
		tracking, service, to = sh.tracking, sh.bought.Service, sh.to
	}
	c.mu.Unlock()
	if tracking == "" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = w.Write(labelPNG(SandboxCarrier, service, tracking, to))
}

// labelPNG draws a sandbox label: a 4×6 inch PNG at 203 dpi, as a carrier's
// would look — the carrier and service, the ship-to address, the tracking
// number and its bars — marked as the sandbox's.
func labelPNG(carrier, service, tracking string, to []string) []byte {
	// A font face draws one text at a time: labels are drawn in turn.
	drawing.Lock()
	defer drawing.Unlock()
	img := image.NewGray(image.Rect(0, 0, 812, 1218))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	box := func(x0, y0, x1, y1 int) {
		for x := x0; x < x1; x++ {
			for y := y0; y < y1; y++ {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	box(30, 30, 782, 36)
	labelText(img, 40, 50, 64, carrier)
	labelText(img, 40, 140, 40, strings.ToUpper(service))
	box(30, 210, 782, 214)
	labelText(img, 40, 228, 26, "SHIP TO:")
	y := 280
	for _, l := range to {
		if strings.TrimSpace(l) != "" {
			labelText(img, 60, y, 40, l)
			y += 50
		}
	}
	box(30, 520, 782, 524)
	// The tracking number's bars: each character's bits, wide or narrow.
	x := 60
	for _, ch := range []byte(tracking) {
		for bit := 7; bit >= 0 && x < 740; bit-- {
			width := 3
			if ch>>bit&1 == 1 {
				width = 7
			}
			box(x, 600, x+width, 880)
			x += width + 3
		}
	}
	labelText(img, 100, 900, 56, tracking)
	box(30, 1040, 782, 1044)
	labelText(img, 40, 1070, 28, "SANDBOX LABEL — NOT FOR SHIPPING")
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// labelFaces are the label's fonts: Noto Sans, and the fallback for the
// scripts it lacks (CJK, Hangul, Arabic), at a size in pixels.
type labelFaces struct {
	sans, fallback font.Face
	sansFont       *sfnt.Font
}

var (
	facesMu sync.Mutex
	faces   = map[float64]*labelFaces{}
	drawing sync.Mutex // the faces are not safe to draw with at once
)

func facesAt(px float64) *labelFaces {
	facesMu.Lock()
	defer facesMu.Unlock()
	if f, ok := faces[px]; ok {
		return f
	}
	sans, err1 := opentype.Parse(assets.SansFont)
	fallback, err2 := opentype.Parse(assets.FallbackFont)
	if err1 != nil || err2 != nil {
		return nil
	}
	s, err1 := opentype.NewFace(sans, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	fb, err2 := opentype.NewFace(fallback, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
	if err1 != nil || err2 != nil {
		return nil
	}
	f := &labelFaces{sans: s, fallback: fb, sansFont: sans}
	faces[px] = f
	return f
}

// labelText draws text with its top-left at x, y, px pixels high: each
// character in Noto Sans, or the fallback font where Noto Sans has none.
func labelText(img *image.Gray, x, y int, px float64, text string) {
	f := facesAt(px)
	if f == nil {
		return
	}
	var buf sfnt.Buffer
	d := font.Drawer{Dst: img, Src: image.Black, Dot: fixed.P(x, y+int(px))}
	for _, r := range text {
		d.Face = f.sans
		if g, err := f.sansFont.GlyphIndex(&buf, r); err != nil || g == 0 {
			d.Face = f.fallback
		}
		d.DrawString(string(r))
	}
}
