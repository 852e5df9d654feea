// Package tracktest holds the checks every carrier's clients are put
// through in their tests, against a local server speaking the carrier's
// documented shape. A tracking client must never panic on what comes back,
// must say when an answer is not that shape, and must report refused
// credentials as such without showing them; a label seller must not buy
// twice when a purchase's answer is lost, and must keep a ZPL account's
// labels as the carrier sent them (seller.go).
package tracktest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Server is a carrier's API on this machine: tokenPath ("" for none)
// answers token (the carrier's token JSON), every other path body.
func Server(tb testing.TB, tokenPath, token string, body func(w http.ResponseWriter, r *http.Request)) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tokenPath != "" && r.URL.Path == tokenPath {
			w.Write([]byte(token))
			return
		}
		body(w, r)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

// FuzzDecode gives the client whatever its tracking endpoint might answer
// (seeds first): it must not panic, and when it returns no error it answers
// for the one number asked.
func FuzzDecode(f *testing.F, seeds []string, tokenPath, token, number string, open func(baseURL string) (domain.Tracker, error)) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		srv := Server(t, tokenPath, token, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
		c, err := open(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		res, err := c.Track(context.Background(), []string{number})
		if err == nil && (len(res) != 1 || res[0].Number != number) {
			t.Fatalf("no error but %+v", res)
		}
	})
}

// Malformed checks that an answer not in the documented shape is an error that says so.
func Malformed(t *testing.T, c domain.Tracker, number string) {
	t.Helper()
	if _, err := c.Track(context.Background(), []string{number}); err == nil || !strings.Contains(err.Error(), "not the JSON") {
		t.Errorf("malformed answer: %v", err)
	}
}

// Refused checks that credentials the carrier refuses are a
// CredentialsError from Track and from Check, and that the error does not
// show secret.
func Refused(t *testing.T, c domain.Tracker, number, secret string) {
	t.Helper()
	_, err := c.Track(context.Background(), []string{number})
	var ce *rest.CredentialsError
	if !errors.As(err, &ce) || strings.Contains(err.Error(), secret) {
		t.Errorf("refused credentials: %v", err)
	}
	if err := c.Check(context.Background()); !errors.As(err, &ce) {
		t.Errorf("check with refused credentials: %v", err)
	}
}

// CheckWantsTheDocumentedAnswer checks that Check fails when the service
// answers, but with something else than its API's JSON (a web page, a
// proxy's greeting): a test of the connection means a real, parsed answer.
func CheckWantsTheDocumentedAnswer(t *testing.T, tokenPath, token string, open func(baseURL string) (domain.Tracker, error)) {
	t.Helper()
	for _, body := range []string{"<html><body>Welcome to nginx!</body></html>", `{"status":"ok"}`} {
		srv := Server(t, tokenPath, token, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) })
		c, err := open(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Check(context.Background()); err == nil {
			t.Errorf("check passed on an answer of %q", body)
		}
	}
}
