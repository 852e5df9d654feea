package keyring

import (
	"errors"
	"strings"
	"testing"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/portolan/portolan/domain"
)

// The operating system's store is go-keyring's; its in-memory provider
// stands in for it here (this machine has no desktop session to run one).
func TestVault(t *testing.T) {
	gokeyring.MockInit()
	v, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Put("credentials-1", `{"token":"shpat_x"}`); err != nil {
		t.Fatal(err)
	}
	if s, err := v.Get("credentials-1"); err != nil || s != `{"token":"shpat_x"}` {
		t.Errorf("get: %q %v", s, err)
	}
	if err := v.Delete("credentials-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Get("credentials-1"); !errors.Is(err, domain.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := v.Delete("credentials-1"); err != nil {
		t.Errorf("deleting what is not there: %v", err)
	}

	gokeyring.MockInitWithError(errors.New("org.freedesktop.secrets was not provided by any .service files"))
	if _, err := Open(); err == nil || !strings.Contains(err.Error(), "no credential store answers") {
		t.Errorf("without a store: %v", err)
	}
}
