package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
)

// A password written into a store's address is refused, and one already
// stored (by an earlier version) is never shown.
func TestAddressesNeverShowPasswords(t *testing.T) {
	db := filepath.Join(t.TempDir(), "p.db")
	_, errs, code := runCLI(t, "--db", db, "channels", "add", "--kind", "shopify", "--name", "EU", "--url", "https://admin:hunter2@eu.example", "--token", "shpat_x")
	if code == 0 || !strings.Contains(errs, "user name or password in the address") || strings.Contains(errs, "hunter2") {
		t.Errorf("an address with a password: %d %q", code, errs)
	}
	out, _, code := runCLI(t, "--db", db, "channels", "add", "--kind", "shopify", "--name", "US", "--url", "https://us.example", "--token", "shpat_x")
	if code != 0 || !strings.Contains(out, "kept in the database file, which only your account can read") {
		t.Errorf("where the token went: %d %q", code, out)
	}
	s, err := sqlite.Open(db, domaintest.NewClock().Now)
	if err != nil {
		t.Fatal(err)
	}
	old := domain.Channel{Code: "OLD", Name: "Old shop", Kind: domain.ChannelWooCommerce, BaseURL: "https://admin:hunter2@old.example"}
	if err := s.IntakeStore().AddChannel(context.Background(), &old, domain.Credentials{Key: "ck", Secret: "cs"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, format := range []string{"table", "json"} {
		out, _, code := runCLI(t, "--db", db, "channels", "list", "--format", format)
		if code != 0 || strings.Contains(out, "hunter2") || !strings.Contains(out, "https://old.example") {
			t.Errorf("channels list (%s) shows:\n%s", format, out)
		}
	}
}
