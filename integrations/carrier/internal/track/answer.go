package track

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-resty/resty/v2"
	"github.com/portolan/portolan/domain"
)

// Refused is a carrier's refusal of what, in its own words: msg, or the HTTP
// status where it said nothing, followed by its details in brackets.
func Refused(carrier, what string, status int, msg string, details ...string) error {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		msg = fmt.Sprintf("HTTP %d", status)
	}
	var kept []string
	for _, d := range details {
		if d = strings.TrimSpace(d); d != "" {
			kept = append(kept, d)
		}
	}
	if len(kept) > 0 {
		msg += " (" + strings.Join(kept, "; ") + ")"
	}
	return domain.Errorf(domain.EINVALID, "%s refused %s: %s", carrier, what, msg)
}

// Decode reads a carrier's answer to what into v, which must hold key at its
// top level (the mark of the documented answer); an answer of 300 or above is
// the carrier's refusal, read by refused.
func Decode(resp *resty.Response, carrier, key, what string, v any, refused func(*resty.Response, string) error) error {
	if resp.StatusCode() >= 300 {
		return refused(resp, what)
	}
	if err := json.Unmarshal(resp.Body(), v); err != nil || !HasKey(resp.Body(), key) {
		return domain.Errorf(domain.EINVALID, "%s's answer to %s is not the JSON its API documents", carrier, what)
	}
	return nil
}

// Truncate keeps the first n characters of s: carriers cap their fields.
func Truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
