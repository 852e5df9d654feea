package sqlite_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/domain/domaintest"
	"github.com/portolan/portolan/integrations/sqlite"
)

// memoryVault stands for the operating system's credential store, which
// this machine (no desktop session) does not run; integrations/keyring is
// the real one.
type memoryVault struct {
	mu   sync.Mutex
	kept map[string]string
}

func (v *memoryVault) Put(ref, s string) error {
	v.mu.Lock()
	v.kept[ref] = s
	v.mu.Unlock()
	return nil
}
func (v *memoryVault) Get(ref string) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.kept[ref]
	if !ok {
		return "", domain.ErrNotFound
	}
	return s, nil
}
func (v *memoryVault) Delete(ref string) error {
	v.mu.Lock()
	delete(v.kept, ref)
	v.mu.Unlock()
	return nil
}
func (v *memoryVault) Where() string { return "the test vault" }
func (v *memoryVault) len() int      { v.mu.Lock(); defer v.mu.Unlock(); return len(v.kept) }

// With a vault, no secret is in the database file: only references.
func TestSecretsStayOutOfTheDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	vault := &memoryVault{kept: map[string]string{}}
	db.SetVault(vault)
	in := db.IntakeStore()
	ch := domain.Channel{Code: "EU", Name: "EU shop", Kind: domain.ChannelShopify, BaseURL: "https://eu.example"}
	must(t, in.AddChannel(ctx, &ch, domain.Credentials{Token: "shpat_0123456789secret"}))
	ts := db.TrackingStore()
	acct := domain.CarrierAccount{Kind: domain.CarrierUPS, Name: "UPS", ClientID: "client", ClientSecret: "ups-secret-987"}
	must(t, ts.SaveCarrierAccount(ctx, &acct))
	if vault.len() != 2 {
		t.Fatalf("the vault keeps %d secrets", vault.len())
	}
	c, err := in.ChannelCredentials(ctx, ch.ID)
	if err != nil || c.Token != "shpat_0123456789secret" {
		t.Fatalf("credentials back: %v", err)
	}
	// Changing them keeps the new ones and forgets the old; a failed add leaves nothing behind.
	must(t, in.UpdateChannel(ctx, ch, &domain.Credentials{Token: "shpat_new_secret"}))
	dup := ch
	dup.ID = 0
	if err := in.AddChannel(ctx, &dup, domain.Credentials{Token: "shpat_other"}); err == nil {
		t.Fatal("a second channel with the same code")
	}
	acct.ClientSecret = "ups-secret-new"
	must(t, ts.SaveCarrierAccount(ctx, &acct))
	if vault.len() != 2 {
		t.Errorf("after changes the vault keeps %d secrets, want 2", vault.len())
	}
	accts, err := ts.CarrierAccounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].ClientSecret != "ups-secret-new" || accts[0].Failing != "" {
		t.Fatalf("accounts: %v %+v", err, accts)
	}
	must(t, db.Close())
	for _, f := range []string{path, path + "-wal"} {
		b, _ := os.ReadFile(f)
		for _, secret := range []string{"shpat_", "ups-secret"} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds %q", filepath.Base(f), secret)
			}
		}
	}

	// Opened where the vault does not have them (another computer), they are asked for again.
	db, err = sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	db.SetVault(&memoryVault{kept: map[string]string{}})
	if _, err := db.IntakeStore().ChannelCredentials(ctx, ch.ID); err == nil || !strings.Contains(err.Error(), "enter them again") {
		t.Errorf("credentials of another computer: %v", err)
	}
	accts, _ = db.TrackingStore().CarrierAccounts(ctx)
	if len(accts) != 1 || !strings.Contains(accts[0].Failing, "enter them again") {
		t.Errorf("account of another computer: %+v", accts)
	}
	// Removing forgets them.
	db.SetVault(vault)
	must(t, db.TrackingStore().DeleteCarrierAccount(ctx, acct.ID))
	must(t, db.IntakeStore().DeleteChannel(ctx, ch.ID))
	if vault.len() != 0 {
		t.Errorf("after removal the vault keeps %d secrets", vault.len())
	}
}

// The database and its folder are the user's only; an existing file others
// could read is made so, with a notice.
func TestDatabaseIsOwnerOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "portolan")
	path := filepath.Join(dir, "portolan.db")
	db, err := sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	must(t, db.IntakeStore().AddChannel(ctx, &domain.Channel{Code: "A", Name: "A", Kind: domain.ChannelManual}, domain.Credentials{}))
	for f, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %04o", filepath.Base(f), err, fi.Mode().Perm(), want)
		}
	}
	if len(db.Notices) != 0 {
		t.Errorf("notices for a new database: %q", db.Notices)
	}
	must(t, db.Close())
	must(t, os.Chmod(path, 0o644))
	db, err = sqlite.Open(path, domaintest.NewClock().Now)
	must(t, err)
	defer db.Close()
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 || len(db.Notices) != 1 || !strings.Contains(db.Notices[0], "readable by you only") {
		t.Errorf("an existing 0644 database: %04o, notices %q", fi.Mode().Perm(), db.Notices)
	}
}
