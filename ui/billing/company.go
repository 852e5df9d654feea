package billing

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
)

// CompanyForm edits who issues the invoices: name, address, VAT number and
// how to pay, printed on every invoice; the name heads the workbooks.
func (s *Screen) CompanyForm() {
	s.tasks.Load(s.Problem, "company", func(ctx context.Context) (func(), error) {
		c, err := s.svc.Company(ctx)
		return func() {
			s.showCompanyForm(c)
		}, err
	})
}

func (s *Screen) showCompanyForm(c domain.Company) {
	e := func(text, hint string) *widget.Entry {
		w := widget.NewEntry()
		w.SetText(text)
		w.SetPlaceHolder(hint)
		return w
	}
	name, vat := e(c.Name, "the legal name"), e(c.VATNumber, "e.g. NL123456789B01")
	line1, line2 := e(c.Address.Line1, "street and number"), e(c.Address.Line2, "")
	postal, city := e(c.Address.PostalCode, ""), e(c.Address.City, "")
	region, country := e(c.Address.Region, "state, province or prefecture"), e(string(c.Address.Country), "ISO code, e.g. NL")
	payment := widget.NewMultiLineEntry()
	payment.SetText(c.Payment)
	payment.SetPlaceHolder("Bank, IBAN, BIC — one per line; printed under the totals")
	payment.SetMinRowsVisible(3)
	d := dialog.NewForm("Invoicing company", "Save", "Cancel", []*widget.FormItem{
		widget.NewFormItem("Name", name), widget.NewFormItem("Address", line1), widget.NewFormItem("", line2),
		widget.NewFormItem("Postal code", postal), widget.NewFormItem("City", city), widget.NewFormItem("Region", region),
		widget.NewFormItem("Country", country), widget.NewFormItem("VAT number", vat), widget.NewFormItem("Payment details", payment),
	}, func(ok bool) {
		if !ok {
			return
		}
		s.SaveCompany(domain.Company{Name: name.Text, VATNumber: vat.Text, Payment: payment.Text, Address: domain.Address{
			Line1: strings.TrimSpace(line1.Text), Line2: strings.TrimSpace(line2.Text), PostalCode: strings.TrimSpace(postal.Text),
			City: strings.TrimSpace(city.Text), Region: strings.TrimSpace(region.Text),
			Country: domain.Country(strings.ToUpper(strings.TrimSpace(country.Text)))}})
	}, s.window)
	d.Resize(fyne.NewSize(560, 0))
	d.Show()
}

// SaveCompany checks and saves the invoicing company.
func (s *Screen) SaveCompany(c domain.Company) {
	s.tasks.Load(s.Problem, "company", func(ctx context.Context) (func(), error) {
		err := s.svc.SetCompany(ctx, c)
		return func() {
			s.done(fmt.Sprintf("%s will be printed on invoices.", strings.TrimSpace(c.Name)))
		}, err
	})
}
