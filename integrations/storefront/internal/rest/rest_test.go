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
	h = http.Header{}
	h.Set("Retry-After", time.Now().Add(3*time.Second).UTC().Format(http.TimeFormat))
	if d := retryAfter(h); d <= time.Second || d > 3*time.Second {
		t.Errorf("Retry-After date = %v", d)
	}
	if d := retryAfter(http.Header{}); d != 0 {
		t.Errorf("no header = %v", d)
	}
}
