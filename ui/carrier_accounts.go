package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// CarrierAccountsDialog lists the carrier accounts tracking polls through,
// and those that sell labels (EasyPost's and DHL Express's) — kind,
// address, budget, today's use, state — and edits them: credentials in
// password fields, never shown again; a DHL Express account's number and
// paperless trade; "Test connection"; remove.
type CarrierAccountsDialog struct {
	s *ShipmentsScreen

	List   *widget.Table
	Kind   *widget.Select
	Name   *widget.Entry
	URL    *widget.Entry
	Key    *widget.Entry
	ID     *widget.Entry
	Secret *widget.Entry
	// Number and Paperless are a DHL Express account's: the shipper
	// account labels are billed to, and paperless trade.
	Number    *widget.Entry
	Paperless *widget.Check
	// ZPL has the carrier send its labels in ZPL, for a thermal printer.
	ZPL *widget.Check
	// CRID and MID are a USPS account's mailer IDs.
	CRID, MID *widget.Entry
	PerSec    *widget.Entry
	PerDay    *widget.Entry
	Save      *widget.Button
	Test      *widget.Button
	Remove    *widget.Button
	New       *widget.Button
	Status    *widget.Label

	form     *widget.Form // its labels show which fields the kind uses
	accounts []domain.CarrierAccount
	used     map[int64]int
	editing  int64 // 0: a new account
	dialog   dialog.Dialog
}

var kindNames = map[string]domain.CarrierKind{"DHL (Unified tracking API)": domain.CarrierDHL, "UPS (Track API; Rating and Shipping with a shipper number)": domain.CarrierUPS,
	"FedEx (Track API; Rate and Ship with an account number)": domain.CarrierFedEx, "USPS (Tracking v3; Prices and Labels with an EPS account)": domain.CarrierUSPS, "EasyPost (any carrier; tracking and labels)": domain.CarrierEasyPost,
	"DHL Express (MyDHL API: rates, labels, tracking)": domain.CarrierDHLExpress}

func kindOption(k domain.CarrierKind) string {
	for name, kind := range kindNames {
		if kind == k {
			return name
		}
	}
	return ""
}

// OpenAccounts shows the carrier accounts dialog.
func (s *ShipmentsScreen) OpenAccounts() {
	d := &CarrierAccountsDialog{s: s, used: map[int64]int{}}
	s.AccountsDialog = d
	type account = domain.CarrierAccount
	d.List = uikit.NewListTable(&d.accounts,
		uikit.Col("Name", func(a account) string { return a.Name }).Wide(135),
		uikit.Col("Kind", func(a account) string { return string(a.Kind) }).Wide(100),
		uikit.Col("Budget", func(a account) string {
			return fmt.Sprintf("%g/s · %s/day", a.PerSecond, uikit.GroupThousands(int64(a.PerDay)))
		}).Wide(165),
		uikit.Col("Used today", func(a account) string { return strconv.Itoa(d.used[a.ID]) }).Wide(85),
		uikit.Marked("State", func(a account, l *widget.Label) {
			if a.Failing != "" {
				l.Importance = widget.DangerImportance
				l.SetText("failing: " + a.Failing)
				return
			}
			l.Importance = widget.SuccessImportance
			l.SetText("ok")
		}).Wide(215))
	d.List.OnSelected = func(id widget.TableCellID) {
		if id.Row < len(d.accounts) {
			d.edit(d.accounts[id.Row])
		}
	}
	var kinds []string
	for _, k := range domain.CarrierKinds {
		kinds = append(kinds, kindOption(k))
	}
	d.Kind = widget.NewSelect(kinds, func(string) { d.kindChanged() })
	d.Name, d.URL = widget.NewEntry(), widget.NewEntry()
	d.Name.SetPlaceHolder("the carrier parcels go with, e.g. DHL")
	d.Key, d.Secret = widget.NewPasswordEntry(), widget.NewPasswordEntry()
	d.ID = widget.NewEntry()
	d.Number = widget.NewEntry()
	d.Number.SetPlaceHolder("the shipper account labels are billed to, e.g. 951234567")
	d.CRID, d.MID = widget.NewEntry(), widget.NewEntry()
	d.CRID.SetPlaceHolder("USPS: the Customer Registration ID")
	d.MID.SetPlaceHolder("USPS: the Mailer ID labels are owned under")
	d.Paperless = widget.NewCheck("Paperless: the carrier sends the commercial invoice to customs (DHL Paperless Trade, FedEx ETD)", nil)
	d.ZPL = widget.NewCheck("Labels in ZPL, for a thermal printer (they print with \"Print labels\", not in the PDF)", nil)
	d.PerSec, d.PerDay = widget.NewEntry(), widget.NewEntry()
	d.Save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), d.SaveAccount)
	d.Save.Importance = widget.HighImportance
	d.Test = widget.NewButtonWithIcon("Test connection", theme.ConfirmIcon(), d.TestAccount)
	d.Remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), d.RemoveAccount)
	d.New = widget.NewButtonWithIcon("New account", theme.ContentAddIcon(), func() { d.edit(domain.CarrierAccount{Kind: domain.CarrierDHL}) })
	d.Status = uikit.Wrapped("")
	d.form = widget.NewForm(
		widget.NewFormItem("Kind", d.Kind),
		widget.NewFormItem("Name", d.Name),
		widget.NewFormItem("API address", d.URL),
		widget.NewFormItem("API key", d.Key),
		widget.NewFormItem("Client id", d.ID),
		widget.NewFormItem("Client secret", d.Secret),
		widget.NewFormItem("Account number", d.Number),
		widget.NewFormItem("CRID", d.CRID),
		widget.NewFormItem("MID", d.MID),
		widget.NewFormItem("", d.Paperless),
		widget.NewFormItem("", d.ZPL),
		widget.NewFormItem("Requests a second", d.PerSec),
		widget.NewFormItem("Requests a day (UTC)", d.PerDay),
	)
	buttons := container.NewHBox(d.New, d.Save, d.Test, d.Remove)
	body := container.NewBorder(nil, container.NewVBox(d.form, buttons, d.Status), nil, nil, d.List)
	d.dialog = dialog.NewCustom("Carrier accounts", "Close", body, s.window)
	d.dialog.Resize(fyne.NewSize(780, 740))
	d.edit(domain.CarrierAccount{Kind: domain.CarrierDHL})
	d.reload()
	d.dialog.Show()
}

func (d *CarrierAccountsDialog) reload() {
	d.s.tasks.Run(func() func() {
		ctx := context.Background()
		accounts, err := d.s.svc.CarrierAccounts(ctx)
		used := map[int64]int{}
		for _, a := range accounts {
			if err == nil {
				used[a.ID], err = d.s.svc.UsedToday(ctx, a.ID)
			}
		}
		return func() {
			if err != nil {
				d.fail(err)
				return
			}
			d.accounts, d.used = accounts, used
			d.List.Refresh()
		}
	})
}

func (d *CarrierAccountsDialog) fail(err error) {
	d.Status.Importance = widget.DangerImportance
	d.Status.SetText(uikit.UserMessage(err))
}

func (d *CarrierAccountsDialog) ok(msg string) {
	d.Status.Importance = widget.SuccessImportance
	d.Status.SetText(msg)
}

// kindChanged shows the fields the kind's API needs and its defaults.
func (d *CarrierAccountsDialog) kindChanged() {
	k := kindNames[d.Kind.Selected]
	p, ok := k.Profile()
	if !ok {
		return
	}
	d.URL.SetPlaceHolder(p.BaseURL + " (default)")
	d.PerSec.SetPlaceHolder(fmt.Sprintf("%g (the carrier's limit)", p.PerSecond))
	d.PerDay.SetPlaceHolder(fmt.Sprintf("%d (the carrier's limit)", p.PerDay))
	if p.OAuth {
		d.Key.Disable()
		d.ID.Enable()
		d.Secret.Enable()
	} else {
		d.Key.Enable()
		d.ID.Disable()
		d.Secret.Disable()
	}
	d.ID.SetPlaceHolder("")
	switch k {
	case domain.CarrierDHLExpress:
		// MyDHL's credentials are an API key and secret (HTTP Basic).
		d.ID.SetPlaceHolder("the MyDHL API key")
		d.Number.SetPlaceHolder("the shipper account labels are billed to, e.g. 951234567")
		d.Number.Enable()
		d.Paperless.Enable()
	case domain.CarrierUPS:
		d.Number.SetPlaceHolder("the shipper number labels are billed to (empty: tracking only)")
		d.Number.Enable()
		d.Paperless.Disable() // UPS's paperless invoice is the account's own setting at UPS
	case domain.CarrierFedEx:
		d.Number.SetPlaceHolder("the account number labels are billed to (empty: tracking only)")
		d.Number.Enable()
		d.Paperless.Enable() // Electronic Trade Documents
	case domain.CarrierUSPS:
		d.Number.SetPlaceHolder("the EPS account labels are paid from (empty: tracking only)")
		d.Number.Enable()
		d.Paperless.Disable()
	default:
		d.Number.Disable()
		d.Paperless.Disable()
	}
	if k == domain.CarrierDHL {
		d.ZPL.Disable() // DHL's Unified API sells no labels
	} else {
		d.ZPL.Enable()
	}
	if k == domain.CarrierUSPS {
		d.CRID.Enable()
		d.MID.Enable()
	} else {
		d.CRID.Disable()
		d.MID.Disable()
	}
	if d.form != nil {
		d.form.Refresh() // the labels follow their fields' state
	}
}

func (d *CarrierAccountsDialog) edit(a domain.CarrierAccount) {
	d.editing = a.ID
	d.Kind.SetSelected(kindOption(a.Kind))
	d.Name.SetText(a.Name)
	d.URL.SetText(domain.ShownURL(a.BaseURL))
	d.ID.SetText(a.ClientID)
	d.Number.SetText(a.Number)
	d.CRID.SetText(a.CRID)
	d.MID.SetText(a.MID)
	d.Paperless.SetChecked(a.Paperless)
	d.ZPL.SetChecked(a.ZPL)
	// Secrets are never shown again: empty fields keep the stored ones.
	d.Key.SetText("")
	d.Secret.SetText("")
	hint := ""
	if a.ID != 0 {
		hint = "stored; leave empty to keep"
	}
	d.Key.SetPlaceHolder(hint)
	d.Secret.SetPlaceHolder(hint)
	d.PerSec.SetText("")
	d.PerDay.SetText("")
	if a.ID != 0 {
		d.PerSec.SetText(strconv.FormatFloat(a.PerSecond, 'g', -1, 64))
		d.PerDay.SetText(strconv.Itoa(a.PerDay))
		d.Test.Enable()
		d.Remove.Enable()
	} else {
		d.Test.Disable()
		d.Remove.Disable()
	}
	d.kindChanged()
}

// SaveAccount saves the form.
func (d *CarrierAccountsDialog) SaveAccount() {
	a := domain.CarrierAccount{ID: d.editing, Kind: kindNames[d.Kind.Selected], Name: d.Name.Text, BaseURL: strings.TrimSpace(d.URL.Text),
		Key: strings.TrimSpace(d.Key.Text), ClientID: strings.TrimSpace(d.ID.Text), ClientSecret: strings.TrimSpace(d.Secret.Text),
		ZPL: d.ZPL.Checked && !d.ZPL.Disabled()}
	switch a.Kind {
	case domain.CarrierDHLExpress:
		a.Number, a.Paperless = strings.TrimSpace(d.Number.Text), d.Paperless.Checked
	case domain.CarrierUPS:
		a.Number = strings.TrimSpace(d.Number.Text)
	case domain.CarrierFedEx:
		a.Number, a.Paperless = strings.TrimSpace(d.Number.Text), d.Paperless.Checked
	case domain.CarrierUSPS:
		a.Number, a.CRID, a.MID = strings.TrimSpace(d.Number.Text), strings.TrimSpace(d.CRID.Text), strings.TrimSpace(d.MID.Text)
	}
	if t := strings.TrimSpace(d.PerSec.Text); t != "" {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil || v <= 0 {
			d.fail(uikit.Problemf("requests a second: %q is not a positive number", t))
			return
		}
		a.PerSecond = v
	}
	if t := strings.TrimSpace(d.PerDay.Text); t != "" {
		v, err := strconv.Atoi(t)
		if err != nil || v <= 0 {
			d.fail(uikit.Problemf("requests a day: %q is not a positive whole number", t))
			return
		}
		a.PerDay = v
	}
	d.s.tasks.Run(func() func() {
		err := d.s.svc.SaveCarrierAccount(context.Background(), &a)
		return func() {
			if err != nil {
				d.fail(err)
				return
			}
			d.ok(fmt.Sprintf("Saved %s. %s Press Test connection to check them.", a.Name, d.s.svc.CredentialsKept()))
			d.edit(a)
			d.reload()
			d.s.Reload()
		}
	})
}

// TestAccount proves the selected account's credentials.
func (d *CarrierAccountsDialog) TestAccount() {
	if d.editing == 0 {
		return
	}
	id := d.editing
	d.Status.SetText("Testing…")
	d.s.tasks.Run(func() func() {
		err := d.s.svc.TestAccount(context.Background(), id)
		return func() {
			if err != nil {
				d.fail(err)
			} else {
				d.ok("The connection works.")
			}
			d.reload()
			d.s.Reload()
		}
	})
}

// RemoveAccount removes the selected account after asking.
func (d *CarrierAccountsDialog) RemoveAccount() {
	if d.editing == 0 {
		return
	}
	id, name := d.editing, d.Name.Text
	dialog.ShowConfirm("Remove carrier account", fmt.Sprintf("Remove %s? Its parcels stay; they are no longer polled until another account tracks them.", name),
		func(yes bool) {
			if !yes {
				return
			}
			d.s.tasks.Run(func() func() {
				err := d.s.svc.DeleteCarrierAccount(context.Background(), id)
				return func() {
					if err != nil {
						d.fail(err)
						return
					}
					d.ok("Removed " + name + ".")
					d.edit(domain.CarrierAccount{Kind: domain.CarrierDHL})
					d.reload()
				}
			})
		}, d.s.window)
}
