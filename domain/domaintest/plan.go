package domaintest

import "github.com/portolan/portolan/domain"

// BusiestWarehouse is the warehouse that ships the most orders of a plan in
// one parcel (the first by code on a tie): where a test makes its wave.
func BusiestWarehouse(plan domain.Plan) string {
	count := map[string]int{}
	for _, o := range plan.Orders {
		if len(o.Parcels) == 1 {
			count[o.Parcels[0].Warehouse]++
		}
	}
	wh, best := "", 0
	for w, n := range count {
		if n > best || (n == best && w < wh) {
			wh, best = w, n
		}
	}
	return wh
}
