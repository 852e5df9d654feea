package domain_test

import (
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestSelectWave(t *testing.T) {
	c := []domain.WaveCandidate{
		{OrderID: 1, Service: "Standard shipping", Lines: 5},
		{OrderID: 2, Service: "DHL Express", Lines: 2},
		{OrderID: 3, Service: "Standard shipping", Lines: 3},
		{OrderID: 4, Service: "Priority Overnight", Lines: 1},
		{OrderID: 5, Service: "Standard shipping", Lines: 1},
	}
	carrierFor := func(s string) string {
		if s == "Priority Overnight" {
			return "FedEx"
		}
		return "DHL"
	}
	ids := func(cs []domain.WaveCandidate) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.OrderID)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    domain.WaveFilter
		want []int64
	}{
		{"everything, in order", domain.WaveFilter{}, []int64{1, 2, 3, 4, 5}},
		{"two orders", domain.WaveFilter{MaxOrders: 2}, []int64{1, 2}},
		{"lines: never cut an order, stop at the first that does not fit", domain.WaveFilter{MaxLines: 8}, []int64{1, 2}},
		{"lines: the first order goes however large", domain.WaveFilter{MaxLines: 3}, []int64{1}},
		{"express only", domain.WaveFilter{Express: true}, []int64{2, 4}},
		{"one carrier", domain.WaveFilter{Carrier: " fedex "}, []int64{4}},
		{"express, capped", domain.WaveFilter{Express: true, MaxOrders: 1}, []int64{2}},
	} {
		got := ids(domain.SelectWave(c, tt.f, carrierFor))
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
				break
			}
		}
	}
}
