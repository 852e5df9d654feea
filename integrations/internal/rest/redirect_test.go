package rest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
)

// A service that redirects elsewhere must not get the credentials sent on:
// not the headers (Go drops only Authorization), not a 307's form body.
func TestCredentialsStayWithTheConfiguredAddress(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		w.Write([]byte(`{}`))
	}))
	defer other.Close()
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/orders", http.StatusFound) // same address: followed
		case "/orders":
			w.Write([]byte(`{"orders":[]}`))
		case "/token":
			http.Redirect(w, r, other.URL+"/token", http.StatusTemporaryRedirect)
		default:
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		}
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c := New(base, 5*time.Second)
	c.Backoff = func(int) time.Duration { return time.Millisecond }
	auth := func(r *resty.Request) { r.SetHeader("X-Shopify-Access-Token", "shpat_secret") }

	if resp, err := c.Get(context.Background(), "/moved", nil, auth); err != nil || !strings.Contains(resp.String(), "orders") {
		t.Fatalf("a redirect within the address: %v", err)
	}
	_, err := c.Get(context.Background(), "/admin/orders.json", nil, auth)
	var re *RedirectError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), other.URL) || strings.Contains(err.Error(), "shpat_secret") {
		t.Errorf("302 to another host: %v", err)
	}
	_, err = c.PostForm(context.Background(), "/token", url.Values{"client_secret": {"s3cret"}}, nil)
	if !errors.As(err, &re) {
		t.Errorf("307 of a token request to another host: %v", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the other host got %d request(s)", n)
	}
	if n := served.Load(); n != 4 {
		t.Errorf("%d requests to the service; a refused redirect is not retried", n)
	}

	// Another port of the same host, or another scheme, is another address.
	for _, to := range []string{"http://127.0.0.1:1/x", "https://" + base.Host + "/x"} {
		p := sameOrigin{}
		from, _ := http.NewRequest("GET", srv.URL+"/a", nil)
		next, _ := http.NewRequest("GET", to, nil)
		if err := p.Apply(next, []*http.Request{from}); !errors.As(err, &re) {
			t.Errorf("redirect to %s: %v", to, err)
		}
	}
}

// An answer larger than any page of an API is refused, not held in memory.
func TestAnswersAreBounded(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		chunk := []byte(strings.Repeat("x", 1<<20))
		for range MaxResponse>>20 + 2 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	c := New(base, 30*time.Second)
	c.Backoff = func(int) time.Duration { return time.Millisecond }
	_, err := c.Get(context.Background(), "/orders", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "larger than 32 MB") {
		t.Errorf("a 34 MB answer: %v", err)
	}
	if calls.Load() != 1 {
		t.Errorf("asked %d times; an answer too large is not asked for again", calls.Load())
	}
}
