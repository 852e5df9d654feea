package domain

import (
	"strings"
	"testing"
)

func TestNewPersonAndRefusals(t *testing.T) {
	for _, c := range []struct {
		login, name string
		role        Role
		whs         []string
		bad         string
	}{
		{"Ana", "Ana", RoleAdmin, nil, "not usable"},
		{"ana novak", "Ana", RoleAdmin, nil, "not usable"},
		{"ana", " ", RoleAdmin, nil, "name"},
		{"ana", "Ana", "boss", nil, "no role"},
		{"lena", "Lena", RoleWarehouse, nil, "--warehouse"},
		{"fatima", "Fatima", RoleFinance, []string{"NL-VEN"}, "only warehouse people"},
		{"lena.vos", "Lena Vos", RoleWarehouse, []string{"NL-VEN"}, ""},
	} {
		p, err := NewPerson(c.login, c.name, c.role, c.whs)
		switch {
		case c.bad == "" && (err != nil || !p.Active || p.Name != c.name):
			t.Errorf("%s: %+v %v", c.login, p, err)
		case c.bad != "" && (err == nil || !strings.Contains(err.Error(), c.bad)):
			t.Errorf("%s: %v, want an error about %q", c.login, err, c.bad)
		}
	}
	lena := Person{Login: "lena.vos", Name: "Lena Vos", Role: RoleWarehouse}
	if lena.Refusal(AreaWarehouse) != "" || !strings.Contains(lena.Refusal(AreaBilling), "changing billing is for the finance or admin role") {
		t.Errorf("refusals: %q / %q", lena.Refusal(AreaWarehouse), lena.Refusal(AreaBilling))
	}
	for _, a := range []Area{AreaOrders, AreaWarehouse, AreaBilling, AreaPeople} {
		if !RoleAdmin.May(a) || (Person{Role: RoleAdmin}).Refusal(a) != "" {
			t.Errorf("an admin may not change %s", a)
		}
	}
	if r, err := ParseRole(" Finance "); err != nil || r != RoleFinance {
		t.Errorf("ParseRole: %q %v", r, err)
	}
}
