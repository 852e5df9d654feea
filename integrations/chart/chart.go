// Package chart draws the Overview's trends (domain.Chart) as PNG images
// with gonum.org/v1/plot, for the window and the weekly report alike.
//
// The image holds the axes, the grid and the data only; titles and
// legends, which may name clients in any script, are set beside it by
// the window and the report in their own fonts, in the colours the
// rendered chart reports (domain.RenderedChart.Colors).
package chart

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/portolan/portolan/domain"
)

// Renderer implements domain.ChartRenderer.
type Renderer struct{}

var _ domain.ChartRenderer = Renderer{}

// Palette is the series' colours (Tableau 10): distinct from one another,
// and readable on a light and on a dark background.
var Palette = []color.RGBA{
	{0x4e, 0x79, 0xa7, 0xff}, {0xf2, 0x8e, 0x2b, 0xff}, {0xe1, 0x57, 0x59, 0xff}, {0x76, 0xb7, 0xb2, 0xff},
	{0x59, 0xa1, 0x4f, 0xff}, {0xed, 0xc9, 0x48, 0xff}, {0xb0, 0x7a, 0xa1, 0xff}, {0xff, 0x9d, 0xa7, 0xff},
	{0x9c, 0x75, 0x5f, 0xff}, {0xba, 0xb0, 0xac, 0xff},
}

// maxLabels is about how many category names fit under a chart; with
// more categories (56 days) every k-th is named.
const maxLabels = 10

// Render draws c in style.
func (Renderer) Render(c domain.Chart, style domain.ChartStyle) (domain.RenderedChart, error) {
	if style.Width < 100 || style.Height < 80 {
		return domain.RenderedChart{}, fmt.Errorf("a chart of %d × %d pixels is too small to draw", style.Width, style.Height)
	}
	for _, s := range c.Series {
		if len(s.Values) != len(c.Categories) {
			return domain.RenderedChart{}, fmt.Errorf("chart %q: series %q has %d values for %d categories", c.Title, s.Name, len(s.Values), len(c.Categories))
		}
	}
	scale := style.Scale
	if scale <= 0 {
		scale = 1
	}
	fg, bg, grid := style.Foreground, style.Background, style.Grid
	if fg == nil {
		fg = color.Black
	}
	if bg == nil {
		bg = color.White
	}
	if grid == nil {
		grid = color.Gray{0xdd}
	}

	p := plot.New()
	p.BackgroundColor = bg
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Color, a.Tick.Color, a.Tick.Label.Color, a.Label.TextStyle.Color = fg, fg, fg, fg
		a.Tick.Label.Font.Size = 10
	}
	p.X.Padding, p.Y.Padding = 0, 0
	p.Y.Min = 0
	switch {
	case c.Unit == "%":
		p.Y.Max = 100
		p.Y.Tick.Marker = percentTicks{}
	case c.Unit != "":
		p.Y.Label.Text = c.Unit
		p.Y.Label.TextStyle.Font.Size = 10
	}
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal.Color = grid
	p.Add(g)

	n := len(c.Categories)
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	every := max(1, (n+maxLabels-1)/maxLabels)
	var ticks []plot.Tick
	for i, name := range c.Categories {
		if i%every == 0 {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: name})
		}
	}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)

	// The data area is about the image less the axes: the bars' width.
	column := vg.Length(float64(style.Width)/scale*0.85) / vg.Length(max(n, 1))
	colors := make([]color.RGBA, len(c.Series))
	var below *plotter.BarChart
	top := 0.0
	for si := range c.Series {
		colors[si] = Palette[si%len(Palette)]
		col := colors[si]
		values := make([]float64, n)
		for i := range n {
			v, _ := c.Value(si, i)
			values[i] = v
		}
		switch c.Kind {
		case domain.ChartStacked, domain.ChartBars:
			width := column * 0.8
			if c.Kind == domain.ChartBars {
				width = column * 0.8 / vg.Length(len(c.Series))
			}
			bars, err := plotter.NewBarChart(plotter.Values(values), width)
			if err != nil {
				return domain.RenderedChart{}, err
			}
			bars.Color, bars.LineStyle.Width = col, 0
			if c.Kind == domain.ChartStacked {
				if below != nil {
					bars.StackOn(below)
				}
				below = bars
			} else {
				bars.Offset = width*vg.Length(si) - column*0.4 + width/2
			}
			p.Add(bars)
		default:
			// A line through each run of known points; a point alone is a dot.
			var run plotter.XYs
			flush := func() error {
				if len(run) > 1 {
					l, err := plotter.NewLine(run)
					if err != nil {
						return err
					}
					l.Color, l.Width = col, vg.Points(1.5)
					p.Add(l)
				}
				if len(run) > 0 {
					dots, err := plotter.NewScatter(run)
					if err != nil {
						return err
					}
					dots.Color, dots.Radius, dots.Shape = col, vg.Points(2), draw.CircleGlyph{}
					p.Add(dots)
				}
				run = nil
				return nil
			}
			for i := range n {
				v, ok := c.Value(si, i)
				if !ok {
					if err := flush(); err != nil {
						return domain.RenderedChart{}, err
					}
					continue
				}
				run = append(run, plotter.XY{X: float64(i), Y: v})
			}
			if err := flush(); err != nil {
				return domain.RenderedChart{}, err
			}
		}
		for i := range n {
			if c.Kind == domain.ChartStacked {
				continue
			}
			top = math.Max(top, values[i])
		}
	}
	if c.Kind == domain.ChartStacked {
		for i := range n {
			sum := 0.0
			for si := range c.Series {
				v, _ := c.Value(si, i)
				sum += v
			}
			top = math.Max(top, sum)
		}
	}
	if c.Unit != "%" {
		p.Y.Max = niceCeiling(top)
	}

	dpi := int(math.Round(72 * scale))
	w, h := vg.Length(float64(style.Width)/scale), vg.Length(float64(style.Height)/scale)
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(dpi), vgimg.UseBackgroundColor(bg))
	// Room at the top for the highest label, at the right for the last.
	dc := draw.Crop(draw.New(img), 0, -vg.Points(8), 0, -vg.Points(6))
	p.Draw(dc)

	// Where the data is, in the image's pixels (y grows downwards there).
	data := p.DataCanvas(dc)
	xf, _ := p.Transforms(&data)
	px := func(l vg.Length) int { return int(math.Round(float64(l) * scale)) }
	out := domain.RenderedChart{
		Plot:   image.Rect(px(data.Min.X), style.Height-px(data.Max.Y), px(data.Max.X), style.Height-px(data.Min.Y)),
		Colors: colors,
	}
	for i := range n {
		out.Columns = append(out.Columns, px(xf(float64(i))))
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img.Image()); err != nil {
		return domain.RenderedChart{}, err
	}
	out.PNG = buf.Bytes()
	return out, nil
}

// niceCeiling is the axis' top: v rounded up to 1, 2, 2.5 or 5 times a
// power of ten (at least 1).
func niceCeiling(v float64) float64 {
	if v <= 1 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// percentTicks marks 0 to 100 % every 25.
type percentTicks struct{}

func (percentTicks) Ticks(min, max float64) []plot.Tick {
	var t []plot.Tick
	for v := 0.0; v <= 100; v += 25 {
		t = append(t, plot.Tick{Value: v, Label: fmt.Sprintf("%.0f %%", v)})
	}
	return t
}
