package sqlite

import "testing"

func TestRebind(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT 1`, `SELECT 1`},
		{`WHERE a = ? AND b = ?`, `WHERE a = $1 AND b = $2`},
		{`SET r = r + ?1 WHERE p = ?2 AND r >= ?1`, `SET r = r + $1 WHERE p = $2 AND r >= $1`},
		{`LIMIT ?5 OFFSET ?6 AND x = ?`, `LIMIT $5 OFFSET $6 AND x = $7`}, // SQLite: one more than the largest so far
		{`WHERE t LIKE ? ESCAPE '\' AND n = '?' AND "a?b" = ?`, `WHERE t LIKE $1 ESCAPE '\' AND n = '?' AND "a?b" = $2`},
		{`WHERE s = 'it''s ?' AND x = ? -- why?` + "\n" + `AND y = ?`, `WHERE s = 'it''s ?' AND x = $1 -- why?` + "\n" + `AND y = $2`},
	} {
		if got := rebind(c.in); got != c.want {
			t.Errorf("rebind(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}
