package pdf_test

import (
	"bytes"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/portolan/portolan/assets"
	"github.com/portolan/portolan/integrations/pdf"
)

// TestDocumentsMadeAtOnceShareNothing: the window makes documents on
// several goroutines at once (a pick list while labels print). gofpdf
// writes into the font bytes it is given while it subsets them, so each
// document must have its own: under -race this fails when they share the
// embedded fonts, and the fonts come out as they went in.
func TestDocumentsMadeAtOnceShareNothing(t *testing.T) {
	fonts := func() [3][32]byte {
		return [3][32]byte{sha256.Sum256(assets.SansFont), sha256.Sum256(assets.SansBoldFont), sha256.Sum256(assets.FallbackFont)}
	}
	before := fonts()
	const n = 4
	out := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var b bytes.Buffer
			errs[i] = pdf.PickList(&b, testWave(), pdf.A4, time.UTC)
			out[i] = b.Bytes()
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if !bytes.Equal(out[i], out[0]) {
			t.Errorf("document %d differs from document 0 made at the same time from the same wave", i)
		}
	}
	if fonts() != before {
		t.Error("making documents changed the embedded fonts")
	}
}
