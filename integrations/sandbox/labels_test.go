package sandbox

import (
	"encoding/json"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
)

// The sandbox asks for a customs declaration where a real carrier would:
// across a customs border (NL → US, DE → CH), not inside the EU (DE → FR);
// and for a US address, a ZIP code.
func TestSandboxShipmentsWantCustomsAcrossABorder(t *testing.T) {
	srv := httptest.NewServer(NewCarriers(time.Hour, time.Now))
	defer srv.Close()
	for _, tc := range []struct {
		from, to, zip string
		customs       bool
		want          int
	}{
		{"DE", "FR", "75001", false, http.StatusCreated}, {"NL", "US", "10118", false, http.StatusUnprocessableEntity},
		{"DE", "CH", "8001", false, http.StatusUnprocessableEntity}, {"NL", "US", "10118", true, http.StatusCreated},
		{"NL", "US", "1O118", true, http.StatusUnprocessableEntity},
	} {
		body := `{"shipment":{"to_address":{"street1":"1 Main St","zip":"` + tc.zip + `","country":"` + tc.to + `"},"from_address":{"country":"` + tc.from + `"},
			"parcel":{"weight":12}`
		if tc.customs {
			body += `,"customs_info":{"customs_items":[{"description":"hat","quantity":1}]}`
		}
		body += `}}`
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/easypost/v2/shipments", strings.NewReader(body))
		req.SetBasicAuth(EasyPostKey, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s → %s (customs %v): HTTP %d, want %d", tc.from, tc.to, tc.customs, resp.StatusCode, tc.want)
		}
	}
}

// Labels are drawn for many purchases at once (go test -race).
func TestSandboxDrawsLabelsAtOnce(t *testing.T) {
	c := NewCarriers(time.Hour, time.Now)
	srv := httptest.NewServer(c)
	defer srv.Close()
	post := func(path, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+path, strings.NewReader(body))
		req.SetBasicAuth(EasyPostKey, "")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	var urls []string
	for range 4 {
		resp := post("/easypost/v2/shipments", `{"shipment":{"to_address":{"name":"山田 太郎","street1":"1","zip":"1","country":"DE"},
			"from_address":{"country":"DE"},"parcel":{"weight":10}}}`)
		var sh struct {
			ID    string `json:"id"`
			Rates []struct {
				ID string `json:"id"`
			} `json:"rates"`
		}
		json.NewDecoder(resp.Body).Decode(&sh)
		resp.Body.Close()
		resp = post("/easypost/v2/shipments/"+sh.ID+"/buy", `{"rate":{"id":"`+sh.Rates[0].ID+`"}}`)
		var bought struct {
			PostageLabel struct {
				LabelURL string `json:"label_url"`
			} `json:"postage_label"`
		}
		json.NewDecoder(resp.Body).Decode(&bought)
		resp.Body.Close()
		urls = append(urls, bought.PostageLabel.LabelURL)
	}
	var wg sync.WaitGroup
	for _, u := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(u)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			if _, err := png.Decode(resp.Body); err != nil {
				t.Errorf("%s: %v", u, err)
			}
		}()
	}
	wg.Wait()
}

// The sandbox's MyDHL refuses what MyDHL would, in its problem documents:
// wrong credentials, another account's number, a shipment without the
// receiver's phone or, across a customs border, without its declaration, a
// US receiver without a ZIP code.
func TestSandboxMyDHLRefusesWhatDHLWould(t *testing.T) {
	srv := httptest.NewServer(NewCarriers(time.Hour, time.Now))
	defer srv.Close()
	post := func(user, path, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/dhl-express"+path, strings.NewReader(body))
		req.SetBasicAuth(user, DHLExpressSecret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var p map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&p)
		detail, _ := p["detail"].(string)
		return resp.StatusCode, detail
	}
	account := `"accounts":[{"typeCode":"shipper","number":"` + DHLExpressAccount + `"}]`
	rates := `{"customerDetails":{"shipperDetails":{"postalCode":"04435","cityName":"Leipzig","countryCode":"DE"},
		"receiverDetails":{"postalCode":"10118","cityName":"New York","countryCode":"US"}},` + account + `,
		"plannedShippingDateAndTime":"2026-12-07T10:40:00GMT+01:00","packages":[{"weight":1.5}]}`
	if code, _ := post("nobody", "/rates", rates); code != http.StatusUnauthorized {
		t.Errorf("wrong credentials: %d", code)
	}
	if code, detail := post(DHLExpressKey, "/rates", strings.Replace(rates, DHLExpressAccount, "123", 1)); code != http.StatusBadRequest ||
		!strings.Contains(detail, "account number") {
		t.Errorf("another account: %d %q", code, detail)
	}
	if code, _ := post(DHLExpressKey, "/rates", rates); code != http.StatusOK {
		t.Errorf("rates: %d", code)
	}
	zip := "10118"
	shipment := func(phone, declaration string) string {
		return `{"productCode":"P","customerReferences":[{"value":"ref-1","typeCode":"CU"}],` + account + `,
			"customerDetails":{"shipperDetails":{"postalAddress":{"countryCode":"DE"}},
			"receiverDetails":{"postalAddress":{"countryCode":"US","cityName":"New York","postalCode":"` + zip + `"},"contactInformation":{"phone":"` + phone + `","fullName":"Ann"}}},
			"content":{"isCustomsDeclarable":true` + declaration + `}}`
	}
	if code, detail := post(DHLExpressKey, "/shipments", shipment("", `,"exportDeclaration":{"lineItems":[]}`)); code != http.StatusUnprocessableEntity ||
		!strings.Contains(detail, "phone") {
		t.Errorf("no phone: %d %q", code, detail)
	}
	if code, detail := post(DHLExpressKey, "/shipments", shipment("+1 212 555 0100", "")); code != http.StatusUnprocessableEntity ||
		!strings.Contains(detail, "exportDeclaration") {
		t.Errorf("no declaration: %d %q", code, detail)
	}
	zip = "1O118"
	if code, detail := post(DHLExpressKey, "/shipments", shipment("+1 212 555 0100", `,"exportDeclaration":{"lineItems":[]}`)); code != http.StatusUnprocessableEntity ||
		!strings.Contains(detail, "postalCode") || domain.AddressField(detail) != domain.FieldPostalCode {
		t.Errorf("no ZIP code: %d %q", code, detail)
	}
	zip = "10118"
	if code, _ := post(DHLExpressKey, "/shipments", shipment("+1 212 555 0100", `,"exportDeclaration":{"lineItems":[]}`)); code != http.StatusCreated {
		t.Errorf("a good shipment: %d", code)
	}
}
