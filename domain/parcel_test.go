package domain

import (
	"strings"
	"testing"
)

func TestCarrierFor(t *testing.T) {
	set := ShippingSettings{Carriers: map[string]string{"Flat rate": "DPD", "Standard shipping": "PostNL"}}
	for service, want := range map[string]string{
		"DHL Express":                  "DHL",
		"dhl express worldwide":        "DHL",
		"UPS Ground":                   "UPS",
		"FedEx International Priority": "FedEx",
		"flat rate":                    "DPD", // the settings, case-insensitively
		"Standard shipping":            "PostNL",
		"SF Express Economy":           "SF Express",
		"Royal Mail Tracked 48":        "Royal Mail",
		"Priority Overnight":           "",
		"Express 1–2 business days":    "",
		"Groups (no carrier)":          "", // "UPS" inside a word is not UPS
	} {
		if got := set.CarrierFor(service); got != want {
			t.Errorf("CarrierFor(%q) = %q, want %q", service, got, want)
		}
	}
}

func TestNeedsLatin(t *testing.T) {
	wh := Warehouse{Address: Address{Country: "NL"}}
	set := ShippingSettings{LatinCarriers: []string{"DHL"}}
	gr := Address{Name: "Νίκος Παπαδόπουλος", Line1: "Οδός Ερμού 10", City: "Αθήνα", Country: "GR"}
	ru := Address{Name: "Иван Петров", Line1: "ул. Тверская 1", City: "Москва", Country: "RU"}
	for _, c := range []struct {
		to      Address
		carrier string
		want    bool
	}{
		{gr, "DHL", false}, // EU to EU: no customs, no warning
		{ru, "DHL", true},
		{ru, "dhl", true},
		{ru, "Russian Post", false},
		{ru, "", true},
		{Address{Name: "Ivan Petrov", Line1: "ul. Tverskaya 1", City: "Moskva", Country: "RU"}, "DHL", false},
	} {
		p := PackedParcel{Warehouse: wh, ShipTo: c.to, Carrier: c.carrier}
		if got := set.NeedsLatin(p); got != c.want {
			t.Errorf("%s by %q: NeedsLatin = %v", c.to.Name, c.carrier, got)
		}
	}
}

// A carrier's declaration starts from Declared: nothing within a customs
// territory, the pre-flight's refusal where the declaration lacks
// something, else the contents' value.
func TestADeclarationStartsFromThePreflight(t *testing.T) {
	parcel := func(from, to Country, hs string) PackedParcel {
		return PackedParcel{Seq: 1, Number: "SH-1", Weight: 900, Currency: "EUR",
			Warehouse: Warehouse{Address: Address{Country: from}}, ShipTo: Address{Country: to, Phone: "+1 212 555 0100"},
			Lines: []ParcelLine{{SKU: "PRT-1", Qty: 3, UnitPrice: NewMoney(1250, "EUR"), HSCode: hs, Origin: "NZ", UnitWeight: 120}}}
	}
	if v, customs, err := parcel("NL", "DE", "").Declared(); customs || err != nil || v.Amount != 0 {
		t.Errorf("within the EU: %v %v %v", v, customs, err)
	}
	if v, customs, err := parcel("NL", "US", "6505.00").Declared(); !customs || err != nil || v != NewMoney(3750, "EUR") {
		t.Errorf("to the US: %v %v %v", v, customs, err)
	}
	if _, customs, err := parcel("NL", "GB", "6505.00").Declared(); !customs || err != nil {
		t.Errorf("the EU to Great Britain crosses a customs border: %v %v", customs, err)
	}
	if _, customs, err := parcel("NL", "US", "").Declared(); !customs || err == nil || !strings.Contains(err.Error(), "HS code") {
		t.Errorf("without an HS code: %v %v", customs, err)
	}
}
