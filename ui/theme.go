package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/portolan/portolan/assets"
)

// FallbackFont is the bundled font for CJK, Hangul and Arabic text.
var FallbackFont = fyne.NewStaticResource("PortolanFallback.ttf", assets.FallbackFont)

// Icon is the application icon.
var Icon = fyne.NewStaticResource("portolan.png", assets.Icon)

// portolanTheme is Fyne's default theme with the bundled fallback font in front
// of Fyne's Noto Sans: Fyne resolves each character in the theme font first
// and then in its default font, so Latin, Greek and Cyrillic keep Noto Sans
// while Japanese, Chinese, Korean and Arabic come from the fallback font.
type portolanTheme struct {
	fyne.Theme
}

// NewTheme returns Portolan's theme.
func NewTheme() fyne.Theme { return &portolanTheme{Theme: theme.DefaultTheme()} }

func (t *portolanTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	return FallbackFont
}
