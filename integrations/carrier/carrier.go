// Package carrier makes the tracking client of a carrier account.
package carrier

import (
	"context"
	"errors"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/dhl"
	"github.com/portolan/portolan/integrations/carrier/easypost"
	"github.com/portolan/portolan/integrations/carrier/fedex"
	"github.com/portolan/portolan/integrations/carrier/ups"
	"github.com/portolan/portolan/integrations/carrier/usps"
	"github.com/portolan/portolan/integrations/internal/rest"
)

// New returns the tracker of an account; gate (when not nil) runs before
// every HTTP request it makes, retries and token requests included.
func New(a domain.CarrierAccount, gate func(context.Context) error) (domain.Tracker, error) {
	switch a.Kind {
	case domain.CarrierDHL:
		return dhl.New(a, gate)
	case domain.CarrierUPS:
		return ups.New(a, gate)
	case domain.CarrierFedEx:
		return fedex.New(a, gate)
	case domain.CarrierUSPS:
		return usps.New(a, gate)
	case domain.CarrierEasyPost:
		return easypost.New(a, gate)
	}
	return nil, domain.Errorf(domain.EINVALID, "no tracking client for carrier kind %q", a.Kind)
}

// IsRefused reports whether err is the carrier refusing the account's
// credentials (HTTP 401/403), with the error to show.
func IsRefused(err error) (error, bool) {
	var ce *rest.CredentialsError
	if errors.As(err, &ce) {
		return ce, true
	}
	return nil, false
}

// RetryLater reports whether err is worth trying later: the last HTTP
// status (0 for a transport error) and the wait the carrier asked for.
func RetryLater(err error) (status int, wait time.Duration, ok bool) {
	var re *rest.RetryableError
	if errors.As(err, &re) {
		return re.Status, re.Wait, true
	}
	return 0, 0, false
}
