package sqlite

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"unicode"
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
	once    sync.Once
	err     error
	to      map[rune]string // what fold() makes of a character that it changes
	nonWord map[rune]bool   // the characters in pgFoldRanges that \w does not match
}

func (f *pgFolder) load(ctx context.Context, q querier) error {
	f.once.Do(func() {
		var cases []string
		for _, r := range pgFoldRanges {
			cases = append(cases, "SELECT chr(n) AS c FROM generate_series("+strconv.Itoa(int(r[0]))+", "+strconv.Itoa(int(r[1]))+") AS n")
		}
		rows, err := q.QueryContext(ctx, `SELECT c, fold(c), c ~ '\w' FROM (`+strings.Join(cases, " UNION ALL ")+`) AS s
			WHERE fold(c) <> c OR c !~ '\w'`)
		if err != nil {
			f.err = err
			return
		}
		defer rows.Close()
		f.to, f.nonWord = map[rune]string{}, map[rune]bool{}
		for rows.Next() {
			var c, folded string
			var word bool
			if err := rows.Scan(&c, &folded, &word); err != nil {
				f.err = err
				return
			}
			r := []rune(c)[0]
			if folded != c {
				f.to[r] = folded
			}
			f.nonWord[r] = !word
		}
		f.err = rows.Err()
	})
	return f.err
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
		if s, ok := f.to[r]; ok {
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
	if inRanges(r) {
		return !f.nonWord[r]
	}
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// starts is the server's word_starts(folded): the first one and two
// characters of every word, each once, space-separated.
func (f *pgFolder) starts(folded string) string {
	seen := map[string]bool{}
	var out []string
	rs := []rune(folded)
	for i := 0; i < len(rs); i++ {
		if !f.isWord(rs[i]) || (i > 0 && f.isWord(rs[i-1])) {
			continue
		}
		for _, n := range []int{1, 2} {
			if n == 2 && (i+1 >= len(rs) || !f.isWord(rs[i+1])) {
				break
			}
			p := string(rs[i : i+n])
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return strings.Join(out, " ")
}
