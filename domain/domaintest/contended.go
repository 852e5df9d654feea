package domaintest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/portolan/portolan/domain"
)

// ContendedAllocation is what a busy week looks like to the planner: n open
// orders of 1–4 lines to 30 countries on four continents, 24 SKUs each
// stocked in 4–5 of 8 warehouses (Europe, North America, Asia, Oceania),
// demand above the cheapest warehouse's stock for every SKU and above all
// stock for four of them. The same seed gives the same instance.
func ContendedAllocation(seed uint64, n int) domain.AllocInput {
	rng := rand.New(rand.NewPCG(seed, 17))
	whs := []domain.Warehouse{wh("NL-VEN", "NL"), wh("DE-LEJ", "DE"), wh("PL-POZ", "PL"), wh("GB-DAV", "GB"),
		wh("US-NJE", "US"), wh("US-ONT", "US"), wh("JP-ICH", "JP"), wh("AU-SYD", "AU")}
	countries := []domain.Country{"NL", "DE", "FR", "IT", "ES", "PL", "SE", "AT", "BE", "CZ", "GB", "IE", "CH", "NO",
		"US", "CA", "MX", "BR", "JP", "KR", "SG", "TW", "HK", "AU", "NZ", "AE", "IL", "TR", "ZA", "IN"}
	var rates []domain.Rate
	for i, w := range whs {
		home := w.Address.Country
		for j, c := range countries {
			var cost int64
			var days int
			switch {
			case c == home:
				cost, days = 390+int64((i*7+j*3)%5)*40, 1
			case domain.Region(c) == domain.Region(home):
				cost, days = 620+int64((i*5+j*11)%9)*55, 2+(i+j)%2
			default:
				cost, days = 1450+int64((i*13+j*7)%11)*95, 4+(i*3+j)%4
			}
			rates = append(rates, domain.Rate{Warehouse: w.Code, Country: c, Cost: cost, TransitDays: days})
		}
	}
	skus := make([]string, 24)
	for i := range skus {
		skus[i] = fmt.Sprintf("PRT-%05d", 10040+i*20)
	}
	orders := make([]domain.PlanOrder, n)
	demand := map[string]int64{}
	t0 := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	for i := range orders {
		o := domain.PlanOrder{ID: int64(i + 1), Number: fmt.Sprintf("SH-%d", 1000+i), Country: countries[rng.IntN(len(countries))],
			Priority: rng.IntN(3) - 1, PlacedAt: t0.Add(-time.Duration(rng.IntN(7*24*60)) * time.Minute)}
		used := map[string]bool{}
		for l := range 1 + rng.IntN(4) {
			sku := skus[rng.IntN(len(skus))]
			for used[sku] {
				sku = skus[rng.IntN(len(skus))]
			}
			used[sku] = true
			q := 1 + rng.IntN(2)
			if rng.IntN(8) == 0 {
				q = 3
			}
			demand[sku] += int64(q)
			o.Lines = append(o.Lines, domain.PlanLine{LineNo: l + 1, SKU: sku, Qty: domain.Quantity(q), Value: int64(1500 + rng.IntN(6000))})
		}
		orders[i] = o
	}
	avail := map[string]map[string]domain.Quantity{}
	for k, sku := range skus {
		at := rng.Perm(len(whs))[:4+rng.IntN(2)]
		share := 1.15 // more than is ordered, but nowhere near it in one place
		if k%6 == 5 {
			share = 0.8 // four SKUs: less than is ordered
		}
		total := int64(float64(demand[sku]) * share)
		avail[sku] = map[string]domain.Quantity{}
		weights := make([]int, len(at))
		sum := 0
		for i := range weights {
			weights[i] = 2 + rng.IntN(5)
			sum += weights[i]
		}
		for i, w := range at {
			avail[sku][whs[w].Code] = domain.Quantity(total * int64(weights[i]) / int64(sum))
		}
	}
	cfg := domain.DefaultAllocConfig()
	return domain.AllocInput{Orders: orders, Warehouses: whs, Available: avail, Rates: rates, Config: cfg}
}

func wh(code, country string) domain.Warehouse {
	return domain.Warehouse{Code: code, Address: domain.Address{Country: domain.Country(country)}}
}
