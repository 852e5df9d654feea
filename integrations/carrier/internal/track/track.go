// Package track holds what the carrier clients share: an OAuth token cache,
// refining a carrier's coarse status by its words, lenient time and JSON
// types, and a place name from parts.
package track

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// Token caches an OAuth client-credentials token until a minute before it
// expires; Invalidate drops it (the API refused it mid-run). Its lifetime is
// real elapsed time, measured by a timer, not a clock reading: the carrier's
// server counts it so.
type Token struct {
	mu      sync.Mutex
	access  string
	expired <-chan time.Time
	// Fetch asks the carrier for a new token and its lifetime.
	Fetch func(ctx context.Context) (string, time.Duration, error)
}

// Get returns a valid token, fetching one when there is none or it expires
// within a minute.
func (t *Token) Get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.access != "" {
		select {
		case <-t.expired:
			t.access = ""
		default:
			return t.access, nil
		}
	}
	tok, life, err := t.Fetch(ctx)
	if err != nil {
		return "", err
	}
	if life <= 0 {
		life = 30 * time.Minute
	}
	t.access, t.expired = tok, time.After(max(life-time.Minute, 0))
	return tok, nil
}

// OAuth is a Token for an OAuth client-credentials grant: request asks the
// carrier's token endpoint (each carrier sends the credentials its own way)
// and the answer is the standard {"access_token", "expires_in"} JSON, whose
// lifetime may be a number or a string. carrier names it in the error when
// the answer is not that JSON.
func OAuth(carrier string, request func(ctx context.Context) (*resty.Response, error)) *Token {
	return &Token{Fetch: func(ctx context.Context) (string, time.Duration, error) {
		resp, err := request(ctx)
		if err != nil {
			return "", 0, err
		}
		var tok struct {
			AccessToken string `json:"access_token"`
			ExpiresIn   Text   `json:"expires_in"`
		}
		if err := json.Unmarshal(resp.Body(), &tok); err != nil || tok.AccessToken == "" {
			return "", 0, domain.Errorf(domain.EINVALID, "%s's token answer is not the JSON its API documents", carrier)
		}
		return tok.AccessToken, Seconds(tok.ExpiresIn), nil
	}}
}

// Invalidate forgets the token.
func (t *Token) Invalidate() {
	t.mu.Lock()
	t.access = ""
	t.mu.Unlock()
}

// Check proves the credentials by getting a new token.
func (t *Token) Check(ctx context.Context) error {
	t.Invalidate()
	_, err := t.Get(ctx)
	return err
}

// Do sends a request with the token; when the API refuses it (it expired or
// was revoked mid-run) it gets a new token and sends the request once more.
func (t *Token) Do(ctx context.Context, send func(token string) (*resty.Response, error)) (*resty.Response, error) {
	for again := true; ; again = false {
		tok, err := t.Get(ctx)
		if err != nil {
			return nil, err
		}
		resp, err := send(tok)
		var ce *rest.CredentialsError
		if errors.As(err, &ce) && again {
			t.Invalidate()
			continue
		}
		return resp, err
	}
}

// CheckByTracking is a client's Check: it asks for probe (a number no
// parcel has) and wants the answer the API documents, not merely an
// answer: a tracking result, or a not-found, in the documented JSON.
func CheckByTracking(ctx context.Context, t domain.Tracker, probe, carrier string) error {
	res, err := t.Track(ctx, []string{probe})
	if err != nil {
		return err
	}
	if len(res) != 1 || !json.Valid(res[0].Raw) {
		return domain.Errorf(domain.EINVALID, "%s answered, but not with the JSON its tracking API documents; check the account's address", carrier)
	}
	return nil
}

// Answer begins the result for number n from a carrier's answer. A 404 is a
// number the carrier does not know: NotFound holds its words (said reads
// them from its error body E) or else fallback, and done is true. Any other
// answer is decoded into v and must be the JSON the carrier documents, an
// object holding key.
func Answer[E any](carrier, n string, resp *resty.Response, key string, v any, said func(E) string, fallback string) (res domain.TrackResult, done bool, err error) {
	res = domain.TrackResult{Number: n, Raw: resp.Body()}
	if resp.StatusCode() == http.StatusNotFound {
		var e E
		_ = json.Unmarshal(resp.Body(), &e)
		if res.NotFound = said(e); res.NotFound == "" {
			res.NotFound = fallback
		}
		return res, true, nil
	}
	if err := json.Unmarshal(resp.Body(), v); err != nil {
		return res, true, domain.Errorf(domain.EINVALID, "%s's answer for %s is not the JSON its API documents: %v", carrier, n, err)
	}
	if !HasKey(resp.Body(), key) {
		return res, true, domain.Errorf(domain.EINVALID, "%s's answer for %s is not the JSON its API documents: it has no %s", carrier, n, key)
	}
	return res, false, nil
}

// HasKey says whether body is a JSON object with key at its top level: the
// mark of the answer an API documents ({"shipments": …}), as against any
// other JSON a proxy or a wrong address might send.
func HasKey(body []byte, key string) bool {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) != nil {
		return false
	}
	_, ok := top[key]
	return ok
}

// InBatches tracks numbers in batches of up to size (1: one at a time, for
// APIs that take one number a request), stopping at the first error with
// the results so far.
func InBatches(ctx context.Context, numbers []string, size int, batch func(ctx context.Context, numbers []string) ([]domain.TrackResult, error)) ([]domain.TrackResult, error) {
	var out []domain.TrackResult
	for i := 0; i < len(numbers); i += size {
		rs, err := batch(ctx, numbers[i:min(i+size, len(numbers))])
		if err != nil {
			return out, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// OneByOne tracks numbers one at a time (APIs that take one number a request).
func OneByOne(ctx context.Context, numbers []string, one func(ctx context.Context, number string) (domain.TrackResult, error)) ([]domain.TrackResult, error) {
	return InBatches(ctx, numbers, 1, func(ctx context.Context, n []string) ([]domain.TrackResult, error) {
		r, err := one(ctx, n[0])
		if err != nil {
			return nil, err
		}
		return []domain.TrackResult{r}, nil
	})
}

// Refine turns a carrier's coarse milestone into a finer one by the words of
// its status: customs holds and clearances, out for delivery, failed
// delivery attempts and returns are often only said in the text.
func Refine(base domain.Milestone, text string) domain.Milestone {
	s := strings.ToLower(text)
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(s, w) {
				return true
			}
		}
		return false
	}
	if base == domain.MilestoneDelivered || base == domain.MilestoneLabelCreated && !has("picked up", "accepted") {
		return base
	}
	switch {
	case has("return to sender", "returned to sender", "returning to sender", "return to shipper", "returned to shipper"):
		return domain.MilestoneReturned
	case has("customs", "clearance", "clearing agency") && has("held", "hold", "delay", "awaiting", "documents required", "duties", "detained"):
		return domain.MilestoneCustomsHold
	case has("customs", "clearance", "clearing agency") && has("complete", "cleared", "released"):
		return domain.MilestoneCustomsCleared
	case has("delivery attempt", "attempted delivery", "second attempt", "could not be delivered", "not delivered", "notice left",
		"recipient not", "receiver not", "receiver was not", "not available for delivery", "no one"):
		return domain.MilestoneDeliveryFailed
	case has("out for delivery", "with delivery courier", "on vehicle for delivery", "available for pickup", "ready for pickup"):
		return domain.MilestoneOutForDelivery
	case has("picked up", "accepted at", "acceptance", "shipment accepted") && (base == domain.MilestoneInTransit || base == domain.MilestoneLabelCreated):
		return domain.MilestonePickedUp
	}
	return base
}

// ParseTime reads the timestamps carriers send: RFC 3339 with or without
// fractions or a zone (no zone: taken as UTC), or a date alone.
func ParseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02 15:04:05", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// Place joins the non-empty parts of a location.
func Place(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// Bool is a JSON boolean some APIs send as a string ("true").
type Bool bool

// UnmarshalJSON accepts true, "true", "True", 1 and their opposites.
func (b *Bool) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	v, err := strconv.ParseBool(strings.ToLower(s))
	if err != nil && s != "" && s != "null" {
		return err
	}
	*b = Bool(v)
	return nil
}

// List is a JSON array that some APIs send as a single object when it has
// one element.
type List[T any] []T

// UnmarshalJSON accepts an array, one object, or null.
func (l *List[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0 || bytes.Equal(data, []byte("null")):
		*l = nil
		return nil
	case data[0] == '[':
		var xs []T
		if err := json.Unmarshal(data, &xs); err != nil {
			return err
		}
		*l = xs
		return nil
	}
	var x T
	if err := json.Unmarshal(data, &x); err != nil {
		return err
	}
	*l = List[T]{x}
	return nil
}

// Text is a JSON string that may come as a number.
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		*t = Text(s)
		return nil
	}
	if bytes.Equal(data, []byte("null")) {
		*t = ""
		return nil
	}
	*t = Text(data)
	return nil
}

// Seconds reads a lifetime given as a number or a string of seconds.
func Seconds(t Text) time.Duration {
	n, err := strconv.ParseFloat(strings.TrimSpace(string(t)), 64)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n * float64(time.Second))
}

// Latest is the milestone of the newest event, for APIs that only send events.
func Latest(events []domain.TrackEvent) (domain.TrackEvent, bool) {
	var best domain.TrackEvent
	found := false
	for _, e := range events {
		if !found || e.At.After(best.At) {
			best, found = e, true
		}
	}
	return best, found
}

// NewREST makes the HTTP client of a carrier account: https only (http to
// this computer), a 20 s timeout, three tries with the carrier's
// Retry-After honoured up to 30 s, the statuses the carrier uses for "no
// such number" kept as answers, and the gate (the first of gates, as a
// client's New receives it; none: no gate) before every request.
func NewREST(a domain.CarrierAccount, gates []func(context.Context) error, keep ...int) (*rest.Client, error) {
	u, err := domain.CheckCredentialURL(a.BaseURL)
	if err != nil {
		return nil, err
	}
	c := rest.New(u, 20*time.Second)
	c.Attempts, c.MaxWait = 3, 30*time.Second
	c.Settings = "the carrier account " + strconv.Quote(a.Name) + " (Shipments → Carrier accounts)"
	if len(gates) > 0 {
		c.Gate = gates[0]
	}
	c.Keep = map[int]bool{}
	for _, s := range keep {
		c.Keep[s] = true
	}
	return c, nil
}

// Reference is the reference a parcel's shipment is bought under, for
// carriers that create a shipment only when it is bought: unique to the
// quote (a voided label's shipment keeps the old one), at most 35
// characters (DHL's, UPS's and FedEx's customer references).
func Reference(reference string, at time.Time) string {
	suffix := "-" + strconv.FormatInt(at.UnixMilli(), 36)
	if len(reference)+len(suffix) > 35 {
		reference = reference[:35-len(suffix)]
	}
	return reference + suffix
}

// SellerREST makes a shipping account's two clients: api keeps the
// carrier's refusals in words (400, 404, 422) as answers, to be shown; buy
// is api tried once — a purchase is never sent twice blindly (an answer
// lost after the carrier sold the label is asked about instead).
func SellerREST(a domain.CarrierAccount) (api, buy *rest.Client, err error) {
	api, err = NewREST(a, nil, http.StatusBadRequest, http.StatusNotFound, http.StatusUnprocessableEntity)
	if err != nil {
		return nil, nil, err
	}
	once := *api
	once.Attempts = 1
	return api, &once, nil
}

// OAuthREST makes an OAuth API's client (NewREST) and the token that
// fetch gets through it (OAuth).
func OAuthREST(a domain.CarrierAccount, gates []func(context.Context) error, carrier string,
	fetch func(ctx context.Context, rc *rest.Client) (*resty.Response, error), keep ...int) (*rest.Client, *Token, error) {
	rc, err := NewREST(a, gates, keep...)
	if err != nil {
		return nil, nil, err
	}
	return rc, OAuth(carrier, func(ctx context.Context) (*resty.Response, error) { return fetch(ctx, rc) }), nil
}

// OAuthSeller is what a label seller on an OAuth API keeps (UPS, FedEx,
// USPS): its token, its two clients (SellerREST), the account labels are
// billed to, the label format it asks for, and Portolan's clock.
type OAuthSeller struct {
	Token *Token
	// API keeps the carrier's refusals (400, 404, 422) as answers, to show
	// them; Once is API tried once, for purchases (a lost answer is asked
	// about, not resent).
	API, Once *rest.Client
	Account   string
	// Image is the label format asked for: the carrier's image format, or
	// its ZPL for an account whose labels print on a thermal printer.
	Image string
	Now   func() time.Time
}

// NewOAuthSeller makes the seller's clients for the account; image and zpl
// are the carrier's names of its label formats.
func NewOAuthSeller(a domain.CarrierAccount, token *Token, now func() time.Time, image, zpl string) (OAuthSeller, error) {
	api, buy, err := SellerREST(a)
	if err != nil {
		return OAuthSeller{}, err
	}
	if a.ZPL {
		image = zpl
	}
	return OAuthSeller{Token: token, API: api, Once: buy, Account: a.Number, Image: image, Now: now}, nil
}

// PurchaseFailed reads a purchase that got no answer in words: with no
// answer at all (a timeout, a dropped connection, a 5xx from a proxy, the
// purchase cancelled in flight) the carrier may have sold the label, and
// the error wraps domain.ErrPurchaseUncertain; a refusal, or 429 — turned
// away before any work — bought nothing and is returned as it is.
func PurchaseFailed(ctx context.Context, err error, what string) error {
	var retry *rest.RetryableError
	if ctx.Err() != nil || (errors.As(err, &retry) && retry.Status != http.StatusTooManyRequests) {
		return fmt.Errorf("%w (%s): %v", domain.ErrPurchaseUncertain, what, err)
	}
	return err
}

// Quoted keeps what a carrier was asked to quote, by the reference it is
// bought under, until it is bought: carriers that create a shipment only
// when it is bought take the same shipment again then.
type Quoted[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

// Put keeps v under ref.
func (q *Quoted[T]) Put(ref string, v T) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.m == nil {
		q.m = map[string]T{}
	}
	q.m[ref] = v
}

// Get is what was quoted under ref.
func (q *Quoted[T]) Get(ref string) (T, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	v, ok := q.m[ref]
	return v, ok
}

// Spend forgets what was quoted under each ref: it was bought.
func (q *Quoted[T]) Spend(refs ...string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, r := range refs {
		delete(q.m, r)
	}
}
