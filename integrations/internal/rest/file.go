package rest

import (
	"context"
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
)

// MaxFile is the largest file FetchFile reads (a carrier's label is tens
// of kilobytes; a 4×6 PDF with a customs form, a few hundred).
const MaxFile = 8 << 20

// FetchFile reads a file a service serves at an address of its own (a
// carrier's label on its file host), without credentials: https, or http
// to this computer; redirects are followed only to https.
func FetchFile(ctx context.Context, raw string) ([]byte, error) {
	u, err := domain.CheckCredentialURL(raw)
	if err != nil {
		return nil, err
	}
	c := resty.New().SetTimeout(30*time.Second).SetResponseBodyLimit(MaxFile).
		SetHeader("User-Agent", "Portolan/0.1 (+order fulfilment desktop app)").
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" || len(via) > 5 {
				return domain.Errorf(domain.EINVALID, "the file at %s redirects to %s, which Portolan does not follow", u.Host, req.URL.Host)
			}
			return nil
		}))
	c.SetLogger(quietLogger{})
	var last error
	for attempt := 1; attempt <= 3; attempt++ {
		resp, err := c.R().SetContext(ctx).Get(u.String())
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			last = transportError(u.Host, err)
		case resp.StatusCode() == http.StatusOK:
			return resp.Body(), nil
		case resp.StatusCode() == http.StatusTooManyRequests || resp.StatusCode() >= 500:
			last = domain.Errorf(domain.EINTERNAL, "%s answered HTTP %d", u.Host, resp.StatusCode())
		default:
			return nil, domain.Errorf(domain.EINVALID, "%s has no file at that address (HTTP %d)", u.Host, resp.StatusCode())
		}
		if err := Sleep(ctx, ExponentialJitter(attempt)); err != nil {
			return nil, err
		}
	}
	return nil, last
}
