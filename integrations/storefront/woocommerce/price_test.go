package woocommerce

import (
	"testing"

	"github.com/portolan/portolan/domain"
)

// WooCommerce reports a line's price as its subtotal divided by its
// quantity, unrounded: "price":18.900000000000002 for two units of a
// subtotal of 37.80 (a long-standing behaviour of WC_Order_Item_Product's
// get_price, as served by /wp-json/wc/v3/orders). The unit price is 18.90,
// and the order is imported, not quarantined.
func TestUnroundedLinePrice(t *testing.T) {
	l := wireLine{Quantity: "2", Price: "18.900000000000002", Subtotal: "37.80", Total: "37.80"}
	if m, err := unitPrice(l, 2, "UAH"); err != nil || m != domain.NewMoney(1890, "UAH") {
		t.Errorf("18.900000000000002: %v %v", m, err)
	}
	l = wireLine{Quantity: "3", Price: "3.3333333333333335", Subtotal: "10.00"}
	if m, err := unitPrice(l, 3, "EUR"); err != nil || m != domain.NewMoney(333, "EUR") {
		t.Errorf("10.00 for three: %v %v", m, err)
	}
	l = wireLine{Quantity: "1", Price: "1200"} // no subtotal (an older WooCommerce): the price, rounded
	if m, err := unitPrice(l, 1, "JPY"); err != nil || m != domain.NewMoney(1200, "JPY") {
		t.Errorf("price only: %v %v", m, err)
	}
}
