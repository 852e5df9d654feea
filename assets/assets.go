// Package assets embeds Portolan's icon and fonts into the binary.
package assets

import _ "embed"

// Icon is the application icon (512×512 PNG).
//
//go:embed icon.png
var Icon []byte

// FallbackFont covers CJK, Hangul and Arabic; see fonts/README.md for its
// sources and licences.
//
//go:embed fonts/PortolanFallback.ttf
var FallbackFont []byte

// SansFont and SansBoldFont are Noto Sans (Latin, Greek, Cyrillic), the same
// files Fyne's theme bundles, for documents (PDFs) that cannot use Fyne's.
//
//go:embed fonts/NotoSans-Regular.ttf
var SansFont []byte

//go:embed fonts/NotoSans-Bold.ttf
var SansBoldFont []byte
