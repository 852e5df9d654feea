// Package pdf writes Portolan's printed documents with gofpdf: pick lists,
// and (later) labels, customs papers and packing slips. Fonts are embedded
// (Noto Sans for Latin, Greek and Cyrillic; the Portolan fallback for CJK,
// Hangul and Arabic, chosen run by run), so every script prints and
// pdftotext recovers the exact strings. Barcodes are Code 128.
package pdf

import (
	"fmt"
)

// code128Patterns are the bar/space widths (in modules) of the 107 Code 128
// symbols: values 0–105 have six elements, the stop symbol (106) seven.
var code128Patterns = [107]string{
	"212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
	"221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
	"221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
	"212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
	"231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
	"231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
	"314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
	"112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
	"111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
	"214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
	"114131", "311141", "411131", "211412", "211214", "211232", "2331112",
}

const (
	code128CodeC  = 99
	code128CodeB  = 100
	code128StartB = 104
	code128StartC = 105
	code128Stop   = 106
)

// Code128 encodes text (printable ASCII) as Code 128 symbol values, start
// and check symbol included and stop excluded: code set C for runs of four
// or more digits (two digits per symbol), B for the rest.
func Code128(text string) ([]int, error) {
	for i := 0; i < len(text); i++ {
		if text[i] < 32 || text[i] > 126 {
			return nil, fmt.Errorf("code 128: %q has a character outside printable ASCII", text)
		}
	}
	if text == "" {
		return nil, fmt.Errorf("code 128: nothing to encode")
	}
	digitsAt := func(i int) int {
		n := 0
		for i+n < len(text) && text[i+n] >= '0' && text[i+n] <= '9' {
			n++
		}
		return n
	}
	var vals []int
	set := 0 // 'B' or 'C'
	i := 0
	if d := digitsAt(0); d >= 4 && d%2 == 0 || d == len(text) && d >= 2 && d%2 == 0 {
		vals, set = append(vals, code128StartC), 'C'
	} else {
		vals, set = append(vals, code128StartB), 'B'
	}
	for i < len(text) {
		d := digitsAt(i)
		switch {
		case set == 'C' && d >= 2:
			vals = append(vals, int(text[i]-'0')*10+int(text[i+1]-'0'))
			i += 2
		case set == 'C':
			vals, set = append(vals, code128CodeB), 'B'
		case d >= 4:
			// Switch to C for an even number of digits; an odd one goes first in B.
			if d%2 == 1 {
				vals = append(vals, int(text[i])-32)
				i++
			}
			vals, set = append(vals, code128CodeC), 'C'
		default:
			vals = append(vals, int(text[i])-32)
			i++
		}
	}
	sum := vals[0]
	for k := 1; k < len(vals); k++ {
		sum += k * vals[k]
	}
	return append(vals, sum%103), nil
}

// code128Modules turns symbol values into bar widths: a run of alternating
// bar/space widths in modules, stop symbol included.
func code128Modules(vals []int) []int {
	var w []int
	for _, v := range append(append([]int(nil), vals...), code128Stop) {
		for _, c := range code128Patterns[v] {
			w = append(w, int(c-'0'))
		}
	}
	return w
}
