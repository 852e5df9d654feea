package zpl_test

import (
	"bytes"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/integrations/zpl"
)

// A label image becomes one ^GFA graphic field whose dots are the image's
// dark pixels, scaled to the 4×6 label.
func TestImageBecomesAGraphicField(t *testing.T) {
	// 406×609: half the label's dots; a black square in its top-left quarter.
	img := image.NewGray(image.Rect(0, 0, 406, 609))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for x := range 100 {
		for y := range 100 {
			img.SetGray(x, y, color.Gray{})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	out, err := zpl.Image(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^\^XA\^PW812\^LL1218\^FO(\d+),(\d+)\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS\^XZ\n$`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("not one graphic field: %.120q", out)
	}
	total, _ := strconv.Atoi(string(m[3]))
	row, _ := strconv.Atoi(string(m[5]))
	data, err := hex.DecodeString(string(m[6]))
	if err != nil || len(data) != total || row != (812+7)/8 || total != row*1218 {
		t.Fatalf("field of %d bytes (%v), %d a row, says %d", len(data), err, row, total)
	}
	dot := func(x, y int) bool { return data[y*row+x/8]&(0x80>>(x%8)) != 0 }
	if !dot(0, 0) || !dot(190, 190) || dot(210, 210) || dot(800, 1200) {
		t.Errorf("dots: (0,0) %v (190,190) %v (210,210) %v (800,1200) %v", dot(0, 0), dot(190, 190), dot(210, 210), dot(800, 1200))
	}
	if _, err := zpl.Image([]byte("%PDF-1.4")); err == nil {
		t.Error("a PDF converted as an image")
	}
}

// Portolan's own label: addresses, service, the tracking barcode, marked;
// a ^ in the data cannot end a field.
func TestOwnLabel(t *testing.T) {
	p := domain.PackedParcel{ID: 7, Number: "SH-1042", Seq: 1, Of: 2, Weight: 1250, Tracking: "JD014600006281234567", Carrier: "DHL",
		Warehouse: domain.Warehouse{Address: domain.Address{Company: "Portolan B.V.", Line1: "Celsiusweg 40", City: "Venlo", Country: "NL"}},
		ShipTo:    domain.Address{Name: "José Müller ^XZ", Line1: "Hauptstr. 1", City: "Berlin", PostalCode: "10115", Country: "DE", Phone: "+49 30 1"}}
	out := string(zpl.Own(p))
	for _, want := range []string{"^XA", "^CI28", "^FDJosé Müller  XZ^FS", "^FDCelsiusweg 40^FS", "^BCN,180,N,N,N^FDJD014600006281234567^FS",
		"Parcel 1/2", "Weight: 1.25 kg", "not issued by the carrier"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing from %s", want, out)
		}
	}
	if strings.Count(out, "^XA") != 1 || !strings.HasSuffix(out, "^XZ\n") {
		t.Errorf("not one label: %s", out)
	}
}

// A carrier's own ZPL goes through as it is; images are converted; parcels
// without a carrier label get Portolan's.
func TestWriterTakesEachParcelsLabel(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 8, 12))
	var pngb bytes.Buffer
	png.Encode(&pngb, img)
	carrierZPL := []byte("^XA^FO50,50^A0N,50,50^FDUPS^FS^XZ\n")
	parcels := []domain.PackedParcel{{ID: 1, Tracking: "1Z999AA10123456784"}, {ID: 2, Tracking: "EZ1"}, {ID: 3, Tracking: "JD01"}}
	var b bytes.Buffer
	err := zpl.Writer{}.Labels(&b, parcels, map[int64]domain.Label{1: {File: carrierZPL}, 2: {File: pngb.Bytes()}})
	if err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, string(carrierZPL)) || strings.Count(out, "^XA") != 3 || !strings.Contains(out, "^GFA,") ||
		!strings.Contains(out, "^FDJD01^FS") {
		t.Errorf("labels:\n%.400s", out)
	}
}

// A carrier label that came as a PDF cannot be sent to a thermal printer: the
// job is refused in words naming the parcel, and nothing is written.
func TestWriterRefusesAPDFLabel(t *testing.T) {
	parcels := []domain.PackedParcel{{ID: 1, Seq: 1, Number: "SO-1", Tracking: "JD01"}, {ID: 2, Seq: 2, Number: "SO-1", Tracking: "1234567890"}}
	var b bytes.Buffer
	err := zpl.Writer{}.Labels(&b, parcels, map[int64]domain.Label{2: {Carrier: "DHL Express", File: []byte("%PDF-1.4\n...")}})
	if err == nil || !strings.Contains(err.Error(), "parcel 2 of SO-1") || !strings.Contains(err.Error(), "Labels on: PDF") {
		t.Fatalf("err = %v", err)
	}
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("code = %q", domain.ErrorCode(err))
	}
	if b.Len() != 0 {
		t.Errorf("the printer got %d bytes of a job that failed", b.Len())
	}
}
