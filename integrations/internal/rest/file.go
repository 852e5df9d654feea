package rest

import (
	"context"
	"net/url"
	"time"

	"github.com/portolan/portolan/domain"
)

// FetchFile reads a file a service serves at an address of its own (a
// carrier's label on its file host), without credentials — https, or http
// to this computer — with the retries and limits of every other request.
func FetchFile(ctx context.Context, raw string) ([]byte, error) {
	u, err := domain.CheckCredentialURL(raw)
	if err != nil {
		return nil, err
	}
	c := New(&url.URL{Scheme: u.Scheme, Host: u.Host}, 30*time.Second)
	c.Attempts, c.MaxWait = 3, 30*time.Second
	c.Settings = "the carrier's label address"
	resp, err := c.Get(ctx, u.EscapedPath(), u.Query(), nil)
	if err != nil {
		return nil, err
	}
	return resp.Body(), nil
}
