package cli

import (
	"bytes"
	"strings"
	"testing"
)

// Held output past what is kept in memory goes to a temporary file and
// comes back whole.
func TestHeldOutputSpills(t *testing.T) {
	h := newHeldOutput()
	defer h.discard()
	line := strings.Repeat("x", 1023) + "\n"
	for range heldInMemory/len(line) + 100 {
		if _, err := h.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	if h.file == nil || h.mem.Len() != 0 {
		t.Fatalf("not spilled: file %v, %d bytes in memory", h.file, h.mem.Len())
	}
	var out bytes.Buffer
	if err := h.writeTo(&out); err != nil {
		t.Fatal(err)
	}
	if out.Len() != (heldInMemory/len(line)+100)*len(line) || !strings.HasPrefix(out.String(), line) {
		t.Errorf("%d bytes back", out.Len())
	}
}
