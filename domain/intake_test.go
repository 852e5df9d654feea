package domain_test

import (
	"testing"

	"github.com/portolan/portolan/domain"
)

func TestCheckCredentialURL(t *testing.T) {
	ok := []string{"https://store.example", "https://shop.myshopify.com/", "http://127.0.0.1:8080", "http://localhost:3000", "http://[::1]:9000"}
	bad := []string{"http://store.example", "http://192.168.1.10", "ftp://store.example", "store.example", "", "https://"}
	for _, u := range ok {
		if _, err := domain.CheckCredentialURL(u); err != nil {
			t.Errorf("%q refused: %v", u, err)
		}
	}
	for _, u := range bad {
		if _, err := domain.CheckCredentialURL(u); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%q accepted (err %v)", u, err)
		}
	}
}
