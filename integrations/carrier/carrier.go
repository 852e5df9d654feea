// Package carrier makes the tracking client of a carrier account.
package carrier

import (
	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/carrier/dhl"
	"github.com/portolan/portolan/integrations/carrier/easypost"
	"github.com/portolan/portolan/integrations/carrier/fedex"
	"github.com/portolan/portolan/integrations/carrier/ups"
	"github.com/portolan/portolan/integrations/carrier/usps"
)

// New returns the tracker of an account.
func New(a domain.CarrierAccount) (domain.Tracker, error) {
	switch a.Kind {
	case domain.CarrierDHL:
		return dhl.New(a)
	case domain.CarrierUPS:
		return ups.New(a)
	case domain.CarrierFedEx:
		return fedex.New(a)
	case domain.CarrierUSPS:
		return usps.New(a)
	case domain.CarrierEasyPost:
		return easypost.New(a)
	}
	return nil, domain.Errorf(domain.EINVALID, "no tracking client for carrier kind %q", a.Kind)
}
