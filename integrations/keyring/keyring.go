// Package keyring keeps Portolan's secrets in the operating system's
// credential store through github.com/zalando/go-keyring: the Secret
// Service (GNOME Keyring, KWallet) on Linux, the Keychain on macOS, the
// Credential Manager on Windows.
package keyring

import (
	"errors"
	"fmt"
	"runtime"

	gokeyring "github.com/zalando/go-keyring"

	"github.com/portolan/portolan/domain"
)

// service is the name Portolan's secrets are kept under.
const service = "Portolan"

// Vault is the system credential store (domain.SecretVault).
type Vault struct{}

var _ domain.SecretVault = Vault{}

// Open returns the vault when this computer has a credential store that
// works (a secret can be put, read and removed), else an error saying why.
func Open() (Vault, error) {
	const probe = "portolan-probe"
	if err := gokeyring.Set(service, probe, "ok"); err != nil {
		return Vault{}, fmt.Errorf("no credential store answers on this computer (%v)", err)
	}
	got, err := gokeyring.Get(service, probe)
	_ = gokeyring.Delete(service, probe)
	if err != nil || got != "ok" {
		return Vault{}, fmt.Errorf("the credential store on this computer does not give back what it keeps (%v)", err)
	}
	return Vault{}, nil
}

// Put keeps secret under ref.
func (Vault) Put(ref, secret string) error {
	if err := gokeyring.Set(service, ref, secret); err != nil {
		return fmt.Errorf("keep the credentials in %s: %w", Vault{}.Where(), err)
	}
	return nil
}

// Get reads the secret kept under ref.
func (Vault) Get(ref string) (string, error) {
	s, err := gokeyring.Get(service, ref)
	if errors.Is(err, gokeyring.ErrNotFound) {
		return "", domain.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("read the credentials from %s: %w", Vault{}.Where(), err)
	}
	return s, nil
}

// Delete forgets the secret under ref (nothing kept is not an error).
func (Vault) Delete(ref string) error {
	if err := gokeyring.Delete(service, ref); err != nil && !errors.Is(err, gokeyring.ErrNotFound) {
		return err
	}
	return nil
}

// Where names the store for people.
func (Vault) Where() string {
	switch runtime.GOOS {
	case "darwin":
		return "the macOS Keychain"
	case "windows":
		return "the Windows Credential Manager"
	}
	return "the Secret Service (your desktop's keyring)"
}
