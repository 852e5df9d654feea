package woocommerce

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestPushTrackingAddsOneNoteAndCompletes(t *testing.T) {
	var mu sync.Mutex
	var notes []string
	status := "processing"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if k, s, ok := r.BasicAuth(); !ok || k != "ck" || s != "cs" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/wp-json/wc/v3/orders/727/notes":
			var out []map[string]any
			for i, n := range notes {
				out = append(out, map[string]any{"id": i + 1, "note": n, "customer_note": true, "date_created_gmt": "2026-11-27T10:00:00"})
			}
			if out == nil {
				out = []map[string]any{}
			}
			json.NewEncoder(w).Encode(out)
		case r.Method == http.MethodPost && r.URL.Path == "/wp-json/wc/v3/orders/727/notes":
			var body struct {
				Note         string `json:"note"`
				CustomerNote bool   `json:"customer_note"`
			}
			json.NewDecoder(r.Body).Decode(&body)
			if !body.CustomerNote {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			notes = append(notes, body.Note)
			w.WriteHeader(http.StatusCreated)
			json.NewEncoder(w).Encode(map[string]any{"id": len(notes), "note": body.Note, "customer_note": true})
		case r.Method == http.MethodPut && r.URL.Path == "/wp-json/wc/v3/orders/727":
			var body struct{ Status string }
			json.NewDecoder(r.Body).Decode(&body)
			status = body.Status
			json.NewEncoder(w).Encode(map[string]any{"id": 727, "status": status})
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}`))
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL, "ck", "cs")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second push changes nothing
		if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "727", Carrier: "DHL", Tracking: "3318810025"}); err != nil {
			t.Fatal(err)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "DHL") || !strings.Contains(notes[0], "3318810025") || status != "completed" {
		t.Errorf("notes %q, status %s", notes, status)
	}
	if err := c.PushTracking(context.Background(), domain.TrackingPush{ExternalID: "999", Carrier: "DHL", Tracking: "3318810025"}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("unknown order: %v", err)
	}
}
