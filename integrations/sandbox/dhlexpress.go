package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/portolan/portolan/domain"
)

// The sandbox's DHL Express speaks the MyDHL API under /dhl-express (HTTP
// Basic with DHLExpressKey and DHLExpressSecret), in the shapes of DHL's
// OpenAPI document: POST /rates prices a parcel with three products, POST
// /shipments creates the shipment of one — a waybill with a valid check
// digit and a 4×6 PDF label marked as the sandbox's — GET /tracking finds
// the account's shipments by reference, and GET
// /shipments/{waybill}/tracking moves the waybill along like every sandbox
// number.

// The sandbox DHL Express credentials and account number (loopback only).
const (
	DHLExpressKey     = "mydhl_portolan_sandbox"
	DHLExpressSecret  = "mydhl_portolan_secret"
	DHLExpressAccount = "951234567"
)

type expressShipment struct {
	waybill, product, reference string
	to                          []string
	at                          time.Time
}

func expressProblem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"instance": "/expressapi" + strings.TrimPrefix(r.URL.Path, "/dhl-express"),
		"detail": detail, "title": http.StatusText(status), "message": http.StatusText(status), "status": fmt.Sprint(status)})
}

// expressProducts are what the sandbox sells: name, code, a base and a
// price per kilogram in EUR, and days in transit.
var expressProducts = []struct {
	name, code    string
	base, perKilo float64
	days          int
}{
	{"EXPRESS WORLDWIDE", "P", 29.90, 6.40, 2},
	{"EXPRESS 12:00", "Y", 41.50, 7.10, 1},
	{"ECONOMY SELECT", "H", 19.80, 3.90, 5},
}

func (c *Carriers) dhlExpress(w http.ResponseWriter, r *http.Request) {
	if u, p, ok := r.BasicAuth(); !ok || u != DHLExpressKey || p != DHLExpressSecret {
		expressProblem(w, r, http.StatusUnauthorized, "Invalid Credentials")
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/dhl-express")
	switch {
	case r.Method == http.MethodPost && path == "/rates":
		c.expressRates(w, r)
	case r.Method == http.MethodPost && path == "/shipments":
		c.expressShipment(w, r)
	case r.Method == http.MethodGet && path == "/tracking":
		c.expressByReference(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(path, "/shipments/") && strings.HasSuffix(path, "/tracking"):
		c.expressTracking(w, r, strings.TrimSuffix(strings.TrimPrefix(path, "/shipments/"), "/tracking"))
	default:
		expressProblem(w, r, http.StatusNotFound, "No such resource")
	}
}

type expressAddress struct {
	PostalCode   string `json:"postalCode"`
	CityName     string `json:"cityName"`
	CountryCode  string `json:"countryCode"`
	AddressLine1 string `json:"addressLine1"`
}

type expressPackage struct {
	Weight float64 `json:"weight"`
}

func (c *Carriers) expressRates(w http.ResponseWriter, r *http.Request) {
	var req struct {
		CustomerDetails struct {
			ShipperDetails, ReceiverDetails expressAddress
		} `json:"customerDetails"`
		Accounts []struct {
			Number string `json:"number"`
		} `json:"accounts"`
		PlannedShippingDateAndTime string           `json:"plannedShippingDateAndTime"`
		Packages                   []expressPackage `json:"packages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		expressProblem(w, r, http.StatusBadRequest, "The request body is not JSON")
		return
	}
	from, to := req.CustomerDetails.ShipperDetails, req.CustomerDetails.ReceiverDetails
	planned, err := time.Parse("2006-01-02T15:04:05GMT-07:00", req.PlannedShippingDateAndTime)
	switch {
	case len(req.Accounts) == 0 || req.Accounts[0].Number != DHLExpressAccount:
		expressProblem(w, r, http.StatusBadRequest, "The account number is not found or invalid. Please check the account number and retry.")
		return
	case err != nil:
		expressProblem(w, r, http.StatusBadRequest, "998: plannedShippingDateAndTime is not well formatted")
		return
	case to.CountryCode == "" || to.CityName == "" || from.CountryCode == "":
		expressProblem(w, r, http.StatusUnprocessableEntity, "#/customerDetails/receiverDetails: required key [countryCode] not found")
		return
	case len(req.Packages) == 0 || req.Packages[0].Weight <= 0:
		expressProblem(w, r, http.StatusUnprocessableEntity, "#/packages/0/weight: must be greater than 0")
		return
	}
	kilos := req.Packages[0].Weight
	var products []map[string]any
	for _, p := range expressProducts {
		price := p.base + p.perKilo*math.Ceil(kilos*2)/2 // DHL rounds up to the half kilogram
		days := p.days
		if to.CountryCode == from.CountryCode {
			price, days = price*0.45, 1
		}
		eta := planned.AddDate(0, 0, days)
		products = append(products, map[string]any{"productName": p.name, "productCode": p.code, "localProductCode": p.code,
			"networkTypeCode": "TD", "isCustomerAgreement": false,
			"weight":     map[string]any{"volumetric": 0, "provided": kilos, "unitOfMeasurement": "metric"},
			"totalPrice": []map[string]any{{"currencyType": "BILLC", "priceCurrency": "EUR", "price": math.Round(price*100) / 100}},
			"deliveryCapabilities": map[string]any{"deliveryTypeCode": "QDDC", "estimatedDeliveryDateAndTime": eta.Format("2006-01-02") + "T23:59:00",
				"totalTransitDays": days}})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"products": products})
}

func (c *Carriers) expressShipment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		ProductCode        string `json:"productCode"`
		CustomerReferences []struct {
			Value string `json:"value"`
		} `json:"customerReferences"`
		Accounts []struct {
			Number string `json:"number"`
		} `json:"accounts"`
		CustomerDetails struct {
			ReceiverDetails struct {
				PostalAddress      expressAddress `json:"postalAddress"`
				ContactInformation struct {
					Phone, FullName string
				} `json:"contactInformation"`
			} `json:"receiverDetails"`
			ShipperDetails struct {
				PostalAddress expressAddress `json:"postalAddress"`
			} `json:"shipperDetails"`
		} `json:"customerDetails"`
		Content struct {
			IsCustomsDeclarable bool            `json:"isCustomsDeclarable"`
			ExportDeclaration   json.RawMessage `json:"exportDeclaration"`
		} `json:"content"`
		OutputImageProperties struct {
			EncodingFormat string `json:"encodingFormat"`
		} `json:"outputImageProperties"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		expressProblem(w, r, http.StatusBadRequest, "The request body is not JSON")
		return
	}
	to := req.CustomerDetails.ReceiverDetails
	var product string
	for _, p := range expressProducts {
		if p.code == req.ProductCode {
			product = p.name
		}
	}
	switch {
	case len(req.Accounts) == 0 || req.Accounts[0].Number != DHLExpressAccount:
		expressProblem(w, r, http.StatusBadRequest, "The account number is not found or invalid. Please check the account number and retry.")
		return
	case product == "":
		expressProblem(w, r, http.StatusBadRequest, fmt.Sprintf("1001: The requested product(s) (%s) not available based on your search criteria.", req.ProductCode))
		return
	case to.PostalAddress.CountryCode == "US" && !usZIP.MatchString(strings.TrimSpace(to.PostalAddress.PostalCode)):
		expressProblem(w, r, http.StatusUnprocessableEntity, fmt.Sprintf("#/customerDetails/receiverDetails/postalAddress/postalCode: %q is not a valid US ZIP code",
			to.PostalAddress.PostalCode))
		return
	case strings.TrimSpace(to.ContactInformation.Phone) == "":
		expressProblem(w, r, http.StatusUnprocessableEntity, "#/customerDetails/receiverDetails/contactInformation: required key [phone] not found")
		return
	case domain.CustomsArea(domain.Country(to.PostalAddress.CountryCode)) != domain.CustomsArea(domain.Country(req.CustomerDetails.ShipperDetails.PostalAddress.CountryCode)) &&
		(!req.Content.IsCustomsDeclarable || len(req.Content.ExportDeclaration) == 0):
		expressProblem(w, r, http.StatusUnprocessableEntity, "#/content/exportDeclaration: required for a declarable shipment")
		return
	case len(req.CustomerReferences) == 0:
		expressProblem(w, r, http.StatusUnprocessableEntity, "#/customerReferences: expected at least 1 item")
		return
	}
	c.mu.Lock()
	if c.labels.express == nil {
		c.labels.express = map[string]*expressShipment{}
	}
	if c.labels.run == 0 {
		c.labels.run = randomRun()
	}
	c.labels.sold++
	waybill := domain.MakeTrackingNumber(domain.CarrierDHL, c.labels.run*10_000+int64(c.labels.sold))
	sh := &expressShipment{waybill: waybill, product: product, reference: req.CustomerReferences[0].Value, at: c.Now(),
		to: []string{to.ContactInformation.FullName, to.PostalAddress.AddressLine1, strings.TrimSpace(to.PostalAddress.PostalCode + " " + to.PostalAddress.CityName),
			to.PostalAddress.CountryCode}}
	c.labels.express[sh.reference] = sh
	c.sold(waybill)
	drop := c.labels.dropPurchases > 0
	if drop {
		c.labels.dropPurchases--
	}
	c.mu.Unlock()
	if drop {
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	label, format, err := expressLabel(sh, req.OutputImageProperties.EncodingFormat)
	if err != nil {
		expressProblem(w, r, http.StatusInternalServerError, "999: Process failure occurred: "+err.Error())
		return
	}
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{"url": "http://" + r.Host + "/dhl-express/shipments", "shipmentTrackingNumber": waybill,
		"trackingUrl": "http://" + r.Host + "/dhl-express/shipments/" + waybill + "/tracking",
		"packages":    []map[string]any{{"referenceNumber": 1, "trackingNumber": "JD0146" + waybill + "0001"}},
		"documents":   []map[string]any{{"imageFormat": format, "content": base64.StdEncoding.EncodeToString(label), "typeCode": "label"}}})
}

// expressLabel is the shipment's label: the sandbox's 4×6 label image on a
// 4×6 inch PDF page, as DHL sends its labels, or as ZPL when asked (MyDHL's
// encodingFormat "zpl").
func expressLabel(sh *expressShipment, encoding string) ([]byte, string, error) {
	img := labelPNG("DHL Express (sandbox)", sh.product, sh.waybill, sh.to)
	if encoding == "zpl" {
		return expressZPL(sh), "ZPL", nil
	}
	f := gofpdf.NewCustom(&gofpdf.InitType{UnitStr: "in", Size: gofpdf.SizeType{Wd: 4, Ht: 6}})
	f.SetCompression(true)
	f.SetCreationDate(sh.at)
	f.SetModificationDate(sh.at)
	f.AddPage()
	opts := gofpdf.ImageOptions{ImageType: "PNG"}
	f.RegisterImageOptionsReader("label", opts, bytes.NewReader(img))
	f.ImageOptions("label", 0, 0, 4, 6, false, opts, 0, "")
	var b bytes.Buffer
	err := f.Output(&b)
	return b.Bytes(), "PDF", err
}

// expressZPL is the shipment's label in ZPL, as a thermal printer takes
// it: text fields (UTF-8, ^CI28) and the waybill as a Code 128 barcode.
func expressZPL(sh *expressShipment) []byte {
	field := strings.NewReplacer("^", " ", "~", " ").Replace
	var b strings.Builder
	b.WriteString("^XA^CI28^PW812^LL1218\n")
	fmt.Fprintf(&b, "^FO40,40^A0N,48,48^FD%s^FS\n^FO40,100^A0N,32,32^FD%s^FS\n", "DHL Express (sandbox)", field(sh.product))
	for i, line := range sh.to {
		fmt.Fprintf(&b, "^FO40,%d^A0N,36,36^FD%s^FS\n", 200+i*44, field(line))
	}
	fmt.Fprintf(&b, "^FO60,800^BY3^BCN,220,Y,N,N^FD%s^FS\n^XZ\n", sh.waybill)
	return []byte(b.String())
}

func (c *Carriers) expressByReference(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("shipperAccountNumber") != DHLExpressAccount || q.Get("dateRangeFrom") == "" || q.Get("dateRangeTo") == "" {
		expressProblem(w, r, http.StatusBadRequest, "Tracking by shipment reference needs shipperAccountNumber, dateRangeFrom and dateRangeTo")
		return
	}
	c.mu.Lock()
	sh := c.labels.express[q.Get("shipmentReference")]
	c.mu.Unlock()
	if sh == nil {
		expressProblem(w, r, http.StatusNotFound, "No data found")
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"shipments": []map[string]any{{"shipmentTrackingNumber": sh.waybill, "status": "Success",
		"shipmentTimestamp": sh.at.UTC().Format("2006-01-02T15:04:05"), "productCode": "P", "description": sh.product,
		"shipperReferences": []map[string]string{{"value": sh.reference, "typeCode": "CU"}}, "events": []any{}}}})
}

// expressCodes are the MyDHL checkpoint codes of the sandbox's legs.
var expressCodes = map[string]string{"status_update": "PL", "departed_facility": "DF", "arrived_at_facility": "AF", "address_correction": "BA",
	"out_for_delivery": "WC", "delivery_attempt_failed": "NH", "arrived_at_destination": "OK"}

func (c *Carriers) expressTracking(w http.ResponseWriter, r *http.Request, waybill string) {
	// Any DHL Express waybill is tracked (not only this account's), as by
	// MyDHL; a number DHL would not issue is not.
	if _, err := domain.ValidateTracking(domain.CarrierDHL, waybill); err != nil || waybill == "0000000000" {
		expressProblem(w, r, http.StatusNotFound, "No data found")
		return
	}
	legs, times, eta := c.progress(waybill)
	var events []map[string]any
	for i, l := range legs { // oldest first, as MyDHL sends them
		code := expressCodes[l.detail]
		switch {
		case i == 0:
			code = "SA"
		case l.text == "Shipment picked up":
			code = "PU"
		case strings.Contains(l.text, "customs clearance delay"):
			code = "CD"
		case strings.Contains(l.text, "Customs clearance processing complete"):
			code = "CR"
		}
		events = append(events, map[string]any{"date": times[i].Format("2006-01-02"), "time": times[i].Format("15:04:05"), "GMTOffset": "+00:00",
			"typeCode": code, "description": l.text, "serviceArea": []map[string]string{{"code": "SBX", "description": l.place}}})
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"shipments": []map[string]any{{"shipmentTrackingNumber": waybill, "status": "Success",
		"productCode": "P", "events": events, "estimatedDeliveryDate": eta.Format("2006-01-02T15:04:05")}}})
}
