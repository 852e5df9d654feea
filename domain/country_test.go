package domain_test

import (
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestParseCountry(t *testing.T) {
	tests := []struct {
		in   string
		want domain.Country
		ok   bool
	}{
		{"JP", "JP", true}, {"de", "DE", true}, {" gb ", "GB", true}, {"AX", "AX", true}, {"SS", "SS", true},
		{"UK", "", false}, {"EU", "", false}, {"XX", "", false}, {"", "", false}, {"DEU", "", false}, {"J", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			c, err := domain.ParseCountry(tt.in)
			if (err == nil) != tt.ok || c != tt.want {
				t.Errorf("ParseCountry(%q) = %q, %v", tt.in, c, err)
			}
		})
	}
	if n := len(domain.Countries()); n != 249 {
		t.Errorf("%d countries, want the 249 ISO 3166-1 codes", n)
	}
	if name := domain.MustCountry("JP").Name(); name != "Japan" {
		t.Errorf("JP name = %q", name)
	}
}

func TestAddressValidate(t *testing.T) {
	good := domain.Address{Name: "山田 太郎", Line1: "神南1-2-3", City: "渋谷区", Region: "東京都", PostalCode: "150-0041", Country: "JP", Email: "taro@example.jp"}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid address: %v", err)
	}
	tests := map[string]func(a *domain.Address){
		"no name":     func(a *domain.Address) { a.Name = " " },
		"no line1":    func(a *domain.Address) { a.Line1 = "" },
		"no city":     func(a *domain.Address) { a.City = "" },
		"bad country": func(a *domain.Address) { a.Country = "UK" },
		"bad email":   func(a *domain.Address) { a.Email = "not an email" },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			a := good
			mutate(&a)
			if err := a.Validate(); domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("Validate() = %v, want invalid", err)
			}
		})
	}
	company := good
	company.Name, company.Company = "", "株式会社ポルトラン"
	if err := company.Validate(); err != nil {
		t.Errorf("company without person name: %v", err)
	}
}

func TestAddressLines(t *testing.T) {
	us := domain.Address{Name: "Emily Nguyen", Line1: "128 Main Street", City: "Miami", Region: "FL", PostalCode: "33181", Country: "US"}
	want := []string{"Emily Nguyen", "128 Main Street", "Miami, FL 33181", "United States"}
	if got := us.Lines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("US lines = %q, want %q", got, want)
	}
	de := domain.Address{Name: "Jürgen Müller", Line1: "Königsallee 5", City: "Düsseldorf", PostalCode: "40212", Country: "DE"}
	want = []string{"Jürgen Müller", "Königsallee 5", "40212 Düsseldorf", "Germany"}
	if got := de.Lines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("DE lines = %q, want %q", got, want)
	}
}
