package pdf

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// decode128 reads bar widths back into text, checking every symbol's
// width, the check symbol and the stop pattern, as a scanner would.
func decode128(t *testing.T, w []int) string {
	t.Helper()
	index := map[string]int{}
	for v, p := range code128Patterns[:106] {
		index[p] = v
	}
	if len(w) < 13 || len(w)%6 != 1 {
		t.Fatalf("%d elements", len(w))
	}
	var vals []int
	for i := 0; i < len(w)-7; i += 6 {
		var b strings.Builder
		sum := 0
		for _, x := range w[i : i+6] {
			b.WriteByte(byte('0' + x))
			sum += x
		}
		if sum != 11 {
			t.Fatalf("symbol %d is %d modules wide", i/6, sum)
		}
		v, ok := index[b.String()]
		if !ok {
			t.Fatalf("unknown pattern %s", b.String())
		}
		vals = append(vals, v)
	}
	var stop strings.Builder
	for _, x := range w[len(w)-7:] {
		stop.WriteByte(byte('0' + x))
	}
	if stop.String() != code128Patterns[code128Stop] {
		t.Fatalf("no stop pattern: %s", stop.String())
	}
	sum := vals[0]
	for k := 1; k < len(vals)-1; k++ {
		sum += k * vals[k]
	}
	if sum%103 != vals[len(vals)-1] {
		t.Fatalf("check symbol %d, want %d", vals[len(vals)-1], sum%103)
	}
	var out strings.Builder
	set := map[int]byte{code128StartB: 'B', code128StartC: 'C'}[vals[0]]
	for _, v := range vals[1 : len(vals)-1] {
		switch {
		case set == 'C' && v == code128CodeB:
			set = 'B'
		case set == 'B' && v == code128CodeC:
			set = 'C'
		case set == 'C':
			out.WriteString(string([]byte{byte('0' + v/10), byte('0' + v%10)}))
		default:
			out.WriteByte(byte(v + 32))
		}
	}
	return out.String()
}

func TestCode128RoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 28))
	cases := []string{"A-01-01-1", "PRT-10042", "WAVE-17", "12345678", "1234567", "X9", "00", "BULK-03", "ab c~{}"}
	for range 500 {
		n := 1 + rng.IntN(20)
		b := make([]byte, n)
		for i := range b {
			if rng.IntN(2) == 0 {
				b[i] = byte('0' + rng.IntN(10))
			} else {
				b[i] = byte(32 + rng.IntN(95))
			}
		}
		cases = append(cases, string(b))
	}
	for _, c := range cases {
		vals, err := Code128(c)
		if err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		if got := decode128(t, code128Modules(vals)); got != c {
			t.Fatalf("%q came back as %q", c, got)
		}
	}
	// Digits are packed two to a symbol: 12 digits take 6 symbols, not 12.
	if vals, _ := Code128("123456789012"); len(vals) != 1+6+1 {
		t.Errorf("12 digits encoded in %d symbols", len(vals))
	}
	for _, bad := range []string{"", "Ωmega", "tab\there"} {
		if _, err := Code128(bad); err == nil {
			t.Errorf("%q encoded", bad)
		}
	}
}
