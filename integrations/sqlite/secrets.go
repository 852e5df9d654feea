package sqlite

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portolan/portolan/domain"
)

// Credentials (a channel's token, a carrier account's keys) are kept in a
// vault, the operating system's credential store, when the composition root
// gives one (SetVault): the credentials column then holds only
// {"vault":"<ref>"}. Without a vault the column holds the credentials' JSON,
// in a file only its owner can read.

// sealedRef is the credentials column when the vault keeps them.
type sealedRef struct {
	Vault string `json:"vault"`
}

// SetVault makes v keep the credentials saved from now on.
func (db *DB) SetVault(v domain.SecretVault) { db.vault = v }

// Vault names where new credentials are kept: the vault's name, or "" for
// the database file.
func (db *DB) Vault() string {
	if db.vault == nil {
		return ""
	}
	return db.vault.Where()
}

// seal is what the credentials column keeps of creds: a reference to them
// in the vault (put there now, under a new reference), or their JSON.
func (db *DB) seal(creds any) (string, error) {
	b, err := json.Marshal(creds)
	if err != nil || db.vault == nil {
		return string(b), err
	}
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	ref := "credentials-" + hex.EncodeToString(raw)
	if err := db.vault.Put(ref, string(b)); err != nil {
		return "", err
	}
	db.secrets.Store(ref, string(b))
	sealed, err := json.Marshal(sealedRef{Vault: ref})
	return string(sealed), err
}

// unseal reads a credentials column into creds.
func (db *DB) unseal(column string, creds any) error {
	var ref sealedRef
	if json.Unmarshal([]byte(column), &ref) == nil && ref.Vault != "" {
		secret, err := db.fromVault(ref.Vault)
		if err != nil {
			return err
		}
		column = secret
	}
	if err := json.Unmarshal([]byte(column), creds); err != nil {
		return errors.New("the stored credentials are damaged; enter them again")
	}
	return nil
}

func (db *DB) fromVault(ref string) (string, error) {
	if s, ok := db.secrets.Load(ref); ok {
		return s.(string), nil
	}
	if db.vault == nil {
		return "", errors.New("the credentials are kept in a credential store this Portolan does not use; enter them again")
	}
	s, err := db.vault.Get(ref)
	if errors.Is(err, domain.ErrNotFound) {
		return "", fmt.Errorf("the credentials are kept in %s of the computer that saved them, not in this one's; enter them again", db.vault.Where())
	}
	if err != nil {
		return "", err
	}
	db.secrets.Store(ref, s)
	return s, nil
}

// forget removes what a credentials column refers to from the vault (after
// the row changed or went); a column holding the credentials is left alone.
func (db *DB) forget(column string) {
	var ref sealedRef
	if json.Unmarshal([]byte(column), &ref) != nil || ref.Vault == "" {
		return
	}
	db.secrets.Delete(ref.Vault)
	if db.vault != nil {
		_ = db.vault.Delete(ref.Vault)
	}
}

// settle ends a change of credentials: when it failed, the vault forgets the
// fresh ones; when it succeeded, those they replaced.
func (db *DB) settle(err error, fresh, replaced string) {
	if err != nil {
		db.forget(fresh)
	} else if replaced != "" {
		db.forget(replaced)
	}
}
