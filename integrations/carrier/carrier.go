// Package carrier makes the tracking client of a carrier account.
package carrier

import (
	"context"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/dhl"
	"github.com/portolan/portolan/integrations/carrier/easypost"
	"github.com/portolan/portolan/integrations/carrier/fedex"
	"github.com/portolan/portolan/integrations/carrier/ups"
	"github.com/portolan/portolan/integrations/carrier/usps"
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
