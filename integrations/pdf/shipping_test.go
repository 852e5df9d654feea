package pdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/pdf"
)

func venlo() domain.Warehouse {
	return domain.Warehouse{Code: "NL-VEN", Name: "Venlo fulfilment centre",
		Address: domain.Address{Name: "Venlo fulfilment centre", Company: "Portolan Logistics B.V.", Line1: "Celsiusweg 40", City: "Venlo", PostalCode: "5928 PR", Country: "NL"}}
}

func parcel(id int64, number, tracking string, to domain.Address, cur domain.Currency, price int64) domain.PackedParcel {
	return domain.PackedParcel{ID: id, OrderID: id, Number: number, Seq: 1, Of: 1, Warehouse: venlo(), Weight: 900, Tracking: tracking,
		Service: "DHL Express", ShipTo: to, Currency: cur, Box: domain.Box{Code: "M"},
		Lines: []domain.ParcelLine{{LineNo: 1, SKU: "PRT-10001", Name: "Merino wool beanie — Black", Qty: 2, UnitPrice: domain.NewMoney(price, cur),
			HSCode: "650500", Origin: "PT", Description: "Knitted hat of wool", UnitWeight: 90}}}
}

func TestJobPrintsLabelsCustomsAndSlipsInParcelOrder(t *testing.T) {
	parcels := []domain.PackedParcel{
		parcel(1, "SH-100001", "JD014600006281234567", domain.Address{Name: "Anna de Vries", Line1: "Kerkstraat 1", City: "Utrecht", PostalCode: "3511 LX", Country: "NL"}, "EUR", 2500),
		parcel(2, "BC-100002", "1Z999AA10123456784", domain.Address{Name: "山田 太郎", Line1: "神南1-2-3", City: "渋谷区", Region: "東京都", PostalCode: "150-0041", Country: "JP", Phone: "+81 3 5555 0101"}, "JPY", 4900),
		parcel(3, "WO-100003", "9400111899223197428490", domain.Address{Name: "Иван Петров", Line1: "100 Main St", City: "Boston", Region: "MA", PostalCode: "02110", Country: "US", Phone: "+1 617 555 0100"}, "USD", 45000),
	}
	var b bytes.Buffer
	if err := pdf.Job(&b, parcels, pdf.JobOptions{ShippingSettings: domain.ShippingSettings{EORI: "NL123456789000", LatinCarriers: domain.DefaultLatinCarriers}, At: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	pages := strings.Split(text, "\f")
	// Parcel 1 (domestic): label, slip. Parcel 2 (JP, ¥9,800): label, CN22, slip. Parcel 3 (US, $900): label, CN23, invoice, slip.
	want := []string{"JD014600006281234567", "Packing slip", "1Z999AA10123456784", "CN22", "Packing slip",
		"9400111899223197428490", "CN23", "Commercial invoice", "Packing slip"}
	for i, w := range want {
		if i >= len(pages) || !strings.Contains(pages[i], w) {
			t.Fatalf("page %d should have %q; pages:\n%s", i+1, w, strings.Join(pages, "\n=== page ===\n"))
		}
	}
	for _, s := range []string{"山田 太郎", "神南1-2-3", "Иван Петров", "Parcel 1/1", "Service: DHL Express", "Weight: 0.90 kg",
		"EORI NL123456789000", "650500", "Incoterm: DAP", "900.00 USD", "Portolan Logistics B.V."} {
		if !strings.Contains(text, s) {
			t.Errorf("%q missing", s)
		}
	}
	if strings.Count(text, "Packing slip") != 3 {
		t.Errorf("%d packing slips", strings.Count(text, "Packing slip"))
	}
	// The Japanese label warns that carriers need Latin script.
	if !strings.Contains(pages[2], "Latin script") || strings.Contains(pages[0], "Latin script") {
		t.Error("Latin-script warning misplaced")
	}
}

func TestJobPrintsNothingWhenPreflightFails(t *testing.T) {
	bad := parcel(7, "SH-7", "", domain.Address{Name: "Jane Roe", Line1: "1 Main St", City: "Boston", PostalCode: "02110", Country: "US"}, "USD", 0)
	bad.Lines[0].HSCode = "65"
	var b bytes.Buffer
	err := pdf.Job(&b, []domain.PackedParcel{bad}, pdf.JobOptions{})
	var pe *pdf.PreflightError
	if !errors.As(err, &pe) || b.Len() != 0 {
		t.Fatalf("%v, %d bytes written", err, b.Len())
	}
	msg := err.Error()
	for _, s := range []string{"no tracking number", "no HS code of 6–10 digits", "declared at no value", "need the recipient's phone"} {
		if !strings.Contains(msg, s) {
			t.Errorf("%q missing from %s", s, msg)
		}
	}
}

func TestJobReprintsIdenticallyWithOneLabelPerParcel(t *testing.T) {
	var parcels []domain.PackedParcel
	for i := int64(1); i <= 5; i++ {
		to := domain.Address{Name: "خالد الشامسي", Line1: "شارع الشيخ زايد", City: "دبي", Country: "AE", Phone: "+971 4 555 0101"}
		if i%2 == 0 {
			to = domain.Address{Name: "יעל כהן", Line1: "רחוב הרצל 1", City: "תל אביב", Country: "IL", Phone: "+972 3 555 0101"}
		}
		parcels = append(parcels, parcel(i, fmt.Sprintf("SH-%d", i), fmt.Sprintf("TRK%05d", i), to, "EUR", 2500))
	}
	opts := pdf.JobOptions{ShippingSettings: domain.ShippingSettings{LatinCarriers: domain.DefaultLatinCarriers}, At: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}
	var a, b bytes.Buffer
	if err := pdf.Job(&a, parcels, opts); err != nil {
		t.Fatal(err)
	}
	if err := pdf.Job(&b, parcels, opts); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("a reprint is not the same document")
	}
	// Arabic and Hebrew names do not break the document; every label is there once.
	text := pdfText(t, a.Bytes())
	if got := strings.Count(text, "Service: DHL Express"); got != len(parcels) {
		t.Errorf("%d labels for %d parcels", got, len(parcels))
	}
	if strings.Count(text, "Latin script") != len(parcels) {
		t.Errorf("every non-Latin international label should carry the warning")
	}
}

// pageSizes reads each page's size in points with pdfinfo.
func pageSizes(t *testing.T, b []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", "-f", "1", "-l", "1000", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	var sizes []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "Page") && strings.Contains(l, " size:") {
			f := strings.Fields(l[strings.Index(l, "size:")+5:])
			sizes = append(sizes, f[0]+"x"+f[2])
		}
	}
	return sizes
}

func TestJobPrintsCustomsOnLetterAndLabelsOnA6(t *testing.T) {
	us := parcel(3, "WO-100003", "9400111899223197428490", domain.Address{Name: "Jane Roe", Line1: "100 Main St", City: "Boston", Region: "MA",
		PostalCode: "02110", Country: "US", Phone: "+1 617 555 0100"}, "USD", 45000)
	var b bytes.Buffer
	if err := pdf.Job(&b, []domain.PackedParcel{us}, pdf.JobOptions{LabelPaper: pdf.A6, DocPaper: pdf.Letter}); err != nil {
		t.Fatal(err)
	}
	// Label (A6 297.64x419.53 pt), CN23, invoice, slip (Letter 612x792 pt).
	got := strings.Join(pageSizes(t, b.Bytes()), " ")
	if want := "297.64x419.53 612x792 612x792 612x792"; got != want {
		t.Errorf("page sizes %s, want %s", got, want)
	}
}

func TestLatinWarningFollowsTheCarrier(t *testing.T) {
	jp := domain.Address{Name: "山田 太郎", Line1: "神南1-2-3", City: "渋谷区", PostalCode: "150-0041", Country: "JP", Phone: "+81 3 5555 0101"}
	set := domain.ShippingSettings{LatinCarriers: []string{"DHL", "FedEx"}}
	for _, c := range []struct {
		carrier string
		to      domain.Address
		warn    string
	}{
		{"DHL", jp, "International: DHL requires Latin script"},
		{"", jp, "International: the carrier requires Latin script"},
		{"Japan Post", jp, ""}, // takes kanji addresses
		{"DHL", domain.Address{Name: "Taro Yamada", Line1: "1-2-3 Jinnan", City: "Shibuya-ku", PostalCode: "150-0041", Country: "JP", Phone: "+81 3"}, ""},
	} {
		p := parcel(1, "SH-1", "JD0146", c.to, "JPY", 4900)
		p.Carrier = c.carrier
		var b bytes.Buffer
		if err := pdf.Job(&b, []domain.PackedParcel{p}, pdf.JobOptions{ShippingSettings: set}); err != nil {
			t.Fatal(err)
		}
		text := strings.Join(strings.Fields(pdfText(t, b.Bytes())), " ")
		if c.warn == "" && strings.Contains(text, "Latin script") || c.warn != "" && !strings.Contains(text, c.warn) {
			t.Errorf("carrier %q to %s: want warning %q in\n%s", c.carrier, c.to.Name, c.warn, text)
		}
	}
}

// pngLabel is a 4×6 inch label image at 203 dpi with a bar drawn on it.
func pngLabel(t *testing.T) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 812, 1218))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := 100; x < 700; x++ {
		for y := 800; y < 1000; y++ {
			img.SetGray(x, y, color.Gray{})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A parcel whose label was bought from its carrier prints the carrier's
// label image in its place; the others keep Portolan's own, marked as such.
// A label file that is not an image stops the job, named.
func TestJobPrintsTheCarriersLabel(t *testing.T) {
	to := domain.Address{Name: "Anna de Vries", Line1: "Kerkstraat 1", City: "Utrecht", PostalCode: "3511 LX", Country: "NL"}
	parcels := []domain.PackedParcel{parcel(1, "SH-100001", "EZ1234500001", to, "EUR", 2500), parcel(2, "SH-100002", "JD014600006281234567", to, "EUR", 2500)}
	labels := map[int64]domain.Label{1: {Carrier: "SandboxPost", Tracking: "EZ1234500001", Format: "PNG", File: pngLabel(t)}}
	var b bytes.Buffer
	if err := pdf.Job(&b, parcels, pdf.JobOptions{CarrierLabels: labels}); err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdfText(t, b.Bytes()), "\f")
	if len(pages) < 4 || strings.Contains(pages[0], "EZ1234500001") || strings.Contains(pages[0], "Portolan") ||
		!strings.Contains(pages[2], "Label printed by Portolan, not issued by the carrier") || !strings.Contains(pages[1], "Packing slip") {
		t.Errorf("pages:\n%s", strings.Join(pages, "\n=== page ===\n"))
	}
	if n := bytes.Count(b.Bytes(), []byte("/Subtype /Image")); n != 1 {
		t.Errorf("%d images in the job, want the carrier's label", n)
	}
	var pe *domain.PreflightError
	// A carrier's PDF label (DHL's own, from its API's example) is placed
	// as it is: its text and barcodes stay the carrier's.
	dhl, err := os.ReadFile("testdata/dhl-express-label.pdf")
	if err != nil {
		t.Fatal(err)
	}
	labels[2] = domain.Label{Carrier: "DHL Express", Tracking: "1103733901", Format: "PDF", File: dhl}
	b.Reset()
	if err := pdf.Job(&b, parcels, pdf.JobOptions{CarrierLabels: labels}); err != nil {
		t.Fatal(err)
	}
	pages = strings.Split(pdfText(t, b.Bytes()), "\f")
	if len(pages) < 4 || !strings.Contains(pages[2], "WAYBILL 11 0373 3901") || !strings.Contains(pages[2], "EXPRESS WORLDWIDE") ||
		strings.Contains(pages[2], "not issued by the carrier") {
		t.Errorf("the DHL label's page:\n%s", pages[min(2, len(pages)-1)])
	}
	broken := map[int64]domain.Label{1: {Carrier: "DHL Express", Format: "PDF", File: []byte("%PDF-1.4 cut short")}}
	if err := pdf.Job(&b, parcels, pdf.JobOptions{CarrierLabels: broken}); !errors.As(err, &pe) || !strings.Contains(err.Error(), "DHL Express label") {
		t.Errorf("a broken PDF label: %v", err)
	}
	// A ZPL label is for the thermal printer: the job prints the parcel's
	// packing slip without a label page, and the other parcel's label.
	zpl := map[int64]domain.Label{1: {Carrier: "UPS", Tracking: "1Z999AA10123456784", Format: "ZPL", File: []byte("^XA^FO50,50^FDlabel^FS^XZ")}}
	b.Reset()
	if err := pdf.Job(&b, parcels, pdf.JobOptions{CarrierLabels: zpl}); err != nil {
		t.Fatalf("a ZPL label in a PDF job: %v", err)
	}
	pages = strings.Split(strings.TrimSuffix(pdfText(t, b.Bytes()), "\f"), "\f")
	if len(pages) != 3 || !strings.Contains(pages[0], "Packing slip") || !strings.Contains(pages[0], "SH-100001") ||
		!strings.Contains(pages[1], "Label printed by Portolan") || strings.Contains(strings.Join(pages, ""), "1Z999AA10123456784") {
		t.Errorf("pages with a ZPL label:\n%s", strings.Join(pages, "\n=== page ===\n"))
	}
	// Labels on a thermal printer: the papers and slips alone.
	b.Reset()
	if err := (pdf.Renderer{}).Job(&b, parcels, domain.NoLabels, domain.ShippingSettings{}, time.Time{}, labels); err != nil {
		t.Fatal(err)
	}
	pages = strings.Split(strings.TrimSuffix(pdfText(t, b.Bytes()), "\f"), "\f")
	if len(pages) != 2 || !strings.Contains(pages[0], "Packing slip") || !strings.Contains(pages[1], "Packing slip") ||
		bytes.Contains(b.Bytes(), []byte("/Subtype /Image")) || bytes.Contains(b.Bytes(), []byte("/Subtype /Form")) {
		t.Errorf("pages without labels:\n%s", strings.Join(pages, "\n=== page ===\n"))
	}
	if err := (pdf.Renderer{}).Job(&b, parcels, "A4", domain.ShippingSettings{}, time.Time{}, nil); err == nil || !strings.Contains(err.Error(), `"none"`) {
		t.Errorf("labels on A4: %v", err)
	}
}

// A label image on its side (UPS's GIF is wider than high) is turned to
// stand on the 4×6 paper: drawn black all over, it covers the page's
// height, not a strip across its width.
func TestALabelOnItsSideIsTurned(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 1200, 800)) // all black
	var png8 bytes.Buffer
	if err := png.Encode(&png8, img); err != nil {
		t.Fatal(err)
	}
	to := domain.Address{Name: "Anna de Vries", Line1: "Kerkstraat 1", City: "Utrecht", PostalCode: "3511 LX", Country: "NL"}
	parcels := []domain.PackedParcel{parcel(1, "SH-100001", "1ZPRT0036800000001", to, "EUR", 2500)}
	var b bytes.Buffer
	if err := pdf.Job(&b, parcels, pdf.JobOptions{CarrierLabels: map[int64]domain.Label{1: {Carrier: "UPS", Format: "PNG", File: png8.Bytes()}}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "job.pdf"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", filepath.Join(dir, "job.pdf"), filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page-1.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	r := page.Bounds()
	minX, minY, maxX, maxY := r.Max.X, r.Max.Y, 0, 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if c, _, _, _ := page.At(x, y).RGBA(); c < 0x4000 {
				minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
			}
		}
	}
	if w, h := maxX-minX, maxY-minY; h <= w || h < r.Dy()*8/10 {
		t.Errorf("the label covers %d×%d of a %d×%d page: not turned to stand", w, h, r.Dx(), r.Dy())
	}
}
