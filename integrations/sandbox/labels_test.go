package sandbox

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The sandbox asks for a customs declaration where a real carrier would:
// across a customs border (NL → US, DE → CH), not inside the EU (DE → FR).
func TestSandboxShipmentsWantCustomsAcrossABorder(t *testing.T) {
	srv := httptest.NewServer(NewCarriers(time.Hour, time.Now))
	defer srv.Close()
	for _, tc := range []struct {
		from, to string
		customs  bool
		want     int
	}{
		{"DE", "FR", false, http.StatusCreated}, {"NL", "US", false, http.StatusUnprocessableEntity},
		{"DE", "CH", false, http.StatusUnprocessableEntity}, {"NL", "US", true, http.StatusCreated},
	} {
		body := `{"shipment":{"to_address":{"street1":"1 Main St","zip":"1","country":"` + tc.to + `"},"from_address":{"country":"` + tc.from + `"},
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
