package domain

// IndicativePerUSD is units of each currency per US dollar, × 1000: rough,
// fixed rates used only where amounts in different currencies must be
// weighed against each other (the demo's prices, the allocation planner's
// minimum split value), never to state what anybody owes.
var IndicativePerUSD = map[Currency]int64{
	"USD": 1000, "EUR": 920, "GBP": 790, "JPY": 150000, "CNY": 7200, "KRW": 1380000, "UAH": 41000,
	"RSD": 108000, "AED": 3673, "SAR": 3750, "KWD": 307, "EGP": 48500, "PLN": 3950, "CZK": 23100,
	"SEK": 10500, "DKK": 6860, "NOK": 10800, "HUF": 360000, "RON": 4580, "TRY": 34000, "CHF": 880,
	"CAD": 1380, "MXN": 18200, "BRL": 5600, "AUD": 1520, "NZD": 1680, "SGD": 1340, "VND": 25400000,
}

// IndicativeEUR converts m at the indicative rates into euro cents; 0 for a
// currency without a rate.
func IndicativeEUR(m Money) int64 {
	per := IndicativePerUSD[m.Currency]
	if per == 0 {
		return 0
	}
	scale := int64(1)
	for range m.Currency.Exponent() {
		scale *= 10
	}
	// minor/scale units ÷ (per/1000) = USD; × EUR-per-USD/1000 = EUR; × 100 = cents.
	return m.Amount * IndicativePerUSD["EUR"] * 100 / (scale * per)
}
