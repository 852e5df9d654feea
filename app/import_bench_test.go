package app_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portolan/portolan/app"
	"github.com/portolan/portolan/domain"
)

// orderCSV writes an order export of rows rows (three lines an order, in
// every script), as a storefront or ERP would.
func orderCSV(tb testing.TB, rows int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), fmt.Sprintf("orders-%d.csv", rows))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "Id,Name,Created at,Currency,Lineitem sku,Lineitem quantity,Lineitem price,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Shipping Country,Email")
	names := []string{"山田 太郎", "Jürgen Müller", "Αλέξανδρος Παπαδόπουλος", "Иван Петров", "محمد علي", "김민준", "Ana Souza"}
	countries := []string{"JP", "DE", "GR", "BG", "AE", "KR", "BR"}
	for i := range rows {
		o := i / 3
		k := o % len(names)
		fmt.Fprintf(w, "%d,#%d,2026-11-%02d 10:%02d:00 +0100,EUR,PRT-%d,%d,%d.%02d,%s,Street %d,City %d,%05d,%s,c%d@example.com\n",
			900000+o, 100000+o, 1+o%28, o%60, 10100+i%400, 1+i%3, 5+i%90, i%100, names[k], o, k, o%99999, countries[k], o)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

// peakHeap samples the Go heap in use every 20 ms until stop is closed and
// returns the most seen, in MB.
func peakHeap(stop chan struct{}) func() float64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			if v := m.HeapInuse + m.StackInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 { <-done; return float64(peak.Load()) / (1 << 20) }
}

// BenchmarkImportMillionRowCSV imports an 80 MB order file of a million
// rows (333,334 orders) into an empty channel, reporting rows a second and
// the peak Go heap (issue 14: under 300 MB whatever the size; ≥ 20,000 rows/s).
func BenchmarkImportMillionRowCSV(b *testing.B) {
	benchImport(b, 1_000_000)
}

func benchImport(b *testing.B, rows int) {
	path := orderCSV(b, rows)
	st, _ := os.Stat(path)
	for b.Loop() {
		b.StopTimer()
		a, err := app.Open(filepath.Join(b.TempDir(), "import.db"), app.Options{Now: testClock.Now})
		if err != nil {
			b.Fatal(err)
		}
		ch, err := a.Intake.AddChannel(context.Background(), domain.ChannelFile, "ERP export", "", domain.Credentials{})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := make(chan struct{})
		peak := peakHeap(stop)
		b.StartTimer()
		start := time.Now()
		p, err := a.Intake.PreviewFile(context.Background(), ch, path, app.ImportOptions{})
		if err != nil || p.Rows != rows || p.ProblemCount != 0 {
			b.Fatalf("preview: %v, %d rows, %d problems %v", err, p.Rows, p.ProblemCount, p.Problems[:min(3, len(p.Problems))])
		}
		run, err := a.Intake.ImportFile(context.Background(), ch, p, nil)
		elapsed := time.Since(start)
		b.StopTimer()
		close(stop)
		if err != nil || run.New != (rows+2)/3 {
			b.Fatalf("import: %v, %d new", err, run.New)
		}
		b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
		b.ReportMetric(peak(), "MB-peak-heap")
		b.ReportMetric(float64(st.Size())/(1<<20), "MB-file")
		if rss := peakRSS(); rss > 0 {
			b.ReportMetric(rss, "MB-peak-RSS")
		}
		a.Close()
		b.StartTimer()
	}
}

// BenchmarkImport100kRowCSV is the same at a tenth of the size (the peak
// heap should not grow with the file).
func BenchmarkImport100kRowCSV(b *testing.B) {
	benchImport(b, 100_000)
}

// peakRSS is the process's peak resident memory in MB (Linux; 0 elsewhere):
// the Go heap and SQLite's caches together.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}
