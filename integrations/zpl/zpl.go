// Package zpl writes labels for thermal printers in ZPL II, the language of
// Zebra printers and the many that emulate them: a carrier's label image as
// a graphic field (^GFA), and Portolan's own label as text fields and a
// Code 128 barcode, for 4×6 inch labels at 203 dpi.
package zpl

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"  // carriers serve GIF labels too
	_ "image/jpeg" // and JPEG
	_ "image/png"
	"io"
	"strings"

	"github.com/portolan/portolan/domain"
)

// Dots is the label's size at 203 dpi: 4×6 inches.
const (
	Width  = 812
	Height = 1218
)

// Image is a label image as one ZPL label: scaled to fit the 4×6 label,
// its proportions kept, black where it is darker than mid-grey.
func Image(b []byte) ([]byte, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, domain.Errorf(domain.EINVALID, "the label file is not an image a thermal printer can be sent: %v", err)
	}
	src := img.Bounds()
	if src.Dx() == 0 || src.Dy() == 0 {
		return nil, domain.Errorf(domain.EINVALID, "the label image is empty")
	}
	scale := min(float64(Width)/float64(src.Dx()), float64(Height)/float64(src.Dy()))
	w, h := int(float64(src.Dx())*scale), int(float64(src.Dy())*scale)
	row := (w + 7) / 8
	dots := make([]byte, row*h) // a bit a dot, rows padded to whole bytes
	for y := range h {
		sy := src.Min.Y + int(float64(y)/scale)
		for x := range w {
			sx := src.Min.X + int(float64(x)/scale)
			if g := color.GrayModel.Convert(img.At(sx, sy)).(color.Gray); g.Y < 128 {
				dots[y*row+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	var out bytes.Buffer
	fmt.Fprintf(&out, "^XA^PW%d^LL%d^FO%d,%d^GFA,%d,%d,%d,%s^FS^XZ\n", Width, Height, (Width-w)/2, (Height-h)/2, len(dots), len(dots), row,
		strings.ToUpper(hex.EncodeToString(dots)))
	return out.Bytes(), nil
}

// Own is Portolan's own label for a parcel as ZPL: sender, recipient,
// service, weight, parcel n of m, order and the tracking number as a Code
// 128 barcode, marked as not issued by the carrier. ZPL's built-in fonts
// are Latin: letters they lack print as '?' — a carrier that takes
// Portolan's label from a thermal printer needs a romanised address.
func Own(p domain.PackedParcel) []byte {
	var b strings.Builder
	field := func(x, y, size int, text string) {
		fmt.Fprintf(&b, "^FO%d,%d^A0N,%d,%d^FD%s^FS", x, y, size, size, fieldText(text))
	}
	fmt.Fprintf(&b, "^XA^PW%d^LL%d^CI28", Width, Height)
	field(30, 30, 22, "FROM")
	y := 58
	for _, l := range p.Warehouse.Address.Lines() {
		field(30, y, 24, l)
		y += 28
	}
	fmt.Fprintf(&b, "^FO20,%d^GB772,3,3^FS", y+8)
	y += 30
	field(30, y, 22, "TO")
	y += 30
	for i, l := range p.ShipTo.Lines() {
		size := 34
		if i == 0 {
			size = 44
		}
		field(30, y, size, l)
		y += size + 8
	}
	if p.ShipTo.Phone != "" {
		field(30, y, 26, "Tel. "+p.ShipTo.Phone)
		y += 34
	}
	fmt.Fprintf(&b, "^FO20,%d^GB772,3,3^FS", y+8)
	y += 30
	service := p.Service
	if service == "" {
		service = "Standard"
	}
	field(30, y, 28, "Service: "+service)
	field(520, y, 34, fmt.Sprintf("Parcel %d/%d", p.Seq, p.Of))
	y += 40
	field(30, y, 28, fmt.Sprintf("Weight: %.2f kg   Order %s   %s", float64(p.Weight)/1000, p.Number, p.Carrier))
	fmt.Fprintf(&b, "^FO60,900^BY3^BCN,180,N,N,N^FD%s^FS", fieldText(p.Tracking))
	field(60, 1100, 40, p.Tracking)
	field(30, 1170, 20, "Label printed by Portolan, not issued by the carrier")
	b.WriteString("^XZ\n")
	return []byte(b.String())
}

// fieldText is text for a ^FD field: ZPL's command characters (^ and ~)
// cannot stand in it.
func fieldText(s string) string {
	return strings.NewReplacer("^", " ", "~", " ").Replace(s)
}

// Writer writes parcels' labels as one ZPL stream (domain.ThermalLabels).
type Writer struct{}

var _ domain.ThermalLabels = Writer{}

// Labels writes a label for each parcel, in order: its carrier's (ZPL as
// the carrier sent it, or its image converted), else Portolan's own. Every
// label is made before any is written, so a label that cannot be printed
// stops the job before the printer gets half of it.
func (Writer) Labels(w io.Writer, parcels []domain.PackedParcel, carrier map[int64]domain.Label) error {
	labels := make([][]byte, 0, len(parcels))
	for _, p := range parcels {
		var label []byte
		l, ok := carrier[p.ID]
		switch {
		case ok && l.IsZPL():
			label = l.File
		case ok && domain.FileFormat(l.File) == "PDF":
			return domain.Errorf(domain.EINVALID, "parcel %d of %s: its %s label came as a PDF, which a thermal printer does not take; "+
				"print the labels with the documents (Labels on: PDF), or buy them from an account that sends images or ZPL", p.Seq, p.Number, l.Carrier)
		case ok:
			var err error
			if label, err = Image(l.File); err != nil {
				return domain.Errorf(domain.EINVALID, "parcel %d of %s: %v", p.Seq, p.Number, err)
			}
		default:
			label = Own(p)
		}
		labels = append(labels, label)
	}
	for _, label := range labels {
		if _, err := w.Write(label); err != nil {
			return err
		}
	}
	return nil
}
