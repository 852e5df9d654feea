package domain

import "fmt"

// Quantity is a count of units. It is always an integer.
type Quantity int64

// Grams is a weight in grams.
type Grams int64

// Millimetres is a length in millimetres.
type Millimetres int64

// Dimensions are the outer length, width and height of an item or box.
type Dimensions struct {
	Length, Width, Height Millimetres
}

// Validate refuses negative dimensions.
func (d Dimensions) Validate() error {
	if d.Length < 0 || d.Width < 0 || d.Height < 0 {
		return Errorf(EINVALID, "dimensions must not be negative")
	}
	return nil
}

func (d Dimensions) String() string {
	return fmt.Sprintf("%d×%d×%d mm", d.Length, d.Width, d.Height)
}

// String formats the weight as grams below a kilogram and kilograms above: "850 g", "1.250 kg".
func (g Grams) String() string {
	if g < 1000 && g > -1000 {
		return fmt.Sprintf("%d g", int64(g))
	}
	w := int64(g)
	sign := ""
	if w < 0 {
		sign, w = "-", -w
	}
	return fmt.Sprintf("%s%d.%03d kg", sign, w/1000, w%1000)
}

// MaxQuantity is the most units one line, movement, count or bin may hold:
// a billion. A larger number is a typing or file mistake, and would
// overflow the sums stock and billing are made of.
const MaxQuantity Quantity = 1_000_000_000

// Positive checks a quantity moved, ordered or received: more than 0 and
// at most MaxQuantity. what names it in the message ("the quantity to move").
func (q Quantity) Positive(what string) error {
	if q <= 0 {
		return Errorf(EINVALID, "%s must be positive, not %d", what, q)
	}
	return q.Bounded(what)
}

// Bounded checks a quantity that may be negative (an adjustment) or zero
// (a count): at most MaxQuantity either way.
func (q Quantity) Bounded(what string) error {
	if q > MaxQuantity || q < -MaxQuantity {
		return Errorf(EINVALID, "%s is %d; Portolan takes at most %d units at once (a mistyped number?)", what, q, MaxQuantity)
	}
	return nil
}
