package rest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/portolan/portolan/domain"
)

// Keyset is a position in a list sorted by modification time that is paged by
// an anchor time ("changed after/since") plus a page number, for APIs whose
// lists are numbered pages (WooCommerce, BigCommerce). Re-anchoring on the
// newest modification read, instead of counting pages, means an order changed
// during a sync moves behind the anchor rather than shifting a page.
type Keyset struct {
	Anchor time.Time // zero: from the beginning
	Page   int       // 1-based, within the anchor
}

// ParseKeyset reads a page token; the empty token starts at since.
func ParseKeyset(token string, since time.Time) (Keyset, error) {
	if token == "" {
		return Keyset{Anchor: since.UTC().Truncate(time.Second), Page: 1}, nil
	}
	a, p, ok := strings.Cut(token, ":")
	secs, err1 := strconv.ParseInt(a, 10, 64)
	n, err2 := strconv.Atoi(p)
	if !ok || err1 != nil || err2 != nil || n < 1 {
		return Keyset{}, domain.Errorf(domain.EINVALID, "bad page token %q", token)
	}
	k := Keyset{Anchor: time.Unix(secs, 0).UTC(), Page: n}
	if secs == 0 {
		k.Anchor = time.Time{}
	}
	return k, nil
}

// Next is the token after a full page: re-anchored at anchor (derived by the
// caller from the page's newest modification, as its API's filter needs), or
// the next page number when that does not move past the current anchor.
func (k Keyset) Next(anchor time.Time) string {
	if anchor.IsZero() || !anchor.After(k.Anchor) {
		return fmt.Sprintf("%d:%d", unix(k.Anchor), k.Page+1)
	}
	return fmt.Sprintf("%d:1", unix(anchor))
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
