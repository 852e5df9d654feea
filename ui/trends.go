package ui

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// TrendService is what the Overview's trends need; app.TrendService
// implements it.
type TrendService interface {
	Trends(ctx context.Context) (domain.Trends, error)
	Render(c domain.Chart, style domain.ChartStyle) (domain.RenderedChart, error)
	ReportPDF(ctx context.Context, week string, w io.Writer) (domain.WeeklyReport, error)
}

// chartSize is a chart's size on screen.
var chartSize = fyne.NewSize(560, 210)

// ChartView is one trend: its title, the chart, its legend, and the
// numbers of the column under the pointer (or tapped; the last column
// until then).
type ChartView struct {
	Title   *widget.Label
	Numbers *widget.Label
	image   *chartImage
	legend  *fyne.Container
	box     *fyne.Container
	chart   domain.Chart
	drawn   domain.RenderedChart
	// Shown is the category whose numbers are shown.
	Shown int
}

func newChartView() *ChartView {
	v := &ChartView{Title: widget.NewLabel(""), Numbers: uikit.Wrapped(""), legend: container.NewHBox()}
	v.Title.TextStyle = fyne.TextStyle{Bold: true}
	v.image = newChartImage(v.Point)
	v.box = container.NewVBox(v.Title, container.NewHScroll(v.legend), v.image, v.Numbers)
	return v
}

// show sets the chart and its drawing.
func (v *ChartView) show(c domain.Chart, drawn domain.RenderedChart) {
	v.chart, v.drawn = c, drawn
	v.Title.SetText(c.Title)
	v.legend.Objects = nil
	for i, s := range c.Series {
		if i >= len(drawn.Colors) {
			break
		}
		swatch := canvas.NewRectangle(drawn.Colors[i])
		swatch.SetMinSize(fyne.NewSize(12, 12))
		v.legend.Objects = append(v.legend.Objects, container.NewCenter(swatch), widget.NewLabel(s.Name))
	}
	v.legend.Refresh()
	img, err := decodePNG(drawn.PNG)
	if err == nil {
		v.image.img.Image = img
		v.image.img.Refresh()
	}
	v.Shown = -1
	v.showNumbers(len(c.Categories) - 1)
}

func (v *ChartView) showNumbers(category int) {
	if category == v.Shown {
		return
	}
	v.Shown = category
	switch {
	case v.chart.Empty():
		v.Numbers.SetText("Nothing to show yet in these weeks.")
	case category >= 0:
		v.Numbers.SetText(v.chart.Describe(category))
	}
}

// Point shows the numbers of the column at (fx, fy), a fraction of the
// chart's width and height.
func (v *ChartView) Point(fx, fy float32) {
	if len(v.drawn.PNG) == 0 {
		return
	}
	b := v.image.img.Image.Bounds()
	if c := v.drawn.CategoryAt(int(fx*float32(b.Dx())), int(fy*float32(b.Dy()))); c >= 0 {
		v.showNumbers(c)
	}
}

// chartImage is a chart's picture that reports where the pointer is over
// it (hovered with a mouse, or tapped).
type chartImage struct {
	widget.BaseWidget
	img *canvas.Image
	at  func(fx, fy float32)
}

func newChartImage(at func(fx, fy float32)) *chartImage {
	c := &chartImage{img: canvas.NewImageFromImage(nil), at: at}
	c.img.FillMode = canvas.ImageFillStretch
	c.img.ScaleMode = canvas.ImageScaleSmooth
	c.img.SetMinSize(chartSize)
	c.ExtendBaseWidget(c)
	return c
}

func (c *chartImage) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(c.img) }

func (c *chartImage) point(p fyne.Position) {
	if s := c.Size(); s.Width > 0 && s.Height > 0 {
		c.at(p.X/s.Width, p.Y/s.Height)
	}
}

func (c *chartImage) Tapped(e *fyne.PointEvent)        { c.point(e.Position) }
func (c *chartImage) MouseIn(e *desktop.MouseEvent)    { c.point(e.Position) }
func (c *chartImage) MouseMoved(e *desktop.MouseEvent) { c.point(e.Position) }
func (c *chartImage) MouseOut()                        {}

// TrendsPanel is the Overview's Trends tab: the charts, counted and drawn
// off the UI goroutine, with Stop while they are.
type TrendsPanel struct {
	svc     TrendService
	tasks   uikit.Tasks
	Charts  []*ChartView
	Problem uikit.ProblemLabel
	Working *widget.ProgressBarInfinite
	Stop    *widget.Button
	content fyne.CanvasObject

	mu     sync.Mutex
	cancel context.CancelFunc
	gen    int
}

func newTrendsPanel(svc TrendService) *TrendsPanel {
	p := &TrendsPanel{svc: svc, Problem: uikit.NewProblemLabel(), Working: widget.NewProgressBarInfinite()}
	p.Working.Hide()
	p.Working.Stop()
	p.Stop = widget.NewButtonWithIcon("Stop", theme.CancelIcon(), p.stop)
	p.Stop.Hide()
	grid := container.NewGridWrap(fyne.NewSize(chartSize.Width+16, chartSize.Height+150))
	for range (domain.Trends{}).Charts() {
		v := newChartView()
		p.Charts = append(p.Charts, v)
		grid.Objects = append(grid.Objects, v.box)
	}
	hint := widget.NewLabel("Point at a chart, or tap it, for the numbers of that day, week or month.")
	hint.Importance = widget.LowImportance
	top := container.NewVBox(container.NewBorder(nil, nil, nil, p.Stop, p.Working), p.Problem.Label, hint)
	p.content = container.NewBorder(top, nil, nil, nil, container.NewVScroll(grid))
	return p
}

func (p *TrendsPanel) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		p.cancel()
	}
}

// Wait blocks until the charts asked for are shown (tests).
func (p *TrendsPanel) Wait() { p.tasks.Wait() }

// Reload counts the trends and draws them in the theme's colours, off the
// UI goroutine; a reload meanwhile, or Stop, cancels it.
func (p *TrendsPanel) Reload() {
	p.mu.Lock()
	if p.cancel != nil {
		p.cancel()
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	p.gen++
	gen := p.gen
	p.mu.Unlock()
	style := domain.ChartStyle{Width: int(chartSize.Width * 2), Height: int(chartSize.Height * 2), Scale: 2,
		Foreground: theme.Color(theme.ColorNameForeground), Background: theme.Color(theme.ColorNameBackground),
		Grid: theme.Color(theme.ColorNameSeparator)}
	p.Working.Show()
	p.Working.Start()
	p.Stop.Show()
	p.tasks.Run(func() func() {
		t, err := p.svc.Trends(ctx)
		var drawn []domain.RenderedChart
		if err == nil {
			for _, c := range t.Charts() {
				if err = ctx.Err(); err != nil {
					break
				}
				var d domain.RenderedChart
				if d, err = p.svc.Render(c, style); err != nil {
					break
				}
				drawn = append(drawn, d)
			}
		}
		return func() {
			p.mu.Lock()
			current := gen == p.gen
			p.mu.Unlock()
			if !current {
				return
			}
			p.Working.Stop()
			p.Working.Hide()
			p.Stop.Hide()
			if err != nil {
				if ctx.Err() != nil {
					p.Problem.Show("the trends", uikit.Problemf("stopped; Refresh counts them again"))
				} else {
					p.Problem.Show("the trends", err)
				}
				return
			}
			p.Problem.Hide()
			for i, c := range t.Charts() {
				p.Charts[i].show(c, drawn[i])
			}
		}
	})
}

// decodePNG reads a drawn chart.
func decodePNG(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
