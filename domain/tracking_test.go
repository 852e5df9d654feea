package domain

import (
	"strings"
	"testing"
	"time"
)

func TestTrackingCheckDigits(t *testing.T) {
	valid := []struct {
		kind CarrierKind
		n    string
	}{
		{CarrierUPS, "1Z5R89390357567127"}, {CarrierUPS, "1Z879E930346834440"}, {CarrierUPS, "1Z410E7W0392751591"},
		{CarrierUPS, "1Z999AA10123456784"}, {CarrierUPS, "1ZA1B2C30300000012"}, {CarrierUPS, "1z4e1234 5600123450"},
		{CarrierFedEx, "986578788855"}, {CarrierFedEx, "477179081230"}, {CarrierFedEx, "799531274483"}, {CarrierFedEx, "123456789012"},
		{CarrierFedEx, "770000000017"}, {CarrierFedEx, "041441760228964"}, {CarrierFedEx, "0414 4176 0228 964"}, {CarrierFedEx, "568283610012000"},
		{CarrierUSPS, "9400111201080805483016"}, {CarrierUSPS, "9361289878700317633795"}, {CarrierUSPS, "03071790000523483741"},
		{CarrierUSPS, "9400100000000000000013"}, {CarrierUSPS, "RB123456785US"}, {CarrierUSPS, "RR473269528US"},
		{CarrierDHL, "3318810025"}, {CarrierDHL, "8487135506"}, {CarrierDHL, "1099255990"}, {CarrierDHL, "1234567891"},
		{CarrierDHL, "JJD0099999999"}, {CarrierDHL, "GM2951173225174494"}, {CarrierDHL, "00340434161094000001"},
		{CarrierEasyPost, "EZ1000000001"}, {CarrierEasyPost, "LX000000014DE"}, {CarrierEasyPost, "CP123456785CN"}, {CarrierEasyPost, "RB123456785GB"},
	}
	for _, c := range valid {
		if _, err := ValidateTracking(c.kind, c.n); err != nil {
			t.Errorf("%s %s: %v", c.kind, c.n, err)
		}
	}
	invalid := []struct {
		kind CarrierKind
		n    string
		why  string
	}{
		{CarrierUPS, "1Z1111111111111111", "check digit"},
		{CarrierUPS, "1Z999AA101", "18 characters"},
		{CarrierUPS, "986578788855", "not a UPS"},
		{CarrierFedEx, "996578788855", "check digit"},
		{CarrierFedEx, "041441760228965", "check digit"},
		{CarrierFedEx, "1Z999AA10123456784", "digits"},
		{CarrierUSPS, "RB123456786US", "check digit"},
		{CarrierUSPS, "03071790000523483742", "check digit"},
		{CarrierDHL, "3318810010", "check digit"},
		{CarrierEasyPost, "1Z1111111111111111", "check digit"},
		{CarrierEasyPost, "RB123456786US", "check digit"},
		{CarrierDHL, "abc", "6 to 40"},
		{CarrierDHL, "JD01 46€", "6 to 40"},
	}
	for _, c := range invalid {
		_, err := ValidateTracking(c.kind, c.n)
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("%s %s: want an error about %q, got %v", c.kind, c.n, c.why, err)
		}
	}
}

func TestDetectCarriers(t *testing.T) {
	for n, want := range map[string]string{
		"1Z999AA10123456784":     "ups",
		"986578788855":           "fedex",
		"041441760228964":        "fedex",
		"9400111201080805483016": "usps",
		"RB123456785US":          "usps",
		"RB123456785GB":          "",
		"3318810025":             "dhl",
		"JJD0099999999":          "dhl",
		"1Z1111111111111111":     "",
		"EZ1000000001":           "",
	} {
		var got []string
		for _, k := range DetectCarriers(n) {
			got = append(got, string(k))
		}
		if strings.Join(got, ",") != want {
			t.Errorf("DetectCarriers(%s) = %v, want %q", n, got, want)
		}
	}
}

func TestNextPollBacksOffAndStops(t *testing.T) {
	p := DefaultTrackingPolicy()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		m         Milestone
		unchanged int
		want      time.Duration
	}{
		{MilestoneInTransit, 0, 4 * time.Hour},
		{MilestoneInTransit, 1, 8 * time.Hour},
		{MilestoneInTransit, 2, 16 * time.Hour},
		{MilestoneInTransit, 5, 24 * time.Hour},
		{MilestoneOutForDelivery, 0, time.Hour},
		{MilestoneException, 0, 2 * time.Hour},
		{MilestoneLabelCreated, 0, 2 * time.Hour},
		{MilestoneDelivered, 0, 0},
		{MilestoneReturned, 3, 0},
	} {
		got := p.NextPoll(now, c.m, c.unchanged)
		if c.want == 0 && !got.IsZero() || c.want != 0 && got.Sub(now) != c.want {
			t.Errorf("%s after %d unchanged: next in %v, want %v", c.m, c.unchanged, got.Sub(now), c.want)
		}
	}
}

func TestOrderFollowsParcels(t *testing.T) {
	d, e, tr := MilestoneDelivered, MilestoneException, MilestoneInTransit
	for _, c := range []struct {
		ms   []Milestone
		want OrderStatus
	}{
		{[]Milestone{d, d}, StatusDelivered},
		{[]Milestone{d, tr}, ""},
		{[]Milestone{d, e}, StatusException},
		{[]Milestone{MilestoneReturned}, StatusException},
		{[]Milestone{MilestoneDeliveryFailed}, ""},
		{nil, ""},
	} {
		got, reason := OrderFollowsParcels(c.ms, []string{"", "Address unknown"})
		if got != c.want {
			t.Errorf("%v → %q (%s), want %q", c.ms, got, reason, c.want)
		}
		if got == StatusException && c.ms[0] == d && reason != "Exception: Address unknown" {
			t.Errorf("reason %q", reason)
		}
	}
}

func TestCarrierAccountValidate(t *testing.T) {
	a := CarrierAccount{Kind: CarrierFedEx, Name: "FedEx", ClientID: "id"}
	if err := a.Validate(); err == nil || !strings.Contains(err.Error(), "client secret") {
		t.Errorf("missing secret: %v", err)
	}
	a.ClientSecret = "s"
	if err := a.Validate(); err != nil || a.BaseURL != "https://apis.fedex.com" || a.PerSecond != 50 || a.PerDay != 100000 {
		t.Errorf("defaults: %v %+v", err, a)
	}
	b := CarrierAccount{Kind: CarrierDHL, Name: "DHL", Key: "k", BaseURL: "http://dhl.example"}
	if err := b.Validate(); err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Errorf("plain http: %v", err)
	}
	b.BaseURL = "http://127.0.0.1:9000/"
	if err := b.Validate(); err != nil || b.BaseURL != "http://127.0.0.1:9000" {
		t.Errorf("loopback: %v %q", err, b.BaseURL)
	}
	if err := (&CarrierAccount{Kind: "royalmail", Name: "RM"}).Validate(); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestMakeTrackingNumberPassesItsOwnCheck(t *testing.T) {
	for _, k := range []CarrierKind{CarrierUPS, CarrierFedEx, CarrierUSPS, CarrierDHL, CarrierEasyPost} {
		for _, serial := range []int64{0, 1, 42, 987654321, 12345678901} {
			n := MakeTrackingNumber(k, serial)
			if _, err := ValidateTracking(k, n); err != nil {
				t.Errorf("%s %d: %s: %v", k, serial, n, err)
			}
			if k != CarrierEasyPost && (len(DetectCarriers(n)) == 0 || DetectCarriers(n)[0] != k) {
				t.Errorf("%s %d: %s detected as %v", k, serial, n, DetectCarriers(n))
			}
		}
	}
	if MakeTrackingNumber(CarrierDHL, 5) == MakeTrackingNumber(CarrierDHL, 6) {
		t.Error("serials collide")
	}
}

func TestCarrierKindOf(t *testing.T) {
	for name, want := range map[string]CarrierKind{"DHL": CarrierDHL, "DHL Express": CarrierDHL, "ups": CarrierUPS, "FedEx Ground": CarrierFedEx,
		"USPS": CarrierUSPS, "Royal Mail": "", "Groups": "", "": ""} {
		if got := CarrierKindOf(name); got != want {
			t.Errorf("%q: %q, want %q", name, got, want)
		}
	}
}

// A label's first scan is the earliest event past "label created", in
// whatever order the carrier lists them; a label the carrier only knows as
// data, or does not know yet, is asked about again, less often each time.
func TestALabelsFirstScan(t *testing.T) {
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)
	p := DefaultTrackingPolicy()
	l := AwaitingLabel{PurchaseID: 7}
	created := TrackEvent{At: now.Add(-3 * time.Hour), Text: "Shipment information received", Milestone: MilestoneLabelCreated}
	pickup := TrackEvent{At: now.Add(-2 * time.Hour), Text: "Picked up", Milestone: MilestonePickedUp}
	depart := TrackEvent{At: now.Add(-time.Hour), Text: "Departed", Milestone: MilestoneInTransit}
	got := p.LabelPollOf(l, TrackResult{Events: []TrackEvent{depart, created, pickup}}, now)
	if got.PurchaseID != 7 || !got.ScannedAt.Equal(pickup.At) || got.Scan != "Picked up" || !got.Next.IsZero() {
		t.Errorf("picked up: %+v", got)
	}
	// A carrier that gives a milestone without events: scanned at the answer.
	if got := p.LabelPollOf(l, TrackResult{Milestone: MilestoneInTransit}, now); !got.ScannedAt.Equal(now) || got.Scan != "In transit" {
		t.Errorf("in transit without events: %+v", got)
	}
	for _, r := range []TrackResult{
		{Events: []TrackEvent{created}, Milestone: MilestoneLabelCreated},
		{NotFound: "Tracking number not found"},
		{Milestone: MilestoneUnknown},
	} {
		first := p.LabelPollOf(l, r, now)
		later := p.LabelPollOf(AwaitingLabel{PurchaseID: 7, Polls: 3}, r, now)
		if !first.ScannedAt.IsZero() || first.Next != now.Add(2*time.Hour) || later.Next != now.Add(16*time.Hour) {
			t.Errorf("%+v: scanned %v, next %v then %v", r, first.ScannedAt, first.Next, later.Next)
		}
	}
}
