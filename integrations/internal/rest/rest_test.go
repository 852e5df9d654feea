package rest

import (
	"net/http"
	"testing"
	"time"
)

func TestExponentialJitter(t *testing.T) {
	for n := 1; n <= 5; n++ {
		base := 500 * time.Millisecond << (n - 1)
		seen := map[time.Duration]bool{}
		for range 50 {
			d := ExponentialJitter(n)
			if d < base || d > base+base/2 {
				t.Fatalf("retry %d waits %v, want %v…%v", n, d, base, base+base/2)
			}
			seen[d] = true
		}
		if len(seen) < 10 {
			t.Errorf("retry %d: only %d distinct waits, no jitter", n, len(seen))
		}
	}
}

func TestRetryAfter(t *testing.T) {
	h := http.Header{}
	h.Set("Retry-After", "2.5")
	if d := retryAfter(h); d != 2500*time.Millisecond {
		t.Errorf("Retry-After 2.5 = %v", d)
	}
	h = http.Header{}
	h.Set("X-Rate-Limit-Time-Reset-Ms", "750")
	if d := retryAfter(h); d != 750*time.Millisecond {
		t.Errorf("reset ms = %v", d)
	}
	// A date counts from the response's Date, whatever our clock says.
	h = http.Header{}
	sent := time.Date(2031, 2, 3, 4, 5, 6, 0, time.UTC)
	h.Set("Date", sent.Format(http.TimeFormat))
	h.Set("Retry-After", sent.Add(3*time.Second).Format(http.TimeFormat))
	if d := retryAfter(h); d != 3*time.Second {
		t.Errorf("Retry-After date = %v, want 3s after the response's Date", d)
	}
	h.Del("Date")
	if d := retryAfter(h); d != time.Second {
		t.Errorf("Retry-After date without Date = %v, want 1s", d)
	}
	if d := retryAfter(http.Header{}); d != 0 {
		t.Errorf("no header = %v", d)
	}
}

func TestKeyset(t *testing.T) {
	since := time.Date(2026, 11, 1, 10, 0, 0, 500, time.UTC)
	k, err := ParseKeyset("", since)
	if err != nil || !k.Anchor.Equal(since.Truncate(time.Second)) || k.Page != 1 {
		t.Fatalf("%+v %v", k, err)
	}
	later := since.Add(time.Hour)
	next := k.Next(later)
	k2, err := ParseKeyset(next, time.Time{})
	if err != nil || !k2.Anchor.Equal(later.Truncate(time.Second)) || k2.Page != 1 {
		t.Errorf("re-anchored %q → %+v %v", next, k2, err)
	}
	same := k2.Next(k2.Anchor) // a whole page in one second: next page number
	k3, _ := ParseKeyset(same, time.Time{})
	if !k3.Anchor.Equal(k2.Anchor) || k3.Page != 2 {
		t.Errorf("stepped %q → %+v", same, k3)
	}
	zero, _ := ParseKeyset(Keyset{Page: 1}.Next(time.Time{}), time.Time{})
	if !zero.Anchor.IsZero() || zero.Page != 2 {
		t.Errorf("from the beginning %+v", zero)
	}
	for _, bad := range []string{"x", "1:0", "a:1", "1"} {
		if _, err := ParseKeyset(bad, since); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}
