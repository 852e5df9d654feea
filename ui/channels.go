package ui

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portolan/portolan/domain"
	"github.com/portolan/portolan/ui/internal/uikit"
)

// channelRow is a channel with where its sync stands.
type channelRow struct {
	ch          domain.Channel
	state       domain.SyncState
	quarantined int
}

var channelKinds = []struct {
	kind  domain.ChannelKind
	label string
}{
	{domain.ChannelShopify, "Shopify"},
	{domain.ChannelWooCommerce, "WooCommerce"},
	{domain.ChannelBigCommerce, "BigCommerce"},
	{domain.ChannelFile, "Files (CSV/XLSX)"},
}

func kindLabel(k domain.ChannelKind) string {
	for _, c := range channelKinds {
		if c.kind == k {
			return c.label
		}
	}
	return string(k)
}

// ChannelsScreen lists the channels with their sync state and lets the user
// add, edit, remove, test, sync and re-pull them.
type ChannelsScreen struct {
	svc    ChannelService
	window fyne.Window
	tasks  uikit.Tasks
	// changed runs after a sync, so other screens can reload.
	changed func()

	Table   *widget.Table
	Problem uikit.ProblemLabel
	Result  *widget.Label
	Add     *widget.Button
	Edit    *widget.Button
	Remove  *widget.Button
	Test    *widget.Button
	SyncOne *widget.Button
	Repull  *widget.Button
	ImportB *widget.Button
	Issues  *widget.Button
	Sandbox *widget.Button
	// Shipping edits the chosen channel's shipping promise (shown where
	// setShipping is given: a window that buys labels).
	Shipping *widget.Button
	// ShippingForm is the open shipping promise dialog, if any (tests fill it).
	ShippingForm *ChannelShippingForm
	setShipping  func(ctx context.Context, channelID int64, service string, promiseDays int) error
	// IssueList is the text of the open Import issues dialog (tests read it).
	IssueList *widget.Label
	// Import is the open import dialog, if any (tests read it).
	Import *ImportDialog
	// LastSync is the most recent sync dialog (tests read its rows).
	LastSync *SyncDialog
	// Form is the open add/edit form, if any (tests fill it).
	Form *ChannelForm

	rows        []channelRow
	selected    int
	stopSandbox context.CancelFunc
	content     fyne.CanvasObject
}

// Close stops what the screen started (the sandbox store).
func (s *ChannelsScreen) Close() {
	if s.stopSandbox != nil {
		s.stopSandbox()
	}
}

// NewChannelsScreen builds the screen; call Reload to fill it.
func NewChannelsScreen(svc ChannelService, w fyne.Window, changed func()) *ChannelsScreen {
	s := &ChannelsScreen{svc: svc, window: w, changed: changed, selected: -1}
	s.Table = uikit.NewListTable(&s.rows,
		uikit.Col("Name", func(r channelRow) string { return r.ch.Name }).Wide(200),
		uikit.Col("Kind", func(r channelRow) string { return kindLabel(r.ch.Kind) }).Wide(115),
		uikit.Col("Address", func(r channelRow) string { return domain.ShownURL(r.ch.BaseURL) }).Wide(220),
		uikit.Col("Ships with", func(r channelRow) string { return shippingPromise(r.ch) }).Wide(210),
		uikit.Marked("Last success", func(r channelRow, l *widget.Label) {
			if r.state.LastSuccess.IsZero() {
				l.Importance = widget.LowImportance
				l.SetText("never")
				return
			}
			l.SetText(uikit.LocalAt(r.state.LastSuccess, "2006-01-02 15:04"))
		}).Wide(140),
		uikit.Col("Cursor", func(r channelRow) string {
			if r.state.Cursor.IsZero() {
				return "–"
			}
			return uikit.LocalAt(r.state.Cursor, "2006-01-02 15:04")
		}).Wide(140),
		uikit.Marked("Last run", func(r channelRow, l *widget.Label) {
			run := r.state.LastRun
			if run == nil {
				l.SetText("–")
				return
			}
			text := fmt.Sprintf("%s · %s received, %s new", run.Status, uikit.GroupThousands(int64(run.Fetched)), uikit.GroupThousands(int64(run.New)))
			switch {
			case run.Error != "" && run.Status == domain.SyncComplete: // a notice on how the store was read
				text += " · " + run.Error
			case run.Error != "":
				text = string(run.Status) + ": " + run.Error
			}
			l.Importance = statusOfRun(*run, nil)
			l.SetText(text)
		}).Wide(300),
		uikit.Column[channelRow]{Title: "Quarantined", Width: 100, Right: true, Show: func(r channelRow, l *widget.Label) {
			if r.quarantined > 0 {
				l.Importance = widget.WarningImportance
			}
			l.SetText(uikit.GroupThousands(int64(r.quarantined)))
		}})
	s.Table.OnSelected = func(id widget.TableCellID) {
		s.selected = id.Row
		s.updateButtons()
	}
	s.Problem = uikit.NewProblemLabel()
	s.Result = uikit.Wrapped("")
	s.Add = widget.NewButtonWithIcon("Add channel", theme.ContentAddIcon(), func() { s.openForm(nil) })
	s.Add.Importance = widget.HighImportance
	s.Edit = widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if r, ok := s.current(); ok {
			s.openForm(&r.ch)
		}
	})
	s.Remove = widget.NewButtonWithIcon("Remove", theme.DeleteIcon(), s.confirmRemove)
	s.Test = widget.NewButtonWithIcon("Test connection", theme.ConfirmIcon(), s.TestSelected)
	s.SyncOne = widget.NewButtonWithIcon("Sync", theme.ViewRefreshIcon(), func() { s.SyncSelected(time.Time{}) })
	s.Repull = widget.NewButtonWithIcon("Re-pull from…", theme.HistoryIcon(), s.askRepull)
	s.ImportB = widget.NewButtonWithIcon("Import file…", theme.FileIcon(), s.ChooseImportFile)
	s.Issues = widget.NewButtonWithIcon("Import issues", theme.WarningIcon(), s.ShowIssues)
	s.Sandbox = widget.NewButtonWithIcon("Try with a sandbox store", theme.ComputerIcon(), s.StartSandbox)
	s.Shipping = widget.NewButtonWithIcon("Shipping…", theme.MailSendIcon(), s.OpenShipping)
	s.updateButtons()
	bar := container.NewHBox(s.Add, s.Edit, s.Remove, widget.NewSeparator(), s.Test, s.SyncOne, s.Repull,
		widget.NewSeparator(), s.ImportB, s.Issues, s.Shipping, layout.NewSpacer(), s.Sandbox)
	// The bar scrolls sideways in a window narrower than its buttons.
	s.content = container.NewBorder(container.NewVBox(container.NewHScroll(bar), s.Problem.Label, s.Result), nil, nil, nil, s.Table)
	return s
}

// Content is the screen's root object.
func (s *ChannelsScreen) Content() fyne.CanvasObject { return s.content }

// FocusSearch has nothing to focus: the screen has no search box.
func (s *ChannelsScreen) FocusSearch() {}

// Wait blocks until background work has been applied (tests).
func (s *ChannelsScreen) Wait() { s.tasks.Wait() }

func (s *ChannelsScreen) current() (channelRow, bool) {
	if s.selected < 0 || s.selected >= len(s.rows) {
		return channelRow{}, false
	}
	return s.rows[s.selected], true
}

func (s *ChannelsScreen) updateButtons() {
	r, ok := s.current()
	api := ok && r.ch.Kind != domain.ChannelFile && r.ch.Kind != domain.ChannelManual
	uikit.SetEnabled(ok, s.Edit, s.Remove, s.ImportB, s.Issues)
	uikit.SetEnabled(api, s.Test, s.SyncOne, s.Repull)
	uikit.SetEnabled(ok && s.setShipping != nil, s.Shipping)
}

// shippingPromise says how a channel's orders ship: its service and promise.
func shippingPromise(ch domain.Channel) string {
	var parts []string
	if ch.ShipService != "" {
		parts = append(parts, ch.ShipService)
	}
	if ch.PromiseDays > 0 {
		parts = append(parts, fmt.Sprintf("within %d day(s)", ch.PromiseDays))
	}
	if len(parts) == 0 {
		return "–"
	}
	return strings.Join(parts, " · ")
}

// ChannelShippingForm edits a channel's shipping promise.
type ChannelShippingForm struct {
	Service, Days *widget.Entry
	Problem       *widget.Label
	Save          *widget.Button
	dialog        dialog.Dialog
}

// SetShipping lets the screen edit channels' shipping promises through set
// (the label service's SetChannelShipping).
func (s *ChannelsScreen) SetShipping(set func(ctx context.Context, channelID int64, service string, promiseDays int) error) {
	s.setShipping = set
	s.updateButtons()
}

// OpenShipping opens the chosen channel's shipping promise: the carrier
// service its orders go with when they name none, and the days to the
// promised delivery, which buying labels follows.
func (s *ChannelsScreen) OpenShipping() {
	r, ok := s.current()
	if !ok || s.setShipping == nil {
		return
	}
	ch := r.ch
	f := &ChannelShippingForm{Service: widget.NewEntry(), Days: widget.NewEntry(), Problem: uikit.FormProblem()}
	s.ShippingForm = f
	f.Service.SetText(ch.ShipService)
	f.Service.SetPlaceHolder("e.g. DHL Express Worldwide (empty: the order's service, else the cheapest)")
	if ch.PromiseDays > 0 {
		f.Days.SetText(strconv.Itoa(ch.PromiseDays))
	}
	f.Days.SetPlaceHolder("days after the order is placed (empty: no promise)")
	f.Save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { s.saveShipping(f, ch) })
	f.Save.Importance = widget.HighImportance
	note := uikit.Wrapped("Buying labels follows this: the order's own service where a shipping account quotes it, else this service; " +
		"with a promise, the cheapest label that arrives by then.")
	content := container.NewVBox(note, widget.NewForm(widget.NewFormItem("Carrier service", f.Service),
		widget.NewFormItem("Delivery promised in", f.Days)), f.Problem, container.NewHBox(layout.NewSpacer(), f.Save))
	f.dialog = dialog.NewCustom("Shipping for "+ch.Name, "Close", content, s.window)
	f.dialog.Resize(fyne.NewSize(620, 300))
	f.dialog.Show()
}

func (s *ChannelsScreen) saveShipping(f *ChannelShippingForm, ch domain.Channel) {
	days := 0
	if t := strings.TrimSpace(f.Days.Text); t != "" {
		v, err := strconv.Atoi(strings.Fields(t)[0]) // "4" or "4 days"
		if err != nil || v < 0 {
			f.Problem.SetText(fmt.Sprintf("%q is not a number of days", t))
			return
		}
		days = v
	}
	service := strings.TrimSpace(f.Service.Text)
	s.tasks.Run(func() func() {
		err := s.setShipping(context.Background(), ch.ID, service, days)
		return func() {
			if err != nil {
				f.Problem.SetText(uikit.UserMessage(err))
				return
			}
			f.dialog.Hide()
			ch.ShipService, ch.PromiseDays = service, days
			s.Result.SetText(ch.Name + " ships with " + shippingPromise(ch) + ".")
			s.Reload()
		}
	})
}

// Reload re-reads the channels and their sync state.
func (s *ChannelsScreen) Reload() {
	s.tasks.Load(s.Problem, "channels", func(ctx context.Context) (func(), error) {
		rows, err := s.channelRows(ctx)
		return func() {
			s.Problem.Hide()
			s.rows = rows
			if s.selected >= len(rows) {
				s.selected = -1
			}
			s.updateButtons()
			s.Table.Refresh()
		}, err
	})
}

// channelRows reads every channel with where its sync stands.
func (s *ChannelsScreen) channelRows(ctx context.Context) ([]channelRow, error) {
	chans, err := s.svc.Channels(ctx)
	if err != nil {
		return nil, err
	}
	rows := make([]channelRow, 0, len(chans))
	for _, c := range chans {
		st, err := s.svc.SyncState(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, channelRow{ch: c, state: st, quarantined: s.svc.QuarantineCount(ctx, c.ID)})
	}
	return rows, nil
}

// StartSandbox runs a sandbox WooCommerce store on this computer for as long
// as the window is open, adds it as a channel and syncs it, so a new user
// sees intake work without a store of their own.
func (s *ChannelsScreen) StartSandbox() {
	s.Sandbox.Disable()
	s.Result.SetText("Starting the sandbox store…")
	s.tasks.Run(func() func() {
		ctx, cancel := context.WithCancel(context.Background())
		ch, err := s.svc.TrySandbox(ctx)
		return func() {
			if err != nil {
				cancel()
				s.Sandbox.Enable()
				s.Problem.Show("sandbox", err)
				return
			}
			s.stopSandbox = cancel
			s.Sandbox.SetText("Sandbox store running")
			s.Result.SetText("A sandbox WooCommerce store runs on this computer at " + ch.BaseURL +
				" with 500 orders; a new one arrives every 30 seconds. Syncing it now.")
			s.Reload()
			s.LastSync = NewSyncDialog(s.svc, s.window, &s.tasks, func() {
				s.Reload()
				if s.changed != nil {
					s.changed()
				}
			})
			s.LastSync.Only = &ch
			s.LastSync.Start()
		}
	})
}

// ShowIssues lists the selected channel's quarantined orders: why each was
// not imported and the payload as the source sent it.
func (s *ChannelsScreen) ShowIssues() {
	r, ok := s.current()
	if !ok {
		return
	}
	s.tasks.Load(s.Problem, "import issues", func(ctx context.Context) (func(), error) {
		list, err := s.svc.QuarantinedOrders(ctx, r.ch.ID)
		return func() {
			var b strings.Builder
			if len(list) == 0 {
				b.WriteString("No orders of this channel are in quarantine.")
			}
			for _, q := range list {
				fmt.Fprintf(&b, "Order %s — last seen %s\n%s\n", q.ExternalID, q.LastSeen.In(time.Local).Format("2006-01-02 15:04"), q.Reason)
				if q.Raw != "" {
					fmt.Fprintf(&b, "As received:\n%s\n", q.Raw)
				}
				b.WriteString("\n")
			}
			s.IssueList = uikit.Wrapped(b.String())
			s.IssueList.TextStyle.Monospace = len(list) > 0
			d := dialog.NewCustom(fmt.Sprintf("Import issues — %s (%d)", r.ch.Name, len(list)), "Close",
				container.NewVScroll(s.IssueList), s.window)
			d.Resize(fyne.NewSize(900, 600))
			d.Show()
		}, err
	})
}

// TestSelected checks the selected channel's address and credentials.
func (s *ChannelsScreen) TestSelected() {
	r, ok := s.current()
	if !ok {
		return
	}
	s.Result.SetText("Testing " + r.ch.Name + "…")
	s.Result.Importance = widget.MediumImportance
	s.tasks.Run(func() func() {
		err := s.svc.TestConnection(context.Background(), r.ch)
		return func() {
			if err != nil {
				uikit.LogError("test connection", err)
				s.Result.SetText(r.ch.Name + ": " + uikit.UserMessage(err))
				s.Result.Importance = widget.DangerImportance
			} else {
				s.Result.SetText(r.ch.Name + ": connection works; the store answered with its orders.")
				s.Result.Importance = widget.SuccessImportance
			}
			s.Result.Refresh()
		}
	})
}

// SyncSelected syncs the selected channel from its cursor, or re-pulls from since.
func (s *ChannelsScreen) SyncSelected(since time.Time) {
	r, ok := s.current()
	if !ok {
		return
	}
	ch := r.ch
	s.LastSync = NewSyncDialog(s.svc, s.window, &s.tasks, func() {
		s.Reload()
		if s.changed != nil {
			s.changed()
		}
	})
	s.LastSync.Only, s.LastSync.Since = &ch, since
	s.LastSync.Start()
}

func (s *ChannelsScreen) askRepull() {
	r, ok := s.current()
	if !ok {
		return
	}
	from := widget.NewDateEntry()
	start := s.svc.Now().AddDate(0, 0, -7)
	from.SetDate(&start)
	dialog.ShowForm("Re-pull "+r.ch.Name, "Re-pull", "Cancel",
		[]*widget.FormItem{widget.NewFormItem("Orders changed since", from)},
		func(ok bool) {
			if !ok || from.Date == nil {
				return
			}
			d := *from.Date
			s.SyncSelected(time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local))
		}, s.window)
}

func (s *ChannelsScreen) confirmRemove() {
	r, ok := s.current()
	if !ok {
		return
	}
	dialog.ShowConfirm("Remove "+r.ch.Name, "Remove this channel and its stored credentials?\nA channel that has orders cannot be removed.",
		func(ok bool) {
			if ok {
				s.RemoveChannel(r.ch)
			}
		}, s.window)
}

// RemoveChannel removes a channel in the background and shows the outcome.
func (s *ChannelsScreen) RemoveChannel(ch domain.Channel) {
	s.tasks.Load(s.Problem, "remove channel", func(ctx context.Context) (func(), error) {
		err := s.svc.RemoveChannel(ctx, ch)
		return func() {
			s.selected = -1
			s.Result.SetText("Removed " + ch.Name + ".")
			s.Reload()
		}, err
	})
}

// ChannelForm adds a channel or edits one. Credentials are entered in
// password fields and never shown again; when editing, empty fields keep them.
type ChannelForm struct {
	Kind    *widget.Select
	Name    *widget.Entry
	Address *widget.Entry
	Token   *widget.Entry
	Key     *widget.Entry
	Secret  *widget.Entry
	Problem *widget.Label
	Save    *widget.Button
	fields  *fyne.Container
	dialog  *dialog.CustomDialog
}

func (s *ChannelsScreen) openForm(edit *domain.Channel) {
	f := &ChannelForm{Name: widget.NewEntry(), Address: widget.NewEntry(), Token: widget.NewPasswordEntry(),
		Key: widget.NewPasswordEntry(), Secret: widget.NewPasswordEntry(), Problem: uikit.FormProblem()}
	s.Form = f
	f.Problem.Hide()
	labels := make([]string, len(channelKinds))
	for i, k := range channelKinds {
		labels[i] = k.label
	}
	f.fields = container.NewVBox()
	f.Kind = widget.NewSelect(labels, func(string) { f.layout(edit != nil) })
	f.Kind.SetSelectedIndex(0)
	title := "Add channel"
	if edit != nil {
		title = "Edit " + edit.Name
		f.Kind.SetSelected(kindLabel(edit.Kind))
		f.Kind.Disable()
		f.Name.SetText(edit.Name)
		f.Address.SetText(domain.ShownURL(edit.BaseURL))
	}
	f.layout(edit != nil)
	f.Save = widget.NewButtonWithIcon("Save", theme.DocumentSaveIcon(), func() { s.saveForm(f, edit) })
	f.Save.Importance = widget.HighImportance
	cancel := widget.NewButton("Cancel", func() { f.dialog.Hide() })
	content := container.NewVBox(widget.NewForm(widget.NewFormItem("Kind", f.Kind)), f.fields, f.Problem,
		container.NewHBox(layout.NewSpacer(), cancel, f.Save))
	f.dialog = dialog.NewCustomWithoutButtons(title, content, s.window)
	f.dialog.Resize(fyne.NewSize(560, 0))
	f.dialog.Show()
}

func (f *ChannelForm) kind() domain.ChannelKind {
	return channelKinds[max(f.Kind.SelectedIndex(), 0)].kind
}

// layout shows the fields the chosen kind needs.
func (f *ChannelForm) layout(editing bool) {
	keep := ""
	if editing {
		keep = " (empty: keep the stored one)"
	}
	items := []*widget.FormItem{widget.NewFormItem("Name", f.Name)}
	switch f.kind() {
	case domain.ChannelShopify:
		f.Address.SetPlaceHolder("https://your-shop.myshopify.com")
		f.Token.SetPlaceHolder("Admin API access token, shpat_…" + keep)
		items = append(items, widget.NewFormItem("Shop address", f.Address), widget.NewFormItem("Access token", f.Token))
	case domain.ChannelWooCommerce:
		f.Address.SetPlaceHolder("https://store.example")
		f.Key.SetPlaceHolder("ck_…" + keep)
		f.Secret.SetPlaceHolder("cs_…" + keep)
		items = append(items, widget.NewFormItem("Store address", f.Address), widget.NewFormItem("Consumer key", f.Key),
			widget.NewFormItem("Consumer secret", f.Secret))
	case domain.ChannelBigCommerce:
		f.Address.SetPlaceHolder("https://api.bigcommerce.com/stores/your-store-hash")
		f.Token.SetPlaceHolder("X-Auth-Token of an API account" + keep)
		items = append(items, widget.NewFormItem("API path", f.Address), widget.NewFormItem("Access token", f.Token))
	}
	f.fields.Objects = []fyne.CanvasObject{widget.NewForm(items...)}
	f.fields.Refresh()
}

func (f *ChannelForm) credentials() domain.Credentials {
	return domain.Credentials{Token: strings.TrimSpace(f.Token.Text), Key: strings.TrimSpace(f.Key.Text), Secret: strings.TrimSpace(f.Secret.Text)}
}

func (s *ChannelsScreen) saveForm(f *ChannelForm, edit *domain.Channel) {
	kind, name, addr, creds := f.kind(), f.Name.Text, f.Address.Text, f.credentials()
	f.Save.Disable()
	s.tasks.Run(func() func() {
		ctx := context.Background()
		var err error
		var saved string
		if edit == nil {
			var ch domain.Channel
			ch, err = s.svc.AddChannel(ctx, kind, name, addr, creds)
			saved = "Added " + ch.Name + "."
			if kind != domain.ChannelFile && kind != domain.ChannelManual {
				saved += " " + s.svc.CredentialsKept()
			}
		} else {
			ch := *edit
			ch.Name, ch.BaseURL = strings.TrimSpace(name), strings.TrimSpace(addr)
			var c *domain.Credentials
			if creds != (domain.Credentials{}) {
				c = &creds
			}
			err = s.svc.UpdateChannel(ctx, ch, c)
			saved = "Saved " + ch.Name + "."
		}
		return func() {
			f.Save.Enable()
			if err != nil {
				uikit.LogError("save channel", err)
				f.Problem.SetText(uikit.UserMessage(err))
				f.Problem.Show()
				return
			}
			f.dialog.Hide()
			s.Form = nil
			s.Result.SetText(saved)
			s.Result.Importance = widget.MediumImportance
			s.Result.Refresh()
			s.Reload()
		}
	})
}
