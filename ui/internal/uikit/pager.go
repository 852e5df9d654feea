package uikit

import (
	"context"
)

// Pager caches pages of rows for a virtualised table. Rows are fetched page by
// page in the background when the table first asks for them; a reset (new
// filter) drops the cache and ignores answers to older requests.
type Pager[T any] struct {
	size    int
	tasks   *Tasks
	fetch   func(ctx context.Context, offset, limit int) ([]T, error)
	Loaded  func()          // on the UI goroutine after a page arrived
	Failed  func(err error) // on the UI goroutine after a page or the count failed
	pages   map[int][]T
	loading map[int]bool
	Gen     int
}

const maxCachedPages = 64

func NewPager[T any](size int, t *Tasks) *Pager[T] {
	return &Pager[T]{size: size, tasks: t, pages: map[int][]T{}, loading: map[int]bool{}}
}

// Reset forgets all rows, reads them from fetch from now on and counts
// them with count. The first page is read at once, without waiting for the
// table to ask for it: at the same time as the count that tells the table
// how many rows it has, so a screen shows both in the time of the slower
// one. counted gets the count on the UI goroutine, a failed count goes to
// Failed; neither is called when a newer Reset came first.
func (p *Pager[T]) Reset(fetch func(ctx context.Context, offset, limit int) ([]T, error), count func(ctx context.Context) (int, error), counted func(n int)) {
	p.Gen++
	p.fetch = fetch
	p.pages = map[int][]T{}
	p.loading = map[int]bool{}
	if fetch != nil {
		p.load(0)
	}
	gen := p.Gen
	p.tasks.Run(func() func() {
		n, err := count(context.Background())
		return func() {
			switch {
			case gen != p.Gen: // a newer filter replaced this count
			case err != nil:
				if p.Failed != nil {
					p.Failed(err)
				}
			default:
				counted(n)
			}
		}
	})
}

// row returns row i if its page is cached; otherwise it starts loading the page
// and returns false.
func (p *Pager[T]) Row(i int) (T, bool) {
	var zero T
	if i < 0 || p.fetch == nil {
		return zero, false
	}
	page := i / p.size
	if rows, ok := p.pages[page]; ok {
		if j := i - page*p.size; j < len(rows) {
			return rows[j], true
		}
		return zero, false
	}
	if !p.loading[page] {
		p.load(page)
	}
	return zero, false
}

func (p *Pager[T]) load(page int) {
	p.loading[page] = true
	gen, fetch := p.Gen, p.fetch
	p.tasks.Run(func() func() {
		rows, err := fetch(context.Background(), page*p.size, p.size)
		return func() {
			if gen != p.Gen {
				return // a newer filter replaced this request
			}
			delete(p.loading, page)
			if err != nil {
				if p.Failed != nil {
					p.Failed(err)
				}
				return
			}
			if len(p.pages) >= maxCachedPages {
				p.pages = map[int][]T{}
			}
			p.pages[page] = rows
			if p.Loaded != nil {
				p.Loaded()
			}
		}
	})
}
