package sandbox

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Sandbox carrier credentials: fixed, since the server only listens on loopback.
const (
	DHLKey      = "dhl_portolan_sandbox"
	EasyPostKey = "EZTK_portolan_sandbox"
)

// Carriers is a carrier tracking API on this computer: DHL's Unified
// Tracking API under /dhl (GET /dhl/track/shipments, DHL-API-Key),
// EasyPost's Tracker API under /easypost (/easypost/v2/trackers, HTTP Basic
// with the key) and DHL Express's MyDHL API under /dhl-express
// (dhlexpress.go), in their documented shapes. Every tracking number gets a
// journey of its own (from a hash of the number): most are delivered, some
// wait in customs, miss a delivery or hit an address problem. A journey
// moves one step every Step of real time from when the number was first
// asked about, so the Shipments screen moves while a user watches.
type Carriers struct {
	// Step is how long each leg of a journey takes.
	Step time.Duration
	Now  func() time.Time

	mu    sync.Mutex
	first map[string]time.Time
	// fresh are the numbers of labels sold here: their journeys start at
	// "shipment information received" when sold, and the carrier picks
	// them up one step later.
	fresh    map[string]bool
	trackers map[string]bool // EasyPost trackers created
	requests int
	labels   labelsState // EasyPost shipments (labels.go)
}

// NewCarriers returns the sandbox carriers with journeys moving every step.
func NewCarriers(step time.Duration, now func() time.Time) *Carriers {
	return &Carriers{Step: step, Now: now, first: map[string]time.Time{}, fresh: map[string]bool{}, trackers: map[string]bool{}}
}

// Requests is how many API calls were served.
func (c *Carriers) Requests() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

// leg is one scan of a journey.
type leg struct {
	dhl      string // DHL statusCode
	easypost string // EasyPost status
	detail   string // EasyPost status_detail
	text     string
	place    string
}

// journey is the route of a number: which legs, and how many were already
// done when the number was first asked about.
func journey(number string) ([]leg, int) {
	h := fnv.New32a()
	h.Write([]byte(number))
	v := h.Sum32()
	legs := []leg{
		{"pre-transit", "pre_transit", "status_update", "Shipment information received", "LEIPZIG - GERMANY"},
		{"transit", "in_transit", "status_update", "Shipment picked up", "LEIPZIG - GERMANY"},
		{"transit", "in_transit", "departed_facility", "Departed from the hub", "LEIPZIG - GERMANY"},
		{"transit", "in_transit", "arrived_at_facility", "Arrived at the destination country's hub", "DESTINATION HUB"},
	}
	switch v % 10 {
	case 0:
		legs = append(legs, leg{"transit", "in_transit", "status_update", "Shipment on hold: customs clearance delay, awaiting documents", "CUSTOMS"},
			leg{"transit", "in_transit", "status_update", "Customs clearance processing complete", "CUSTOMS"})
	case 1:
		legs = append(legs, leg{"failure", "failure", "address_correction", "Bad address: the recipient's address is incomplete", "DESTINATION HUB"})
		return legs, 2 + int(v/10)%3
	case 2:
		legs = append(legs, leg{"transit", "out_for_delivery", "out_for_delivery", "With delivery courier", "DELIVERY AREA"},
			leg{"failure", "failure", "delivery_attempt_failed", "Delivery attempt failed: recipient not available, notice left", "DELIVERY AREA"})
	}
	legs = append(legs, leg{"transit", "out_for_delivery", "out_for_delivery", "With delivery courier", "DELIVERY AREA"},
		leg{"delivered", "delivered", "arrived_at_destination", "Delivered", "DELIVERY AREA"})
	return legs, min(int(v/10)%6, len(legs)-2)
}

// sold makes a number the sandbox sold a label with start its journey now
// (c.mu held).
func (c *Carriers) sold(number string) {
	c.first[number], c.fresh[number] = c.Now(), true
}

// progress is the legs of a number done by now, with their times.
func (c *Carriers) progress(number string) ([]leg, []time.Time, time.Time) {
	c.mu.Lock()
	now := c.Now()
	first, ok := c.first[number]
	if !ok {
		first = now
		c.first[number] = now
	}
	fresh := c.fresh[number]
	c.mu.Unlock()
	legs, done := journey(number)
	if fresh {
		done = 0
	}
	start := first.Add(-time.Duration(done) * c.Step)
	n := min(len(legs), done+1+int(now.Sub(first)/c.Step))
	times := make([]time.Time, n)
	for i := range n {
		times[i] = start.Add(time.Duration(i) * c.Step).UTC().Truncate(time.Second)
	}
	eta := start.Add(time.Duration(len(legs)) * c.Step).UTC().Truncate(time.Second)
	return legs[:n], times, eta
}

func (c *Carriers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	c.requests++
	c.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasPrefix(r.URL.Path, "/dhl/"):
		c.dhl(w, r)
	case strings.HasPrefix(r.URL.Path, "/dhl-express/"):
		c.dhlExpress(w, r)
	case strings.HasPrefix(r.URL.Path, "/easypost/v2/shipments"):
		c.shipments(w, r)
	case strings.HasPrefix(r.URL.Path, "/easypost/labels/"):
		c.labelImage(w, r)
	case strings.HasPrefix(r.URL.Path, "/easypost/"):
		c.easypost(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (c *Carriers) dhl(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("DHL-API-Key") != DHLKey {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"title":"Unauthorized","status":401,"detail":"Invalid API key"}`)
		return
	}
	n := strings.ToUpper(strings.TrimSpace(r.URL.Query().Get("trackingNumber")))
	if r.URL.Path != "/dhl/track/shipments" || n == "" || n == "0000000000" {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintf(w, `{"title":"No result found","status":404,"detail":"No shipment with given tracking number found.","instance":%q}`, r.URL.RequestURI())
		return
	}
	legs, times, eta := c.progress(n)
	type address struct {
		AddressLocality string `json:"addressLocality"`
	}
	type status struct {
		Timestamp string `json:"timestamp"`
		Location  struct {
			Address address `json:"address"`
		} `json:"location"`
		StatusCode  string `json:"statusCode"`
		Status      string `json:"status"`
		Description string `json:"description"`
	}
	var events []status
	for i := len(legs) - 1; i >= 0; i-- { // newest first
		s := status{Timestamp: times[i].Format(time.RFC3339), StatusCode: legs[i].dhl, Status: strings.ToUpper(legs[i].detail), Description: legs[i].text}
		s.Location.Address.AddressLocality = legs[i].place
		events = append(events, s)
	}
	body := map[string]any{"shipments": []map[string]any{{
		"id": n, "service": "express", "status": events[0], "events": events,
		"estimatedTimeOfDelivery": eta.Format(time.RFC3339),
		"details":                 map[string]any{"carrier": map[string]string{"@type": "Organization", "organizationName": "DHL (sandbox)"}},
	}}}
	_ = json.NewEncoder(w).Encode(body)
}

func (c *Carriers) easypost(w http.ResponseWriter, r *http.Request) {
	if key, _, ok := r.BasicAuth(); !ok || key != EasyPostKey {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"code":"APIKEY.INVALID","message":"The API key provided is invalid.","errors":[]}}`)
		return
	}
	if r.URL.Path != "/easypost/v2/trackers" {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":{"code":"NOT_FOUND","message":"The requested resource could not be found.","errors":[]}}`)
		return
	}
	var code string
	switch r.Method {
	case http.MethodGet:
		code = strings.ToUpper(r.URL.Query().Get("tracking_code"))
		c.mu.Lock()
		known := c.trackers[code]
		c.mu.Unlock()
		if !known {
			fmt.Fprint(w, `{"trackers":[],"has_more":false}`)
			return
		}
	case http.MethodPost:
		var req struct {
			Tracker struct {
				TrackingCode string `json:"tracking_code"`
			} `json:"tracker"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(strings.TrimSpace(req.Tracker.TrackingCode)) < 6 {
			w.WriteHeader(http.StatusUnprocessableEntity)
			fmt.Fprint(w, `{"error":{"code":"TRACKER.TRACKING_CODE.INVALID","message":"Invalid tracking code.","errors":["tracking_code is not valid"]}}`)
			return
		}
		code = strings.ToUpper(strings.TrimSpace(req.Tracker.TrackingCode))
		c.mu.Lock()
		c.trackers[code] = true
		c.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	legs, times, eta := c.progress(code)
	type location struct {
		City *string `json:"city"`
	}
	type detail struct {
		Object           string   `json:"object"`
		Message          string   `json:"message"`
		Status           string   `json:"status"`
		StatusDetail     string   `json:"status_detail"`
		Datetime         string   `json:"datetime"`
		Source           string   `json:"source"`
		TrackingLocation location `json:"tracking_location"`
	}
	var details []detail
	for i := range legs { // oldest first, as EasyPost sends them
		place := legs[i].place
		details = append(details, detail{Object: "TrackingDetail", Message: legs[i].text, Status: legs[i].easypost, StatusDetail: legs[i].detail,
			Datetime: times[i].Format(time.RFC3339), Source: "sandbox", TrackingLocation: location{City: &place}})
	}
	last := legs[len(legs)-1]
	tracker := map[string]any{"id": "trk_" + strings.ToLower(code), "object": "Tracker", "mode": "test", "tracking_code": code,
		"status": last.easypost, "status_detail": last.detail, "carrier": "sandbox", "est_delivery_date": eta.Format(time.RFC3339),
		"created_at": times[0].Format(time.RFC3339), "updated_at": times[len(times)-1].Format(time.RFC3339), "tracking_details": details,
		"signed_by": nil, "weight": nil, "public_url": "https://track.easypost.com/sandbox"}
	if r.Method == http.MethodPost {
		_ = json.NewEncoder(w).Encode(tracker)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"trackers": []any{tracker}, "has_more": false})
}
