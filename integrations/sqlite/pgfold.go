package sqlite

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// On PostgreSQL an order's search text is kept folded (search_fold) with
// its words' first one and two characters (search_starts), for the search
// indexes (pgmigrations/0008). The server computes both when an order is
// written without them; a sync's batch insert computes them here instead,
// exactly as the server would — fold(t) is lower(unaccent(t)), which maps
// each character on its own — from a table of what the server's own fold
// and \w make of every character they may change, read from it once.
// Computing them at the server costs a sync of 20,000 orders about a
// second (see docs/BENCHMARKS.md).

// pgFoldRanges are the characters whose folding and word class are asked of
// the server: every one unaccent's rules or lower() change (Latin, Greek,
// Cyrillic, Armenian…, the CJK punctuation and squared units, the Latin
// ligatures, the full-width forms and the enclosed letters). The others —
// ideographs, kana, Hangul — fold to themselves.
var pgFoldRanges = [][2]rune{{1, 0x33ff}, {0xa640, 0xa7ff}, {0xfb00, 0xfb4f}, {0xfe10, 0xffef}, {0x1f100, 0x1f1ff}}

// pgFolder folds search text as the server does.
type pgFolder struct {
	mu      sync.Mutex
	loaded  bool            // a failed read is tried again at the next insert
	to      map[rune]string // what fold() makes of a character that it changes
	nonWord map[rune]bool   // the characters in pgFoldRanges that \w does not match
	// The same for ASCII, looked up by index (most of a search text is).
	asciiTo   [utf8.RuneSelf]string
	asciiWord [utf8.RuneSelf]bool
}

func (f *pgFolder) load(ctx context.Context, q querier) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.loaded {
		return nil
	}
	var cases []string
	for _, r := range pgFoldRanges {
		cases = append(cases, "SELECT chr(n) AS c FROM generate_series("+strconv.Itoa(int(r[0]))+", "+strconv.Itoa(int(r[1]))+") AS n")
	}
	rows, err := q.QueryContext(ctx, `SELECT c, fold(c), c ~ '\w' FROM (`+strings.Join(cases, " UNION ALL ")+`) AS s
		WHERE fold(c) <> c OR c !~ '\w'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	to, nonWord := map[rune]string{}, map[rune]bool{}
	for rows.Next() {
		var c, folded string
		var word bool
		if err := rows.Scan(&c, &folded, &word); err != nil {
			return err
		}
		r := []rune(c)[0]
		if folded != c {
			to[r] = folded
		}
		nonWord[r] = !word
	}
	if err := rows.Err(); err != nil {
		return err
	}
	f.to, f.nonWord = to, nonWord
	for r := rune(0); r < utf8.RuneSelf; r++ {
		f.asciiTo[r], f.asciiWord[r] = string(r), !f.nonWord[r]
		if s, ok := f.to[r]; ok {
			f.asciiTo[r] = s
		}
	}
	f.loaded = true
	return nil
}

// inRanges says whether the server was asked about r.
func inRanges(r rune) bool {
	for _, rg := range pgFoldRanges {
		if r >= rg[0] && r <= rg[1] {
			return true
		}
	}
	return false
}

// fold is the server's fold(t).
func (f *pgFolder) fold(t string) string {
	var b strings.Builder
	b.Grow(len(t))
	for _, r := range t {
		if r < utf8.RuneSelf {
			b.WriteString(f.asciiTo[r])
		} else if s, ok := f.to[r]; ok {
			b.WriteString(s)
		} else if inRanges(r) {
			b.WriteRune(r)
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// isWord says whether the server's \w matches r.
func (f *pgFolder) isWord(r rune) bool {
	if r < utf8.RuneSelf {
		return f.asciiWord[r]
	}
	if inRanges(r) {
		return !f.nonWord[r]
	}
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// starts is the server's word_starts(folded): the first one and two
// characters of every word, each once, space-separated.
func (f *pgFolder) starts(folded string) string {
	var seen []string // a search text has a few dozen words: a list beats a map
	var b strings.Builder
	wasWord := false
	for i, r := range folded {
		word := f.isWord(r)
		if word && !wasWord {
			n := utf8.RuneLen(r)
			if next, size := utf8.DecodeRuneInString(folded[i+n:]); size > 0 && f.isWord(next) {
				n += size
			}
			for _, p := range []string{folded[i : i+utf8.RuneLen(r)], folded[i : i+n]} {
				if !slices.Contains(seen, p) {
					seen = append(seen, p)
					if b.Len() > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(p)
				}
			}
		}
		wasWord = word
	}
	return b.String()
}
