package uikit

import (
	"context"
	"errors"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestPagerCountsWithItsRows: a reset reads the first page and the count
// together; the count of a filter that a newer one replaced is dropped, and
// a failed count goes where a failed page goes.
func TestPagerCountsWithItsRows(t *testing.T) {
	test.NewTempApp(t)
	var tasks Tasks
	p := NewPager[int](10, &tasks)
	var failed []error
	p.Failed = func(err error) { failed = append(failed, err) }
	rows := func(n int) func(context.Context, int, int) ([]int, error) {
		return func(_ context.Context, offset, limit int) ([]int, error) {
			var out []int
			for i := offset; i < n && i < offset+limit; i++ {
				out = append(out, i)
			}
			return out, nil
		}
	}
	var counts []int
	counted := func(n int) { counts = append(counts, n) }

	release := make(chan struct{})
	OnUI(func() {
		p.Reset(rows(30), func(context.Context) (int, error) { <-release; return 30, nil }, counted)
		p.Reset(rows(7), func(context.Context) (int, error) { return 7, nil }, counted)
	})
	close(release) // the older filter's count answers last
	tasks.Wait()
	if !slices.Equal(counts, []int{7}) {
		t.Errorf("counted %v, want only the newer filter's 7", counts)
	}
	var first int
	var ok bool
	OnUI(func() { first, ok = p.Row(6) }) // read with the count, before the table asked
	if !ok || first != 6 {
		t.Errorf("row 6: %d %v, want 6 read already", first, ok)
	}

	broken := errors.New("database is locked")
	OnUI(func() { p.Reset(rows(3), func(context.Context) (int, error) { return 0, broken }, counted) })
	tasks.Wait()
	if !slices.Equal(counts, []int{7}) || len(failed) != 1 || !errors.Is(failed[0], broken) {
		t.Errorf("after a failed count: counted %v, failed %v", counts, failed)
	}
}
