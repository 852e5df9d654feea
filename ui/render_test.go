package ui_test

import (
	"bytes"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/go-text/typesetting/font"

	"github.com/portolan/portolan/ui"
)

// names in every script the demo data and real customers use.
var scriptSamples = []struct{ script, text string }{
	{"Japanese", "山田 太郎 · 東京都渋谷区神南1丁目"},
	{"Chinese", "王秀英 · 上海市南京东路88号"},
	{"Korean", "김민준 · 서울특별시 강남구 테헤란로 12"},
	{"Greek", "Γιώργος Παπαδόπουλος · Αθήνα"},
	{"Cyrillic", "Олександр Шевченко · Київ"},
	{"Arabic", "محمد المنصوري · دبي"},
	{"Latin", "Jürgen Müller · Łódź · Ștefan · Nguyễn"},
}

// TestFontsCoverEveryScript checks that every character of every sample is in
// the bundled fallback font or in Fyne's own text font, the two faces the
// theme puts first.
func TestFontsCoverEveryScript(t *testing.T) {
	fallback, err := font.ParseTTF(bytes.NewReader(ui.FallbackFont.Content()))
	if err != nil {
		t.Fatalf("bundled font does not parse: %v", err)
	}
	base, err := font.ParseTTF(bytes.NewReader(theme.DefaultTextFont().Content()))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range scriptSamples {
		t.Run(s.script, func(t *testing.T) {
			for _, r := range s.text {
				if _, ok := fallback.NominalGlyph(r); ok {
					continue
				}
				if _, ok := base.NominalGlyph(r); ok {
					continue
				}
				t.Errorf("no glyph for %q (U+%04X)", r, r)
			}
		})
	}
	// The fallback must not take Latin letters away from Fyne's font.
	if _, ok := fallback.NominalGlyph('A'); ok {
		t.Error("fallback font has Latin letters; Latin text would not use Noto Sans")
	}
}

// TestScriptsRenderLikeApproved renders every sample with Portolan's theme and
// compares it with the approved image in testdata/, which was checked by eye.
func TestScriptsRenderLikeApproved(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(ui.NewTheme())
	box := container.NewVBox()
	for _, s := range scriptSamples {
		box.Add(widget.NewLabel(s.text))
	}
	w := test.NewTempWindow(t, box)
	w.Resize(fyne.NewSize(460, 330))
	test.AssertImageMatches(t, "scripts.png", w.Canvas().Capture())
}
