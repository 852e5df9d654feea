// Package carrier tells the errors of the carrier clients (dhl, ups, fedex,
// usps, easypost) apart for the poller: refused credentials, and answers
// worth trying again later.
package carrier

import (
	"errors"
	"time"

	"github.com/portolan/portolan/integrations/internal/rest"
)

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
