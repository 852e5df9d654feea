package chart_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/chart"
)

var light = domain.ChartStyle{Width: 640, Height: 240, Scale: 1, Foreground: color.Black, Background: color.White, Grid: color.Gray{Y: 0xdd}}

func weekly() domain.Chart {
	return domain.Chart{Title: "Shipped by ship-by", Unit: "%", Decimals: 2, Kind: domain.ChartLines,
		Categories: []string{"W43", "W44", "W45", "W46", "W47", "W48", "W49", "W50"},
		Series: []domain.ChartSeries{
			{Name: "NL-VEN", Values: []int64{9650, 9710, 9480, 9820, 9900, 9600, 9750, 9810}},
			{Name: "JP-ICH", Values: []int64{8800, domain.NoValue, 9100, 7500, 8000, 8600, 9000, 9200}},
		}}
}

func decode(t *testing.T, r domain.RenderedChart) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(r.PNG))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// near says whether some pixel within 2 of (x, y) has colour c.
func near(img image.Image, x, y int, c color.RGBA) bool {
	for dx := -2; dx <= 2; dx++ {
		for dy := -2; dy <= 2; dy++ {
			r, g, b, _ := img.At(x+dx, y+dy).RGBA()
			if absDiff(r>>8, uint32(c.R)) < 24 && absDiff(g>>8, uint32(c.G)) < 24 && absDiff(b>>8, uint32(c.B)) < 24 {
				return true
			}
		}
	}
	return false
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// yOf is the pixel row of value v (in the unit) on a chart from 0 to top.
func yOf(r domain.RenderedChart, v, top float64) int {
	return r.Plot.Max.Y - int(v/top*float64(r.Plot.Dy())+0.5)
}

func TestLinesAreDrawnWhereTheValuesAre(t *testing.T) {
	c := weekly()
	r, err := chart.Renderer{}.Render(c, light)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, r)
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 240 {
		t.Fatalf("image %v", b)
	}
	if len(r.Columns) != 8 || len(r.Colors) != 2 || r.Plot.Empty() || !r.Plot.In(img.Bounds()) {
		t.Fatalf("layout %+v", r)
	}
	for i, x := range r.Columns {
		if i > 0 && x <= r.Columns[i-1] {
			t.Fatalf("columns not left to right: %v", r.Columns)
		}
		if got := r.CategoryAt(x+1, r.Plot.Min.Y+r.Plot.Dy()/2); got != i {
			t.Errorf("the pointer over column %d names category %d", i, got)
		}
	}
	if r.CategoryAt(r.Plot.Min.X-20, r.Plot.Min.Y+5) != -1 {
		t.Error("a pointer left of the plot names a category")
	}
	for si := range c.Series {
		for i := range c.Categories {
			v, ok := c.Value(si, i)
			if !ok {
				continue
			}
			if !near(img, r.Columns[i], yOf(r, v, 100), r.Colors[si]) {
				t.Errorf("%s %s (%.2f %%): no point of its colour at (%d, %d)", c.Series[si].Name, c.Categories[i], v, r.Columns[i], yOf(r, v, 100))
			}
		}
	}
	// JP-ICH has no W44: nothing of its colour there.
	if near(img, r.Columns[1], yOf(r, 88, 100), r.Colors[1]) {
		t.Error("a point drawn for a week without a value")
	}
}

func TestStackedBarsAddUp(t *testing.T) {
	c := domain.Chart{Unit: "orders", Kind: domain.ChartStacked, Categories: []string{"1 Dec", "2 Dec", "3 Dec"},
		Series: []domain.ChartSeries{{Name: "SHOP-EU", Values: []int64{30, 60, 0}}, {Name: "WOO-AM", Values: []int64{10, 40, 20}}}}
	r, err := chart.Renderer{}.Render(c, light)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, r)
	// The axis runs to 100 (the busiest day, 100, rounded up to 1, 2, 2.5 or 5 × 10ⁿ).
	for _, p := range []struct {
		col   int
		value float64
		color color.RGBA
	}{{0, 15, r.Colors[0]}, {0, 35, r.Colors[1]}, {1, 30, r.Colors[0]}, {1, 80, r.Colors[1]}, {2, 10, r.Colors[1]}} {
		if !near(img, r.Columns[p.col], yOf(r, p.value, 100), p.color) {
			t.Errorf("day %d at %.0f orders is not %v", p.col, p.value, p.color)
		}
	}
	if near(img, r.Columns[0], yOf(r, 60, 100), r.Colors[1]) || near(img, r.Columns[0], yOf(r, 60, 100), r.Colors[0]) {
		t.Error("the first day's bar is taller than its 40 orders")
	}
}

func TestDarkThemeBackground(t *testing.T) {
	dark := light
	dark.Background, dark.Foreground, dark.Grid = color.RGBA{0x17, 0x17, 0x18, 0xff}, color.White, color.Gray{Y: 0x40}
	r, err := chart.Renderer{}.Render(weekly(), dark)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, r)
	if got := color.RGBAModel.Convert(img.At(639, 239)).(color.RGBA); got != dark.Background.(color.RGBA) {
		t.Errorf("corner %v, want the dark background", got)
	}
	// The axis labels are drawn in the foreground: some white pixels left of the plot.
	white := 0
	for y := r.Plot.Min.Y; y < r.Plot.Max.Y; y++ {
		for x := 0; x < r.Plot.Min.X; x++ {
			if rr, g, b, _ := img.At(x, y).RGBA(); rr>>8 > 0xa0 && g>>8 > 0xa0 && b>>8 > 0xa0 {
				white++
			}
		}
	}
	if white < 20 {
		t.Errorf("%d light pixels in the axis labels on the dark theme", white)
	}
}

func TestBadChartsAreRefused(t *testing.T) {
	c := weekly()
	if _, err := (chart.Renderer{}).Render(c, domain.ChartStyle{Width: 50, Height: 20}); err == nil {
		t.Error("a 50 × 20 chart drawn")
	}
	c.Series[0].Values = c.Series[0].Values[:3]
	if _, err := (chart.Renderer{}).Render(c, light); err == nil {
		t.Error("a series shorter than the categories drawn")
	}
}

// TestApprovedImage compares a chart with its approved image
// (testdata/*.approved.png, looked at by a person); PORTOLAN_APPROVE=1
// writes the image anew, to be looked at and committed.
func TestApprovedImage(t *testing.T) {
	for name, c := range map[string]domain.Chart{"ship-on-time": weekly(), "by-destination": {
		Unit: "%", Decimals: 2, Kind: domain.ChartBars, Categories: []string{"DE", "US", "JP", "FR"},
		Series: []domain.ChartSeries{{Name: "DHL", Values: []int64{9500, 9100, 8700, domain.NoValue}}, {Name: "UPS", Values: []int64{9800, 9300, domain.NoValue, 9000}}}}} {
		t.Run(name, func(t *testing.T) {
			r, err := chart.Renderer{}.Render(c, light)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".approved.png")
			if os.Getenv("PORTOLAN_APPROVE") == "1" {
				if err := os.WriteFile(path, r.PNG, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wi, err := png.Decode(bytes.NewReader(want))
			if err != nil {
				t.Fatal(err)
			}
			got := decode(t, r)
			if wi.Bounds() != got.Bounds() {
				t.Fatalf("size %v, approved %v", got.Bounds(), wi.Bounds())
			}
			differ := 0
			for y := 0; y < got.Bounds().Dy(); y++ {
				for x := 0; x < got.Bounds().Dx(); x++ {
					r1, g1, b1, _ := got.At(x, y).RGBA()
					r2, g2, b2, _ := wi.At(x, y).RGBA()
					if absDiff(r1>>8, r2>>8) > 8 || absDiff(g1>>8, g2>>8) > 8 || absDiff(b1>>8, b2>>8) > 8 {
						differ++
					}
				}
			}
			// Anti-aliasing may move a few edge pixels; a changed chart moves thousands.
			if differ > 200 {
				t.Errorf("%d pixels differ from %s; look at the new image (PORTOLAN_APPROVE=1) and approve it if it is right", differ, path)
			}
		})
	}
}
