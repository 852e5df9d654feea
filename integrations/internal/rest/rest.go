// Package rest is the HTTP plumbing the storefront and carrier clients
// share: one resty client per service, retries on 429, 5xx and timeouts that honour the store's
// Retry-After (or BigCommerce's X-Rate-Limit-Time-Reset-Ms), and errors that
// say what to do. Credentials never appear in errors or logs.
package rest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/portolan/portolan/domain"
)

// Client talks to one store.
type Client struct {
	http *resty.Client
	base *url.URL
	// Attempts is how many times a request is tried before giving up.
	Attempts int
	// Backoff is the wait before retry n (1-based) when the store gives no hint.
	Backoff func(n int) time.Duration
	// MaxWait caps any wait the store asks for.
	MaxWait time.Duration
	// Keep lists statuses answered as a response rather than an error (a
	// carrier's 404 for an unknown tracking number).
	Keep map[int]bool
	// Settings names where the user fixes refused credentials.
	Settings string
	// Gate, when set, is passed before every request (every retry too): a
	// carrier's rate and daily budget. Its error ends the call.
	Gate func(ctx context.Context) error
}

// MaxResponse is the largest answer a client reads from a service, in
// bytes: a page of orders or of tracking results is a few megabytes, so a
// larger answer is refused rather than held in memory.
const MaxResponse = 32 << 20

// New makes a client for the store at base with a per-request timeout.
// Requests carry credentials (headers, a token form), so a redirect is
// followed only within base's scheme, host and port, and answers are read up
// to MaxResponse.
func New(base *url.URL, timeout time.Duration) *Client {
	h := resty.New().SetTimeout(timeout).SetHeader("Accept", "application/json").
		SetHeader("User-Agent", "Portolan/0.1 (+order fulfilment desktop app)").
		SetRedirectPolicy(sameOrigin{}).SetResponseBodyLimit(MaxResponse)
	h.SetLogger(quietLogger{}) // resty's own logs could carry request details
	return &Client{
		http:     h,
		base:     base,
		Attempts: 5,
		Backoff:  ExponentialJitter,
		MaxWait:  2 * time.Minute,
		Settings: "the channel settings",
	}
}

// ExponentialJitter waits 0.5 s, 1 s, 2 s, 4 s … before retry n, plus up to
// half as much again at random, so many clients do not retry in step.
func ExponentialJitter(n int) time.Duration {
	base := 500 * time.Millisecond << min(max(n-1, 0), 8)
	return base + rand.N(base/2+1)
}

// URL joins path to the store's base address.
func (c *Client) URL(path string) string {
	return strings.TrimSuffix(c.base.String(), "/") + "/" + strings.TrimPrefix(path, "/")
}

// Get requests path with query, prepared by auth, retrying what is worth
// retrying. It returns the response of the first 2xx/204 answer.
func (c *Client) Get(ctx context.Context, path string, query url.Values, auth func(*resty.Request)) (*resty.Response, error) {
	return c.do(ctx, func(r *resty.Request) (*resty.Response, error) {
		return r.SetQueryParamsFromValues(query).Get(c.URL(path))
	}, auth)
}

// PostForm posts form values to path, with the same retries as Get.
func (c *Client) PostForm(ctx context.Context, path string, form url.Values, auth func(*resty.Request)) (*resty.Response, error) {
	return c.do(ctx, func(r *resty.Request) (*resty.Response, error) {
		return r.SetFormDataFromValues(form).Post(c.URL(path))
	}, auth)
}

// PutJSON puts body as JSON to path, with the same retries as Get.
func (c *Client) PutJSON(ctx context.Context, path string, body any, auth func(*resty.Request)) (*resty.Response, error) {
	return c.do(ctx, func(r *resty.Request) (*resty.Response, error) {
		return r.SetHeader("Content-Type", "application/json").SetBody(body).Put(c.URL(path))
	}, auth)
}

// Delete sends a DELETE.
func (c *Client) Delete(ctx context.Context, path string, query url.Values, auth func(*resty.Request)) (*resty.Response, error) {
	return c.do(ctx, func(r *resty.Request) (*resty.Response, error) {
		return r.SetQueryParamsFromValues(query).Delete(c.URL(path))
	}, auth)
}

// PostJSON posts body as JSON to path, with the same retries as Get.
func (c *Client) PostJSON(ctx context.Context, path string, body any, auth func(*resty.Request)) (*resty.Response, error) {
	return c.do(ctx, func(r *resty.Request) (*resty.Response, error) {
		return r.SetHeader("Content-Type", "application/json").SetBody(body).Post(c.URL(path))
	}, auth)
}

func (c *Client) do(ctx context.Context, send func(*resty.Request) (*resty.Response, error), auth func(*resty.Request)) (*resty.Response, error) {
	var last error
	var lastStatus int
	var lastWait time.Duration
	for attempt := 1; attempt <= c.Attempts; attempt++ {
		if c.Gate != nil {
			if err := c.Gate(ctx); err != nil {
				return nil, err
			}
		}
		req := c.http.R().SetContext(ctx)
		if auth != nil {
			auth(req)
		}
		resp, err := send(req)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, ctxErr
		}
		var wait time.Duration
		switch {
		case errors.As(err, new(*RedirectError)):
			return nil, err
		case errors.Is(err, resty.ErrResponseBodyTooLarge):
			return nil, domain.Errorf(domain.EINVALID, "%s sent an answer larger than %d MB, more than any page of its API should be; "+
				"nothing of it was used (check the address in %s)", c.base.Host, MaxResponse>>20, c.Settings)
		case err != nil:
			last = transportError(c.base.Host, err)
			wait = c.Backoff(attempt)
		case resp.StatusCode() >= 200 && resp.StatusCode() < 300, c.Keep[resp.StatusCode()]:
			return resp, nil
		case resp.StatusCode() == http.StatusTooManyRequests || resp.StatusCode() >= 500:
			last = domain.Errorf(domain.EINTERNAL, "%s answered HTTP %d %s", c.base.Host, resp.StatusCode(), summary(resp))
			wait = retryAfter(resp.Header())
			lastStatus, lastWait = resp.StatusCode(), wait
			if wait == 0 {
				wait = c.Backoff(attempt)
			}
		default:
			return nil, statusError(c.base.Host, resp, c.Settings)
		}
		if attempt == c.Attempts {
			break
		}
		if wait > c.MaxWait { // asked to wait longer than makes sense now: come back later
			return nil, &RetryableError{Status: lastStatus, Wait: wait, Err: fmt.Errorf("%w; it asks to wait %s", last, wait.Round(time.Second))}
		}
		if err := Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
	return nil, &RetryableError{Status: lastStatus, Wait: lastWait, Err: fmt.Errorf("gave up after %d attempts: %w", c.Attempts, last)}
}

// RedirectError is a redirect to another address (scheme, host or port)
// than the one configured, refused: the request carried credentials meant
// for the configured address only.
type RedirectError struct {
	From, To string // scheme://host[:port]
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected to %s; Portolan sends credentials only to the address configured, so it did not follow. "+
		"If the service has moved, change its address to the new one", e.From, e.To)
}

// sameOrigin is the redirect policy: follow within the scheme, host and
// port of the first request (at most 10 times), refuse anything else.
type sameOrigin struct{}

func (sameOrigin) Apply(req *http.Request, via []*http.Request) error {
	from, to := via[0].URL, req.URL
	if !strings.EqualFold(to.Scheme, from.Scheme) || !strings.EqualFold(to.Host, from.Host) {
		return &RedirectError{From: from.Scheme + "://" + from.Host, To: to.Scheme + "://" + to.Host}
	}
	if len(via) >= 10 {
		return fmt.Errorf("%s redirected 10 times; stopped", from.Host)
	}
	return nil
}

// RetryableError is a request that failed on a status or transport error
// worth trying again later: Status is the last HTTP status (0 for a
// transport error), Wait what the service asked to wait (0 when it did not say).
type RetryableError struct {
	Status int
	Wait   time.Duration
	Err    error
}

func (e *RetryableError) Error() string { return e.Err.Error() }
func (e *RetryableError) Unwrap() error { return e.Err }

// Sleep waits for d or until ctx ends.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryAfter reads how long the store asks to wait: Retry-After in seconds
// (possibly fractional) or as an HTTP date, or X-Rate-Limit-Time-Reset-Ms.
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second))
		}
		// An HTTP date counts from the response's own Date (RFC 9110
		// §10.2.3): the server's clock, not ours.
		if at, err := http.ParseTime(v); err == nil {
			if sent, err := http.ParseTime(h.Get("Date")); err == nil {
				if d := at.Sub(sent); d > 0 {
					return d
				}
			} else {
				return time.Second // no Date to count from: a short wait, then ask again
			}
		}
	}
	if v := h.Get("X-Rate-Limit-Time-Reset-Ms"); v != "" {
		if ms, err := strconv.Atoi(v); err == nil && ms >= 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 0
}

func transportError(host string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return domain.Errorf(domain.EINTERNAL, "%s did not answer in time", host)
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return domain.Errorf(domain.EINVALID, "%s cannot be found; check the store address", host)
	}
	return domain.Errorf(domain.EINTERNAL, "cannot reach %s: %v", host, errors.Unwrap(err))
}

func statusError(host string, resp *resty.Response, settings string) error {
	switch resp.StatusCode() {
	case http.StatusUnauthorized, http.StatusForbidden:
		return &CredentialsError{domain.Errorf(domain.EINVALID, "%s refused the credentials (HTTP %d %s); check them in %s",
			host, resp.StatusCode(), summary(resp), settings)}
	case http.StatusNotFound:
		return domain.Errorf(domain.EINVALID, "%s has no such API (HTTP 404 %s); check the store address", host, summary(resp))
	}
	return &StatusError{Status: resp.StatusCode(), Body: resp.Body(),
		Err: domain.Errorf(domain.EINVALID, "%s answered HTTP %d %s", host, resp.StatusCode(), summary(resp))}
}

// StatusError is an answer refused with a status that is not worth retrying
// (other than 401, 403 and 404), with its body for a caller that can act on
// the API's own error code.
type StatusError struct {
	Status int
	Body   []byte
	Err    error
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// summary is a short, single-line excerpt of an error body.
func summary(resp *resty.Response) string {
	b := strings.Join(strings.Fields(string(resp.Body())), " ")
	if len(b) > 160 {
		b = b[:160] + "…"
	}
	if b == "" {
		return ""
	}
	return "(" + b + ")"
}

// CredentialsError is a refusal of the credentials (HTTP 401 or 403).
type CredentialsError struct{ Err error }

func (e *CredentialsError) Error() string { return e.Err.Error() }
func (e *CredentialsError) Unwrap() error { return e.Err }

type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
